/**
 * What a run's progress display knows, folded from its events: every table in flight (with
 * --jobs, several), the tables planned and done, and the DDL phase that runs. Pure: the caller
 * passes the clock, so a sequence of events renders the same lines in a test as on a terminal.
 */
import type { SyncEvent, SyncPhase } from "../execute/events.js";
import { nameKey, type QualifiedName } from "../model/qualified-name.js";

export interface TableInFlight {
  readonly table: QualifiedName;
  /** From the source's catalog (relpages at the last VACUUM/ANALYZE) or a snapshot's manifest; 0: unknown. */
  readonly estimatedBytes: number;
  readonly startedAt: number;
  bytes: number;
  /** With --jobs: the worker builds the table's keys and indexes after its COPY. */
  build: { done: number; statements: number } | null;
}

export interface PhaseInFlight {
  readonly phase: SyncPhase;
  readonly statements: number;
  readonly startedAt: number;
  done: number;
}

export interface ProgressState {
  /** Estimated bytes of every table the run copies, by nameKey (from copy-start). */
  readonly planned: Map<string, number>;
  copyStartedAt: number | null;
  /** Tables in flight, in the order they started. */
  readonly running: Map<string, TableInFlight>;
  readonly finished: Set<string>;
  phase: PhaseInFlight | null;
}

/** A table in flight never shows more than this share of its estimate: the catalog's size is a guess. */
const CAP = 0.99;

export function createProgressState(): ProgressState {
  return { planned: new Map(), copyStartedAt: null, running: new Map(), finished: new Set(), phase: null };
}

export function applyProgressEvent(state: ProgressState, event: SyncEvent, now: number): void {
  switch (event.kind) {
    case "copy-start":
      state.copyStartedAt = now;
      for (const t of event.tables) state.planned.set(nameKey(t.table), Math.max(t.estimatedBytes, 0));
      return;
    case "table-start":
      state.copyStartedAt ??= now;
      state.running.set(nameKey(event.table), { table: event.table, estimatedBytes: Math.max(event.estimatedBytes, 0), startedAt: now, bytes: 0, build: null });
      return;
    case "table-progress": {
      const table = state.running.get(nameKey(event.table));
      if (table) table.bytes = event.bytes;
      return;
    }
    case "table-build": {
      const table = state.running.get(nameKey(event.table));
      if (table) table.build = { done: event.done, statements: event.statements };
      return;
    }
    case "table-done":
      state.running.delete(nameKey(event.table));
      state.finished.add(nameKey(event.table));
      return;
    case "phase-start":
      state.phase = { phase: event.phase, statements: event.statements, startedAt: now, done: 0 };
      return;
    case "statement-done":
      if (state.phase?.phase === event.phase) state.phase.done = event.done;
      return;
    case "phase-done":
      state.phase = null;
      return;
    case "log":
      return;
  }
}

/** The share of a table's estimate copied (at most 0.99 while it runs); null when its size is unknown. */
export function tableFraction(table: TableInFlight): number | null {
  if (table.estimatedBytes <= 0) return null;
  return Math.min(table.bytes / table.estimatedBytes, CAP);
}

/** Before this many seconds of a COPY, its rate says little (connection start-up, the first chunks). */
const MIN_RATE_SECONDS = 1;

/** Seconds left for a table at its rate so far; null before a rate is known or past its estimate. */
export function tableEta(table: TableInFlight, now: number): number | null {
  const elapsed = (now - table.startedAt) / 1000;
  if (table.estimatedBytes <= 0 || table.bytes <= 0 || elapsed < MIN_RATE_SECONDS || table.bytes >= table.estimatedBytes) return null;
  return ((table.estimatedBytes - table.bytes) * elapsed) / table.bytes;
}

/**
 * The run's share of its estimated bytes: a finished table counts as its estimate, a running one
 * as its capped share. Tables of unknown size are left out; null when no size is known at all.
 */
export function runFraction(state: ProgressState): number | null {
  let total = 0;
  let done = 0;
  for (const [key, estimate] of state.planned) {
    if (estimate <= 0) continue;
    total += estimate;
    const running = state.running.get(key);
    if (state.finished.has(key)) done += estimate;
    // A table whose keys build has sent every byte (the last throttled count may not have arrived).
    else if (running) done += running.build ? estimate * CAP : Math.min(running.bytes, estimate * CAP);
  }
  return total > 0 ? done / total : null;
}

/**
 * Seconds left for the run's copies at the rate since the copies started; null while no table
 * copies bytes (every table in flight builds its indexes: the rate of bytes says nothing then).
 */
export function runEta(state: ProgressState, now: number): number | null {
  const fraction = runFraction(state);
  if (fraction === null || fraction <= 0 || fraction >= 1 || state.copyStartedAt === null) return null;
  if (![...state.running.values()].some((t) => t.build === null)) return null;
  const elapsed = (now - state.copyStartedAt) / 1000;
  return elapsed >= MIN_RATE_SECONDS ? (elapsed * (1 - fraction)) / fraction : null;
}

/** Bytes the run expects to copy in all, counting only the tables whose size is known. */
export function runEstimatedBytes(state: ProgressState): number {
  let total = 0;
  for (const estimate of state.planned.values()) total += estimate;
  return total;
}

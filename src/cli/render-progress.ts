/**
 * Progress as text: the live frame a terminal redraws (a run line, one line per table in flight,
 * the DDL phase with its statement count) and the plain lines written when stderr is not a
 * terminal. Pure: state and clock in, lines out.
 */
import type { SyncEvent, SyncPhase } from "../execute/events.js";
import { displayName } from "../model/qualified-name.js";
import { formatBytes, formatCount, formatDuration, formatSeconds } from "./format-units.js";
import { runEstimatedBytes, runEta, runFraction, tableEta, tableFraction, type ProgressState, type TableInFlight } from "./progress-state.js";

const BAR_WIDTH = 20;
const NAME_WIDTH = 40;

/** What each phase does, as it runs and once done. */
export function phaseLabel(phase: SyncPhase): { readonly running: string; readonly done: string } {
  switch (phase) {
    case "pre-data":
      return { running: "changing the schema before the load", done: "changed the schema before the load" };
    case "attach":
      return { running: "moving the tables loaded in parallel into place", done: "moved the tables loaded in parallel into place" };
    case "post-data":
      return { running: "building keys, indexes and foreign keys", done: "built keys, indexes and foreign keys" };
    case "row-security":
      return { running: "forcing row-level security", done: "forced row-level security" };
  }
}

function percent(fraction: number): string {
  return `${Math.floor(fraction * 100)}%`;
}

function eta(seconds: number | null): string {
  return seconds === null ? "" : `, ETA ${formatDuration(seconds)}`;
}

/** "copying: 2 of 5 tables done, 45% of ~1.2 GB, ETA 1 min 20 s" (the percentage when sizes are known). */
export function renderRunLine(state: ProgressState, now: number): string {
  const fraction = runFraction(state);
  const count = state.planned.size > 0 ? `${state.finished.size} of ${state.planned.size} tables done` : `${state.finished.size} tables done`;
  const share = fraction === null ? "" : `, ${percent(fraction)} of ~${formatBytes(runEstimatedBytes(state))}${eta(runEta(state, now))}`;
  return `copying: ${count}${share}`;
}

/** One table in flight, after its name: a bar and percentage, or bytes alone when its size is unknown. */
export function renderTableStatus(table: TableInFlight, now: number, withBar: boolean): string {
  if (table.build) return `building keys and indexes: ${table.build.done}/${table.build.statements} statements`;
  const fraction = tableFraction(table);
  if (fraction === null) return `${formatBytes(table.bytes)} (size unknown)`;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = withBar ? `${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)} ` : "";
  return `${bar}${percent(fraction).padStart(withBar ? 3 : 0)} ${formatBytes(table.bytes)} of ~${formatBytes(table.estimatedBytes)}${eta(tableEta(table, now))}`;
}

export function renderPhaseLine(state: ProgressState, now: number): string | null {
  const phase = state.phase;
  if (!phase) return null;
  return `${phaseLabel(phase.phase).running}: ${phase.done}/${phase.statements} statements, ${formatDuration((now - phase.startedAt) / 1000)}`;
}

/** The terminal's frame: lines no wider than `width`, control characters of names made visible. */
export function renderProgressFrame(state: ProgressState, now: number, width: number): string[] {
  const lines: string[] = [];
  if (state.running.size > 0) {
    lines.push(renderRunLine(state, now));
    const names = [...state.running.values()].map((t) => displayName(t.table));
    const pad = Math.min(Math.max(...names.map((n) => n.length)), NAME_WIDTH);
    [...state.running.values()].forEach((table, i) => lines.push(`  ${fit(names[i]!, pad).padEnd(pad)}  ${renderTableStatus(table, now, true)}`));
  }
  const phase = renderPhaseLine(state, now);
  if (phase) lines.push(phase);
  return lines.map((line) => fit(visible(line), Math.max(width - 1, 10)));
}

/** A table named with an escape character must not move the cursor: control characters show as "?". */
function visible(text: string): string {
  return Array.from(text, (c) => (c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f) ? "?" : c)).join("");
}

function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** The periodic line off a terminal: every table in flight and the run's share. */
export function renderProgressSummary(state: ProgressState, now: number): string {
  const tables = [...state.running.values()].map((t) => `${displayName(t.table)} ${renderTableStatus(t, now, false)}`);
  return `${renderRunLine(state, now)}${tables.length ? `; in flight: ${tables.join("; ")}` : ""}`;
}

function statements(n: number): string {
  return `${n} statement${n === 1 ? "" : "s"}`;
}

export function renderPhaseStart(event: Extract<SyncEvent, { kind: "phase-start" }>): string {
  return `${phaseLabel(event.phase).running}: ${statements(event.statements)}`;
}

export function renderPhaseDone(event: Extract<SyncEvent, { kind: "phase-done" }>): string {
  const label = phaseLabel(event.phase);
  return event.ok
    ? `${label.done}: ${statements(event.statements)} in ${formatSeconds(event.seconds)} s`
    : `stopped ${label.running} after ${event.done} of ${statements(event.statements)}`;
}

export function renderTableDone(event: Extract<SyncEvent, { kind: "table-done" }>): string {
  return event.ok
    ? `copied ${displayName(event.table)}: ${formatCount(event.rows)} rows, ${formatBytes(event.bytes)} in ${formatSeconds(event.seconds)} s`
    : `failed ${displayName(event.table)} after ${formatBytes(event.bytes)}`;
}

/**
 * Progress events a run emits (`runSync`, `restoreSnapshot`); the CLI turns them into a live frame
 * on a terminal, plain lines otherwise. Events are few: bytes are reported at most every
 * PROGRESS_INTERVAL_MS per table, statements one event each.
 */
import type { QualifiedName } from "../model/qualified-name.js";

/** A table the run will copy, with the source catalog's estimates (0 bytes / null rows: unknown). */
export interface CopyEstimate {
  readonly table: QualifiedName;
  readonly estimatedBytes: number;
  readonly estimatedRows: number | null;
}

/**
 * The run's DDL phases on its own target session: `pre-data` (tables and columns before the load),
 * `attach` (tables loaded in parallel moved into place), `post-data` (keys, indexes, foreign keys
 * and their validation), `row-security` (FORCE ROW LEVEL SECURITY, after verification).
 */
export type SyncPhase = "pre-data" | "attach" | "post-data" | "row-security";

export type SyncEvent =
  | { readonly kind: "log"; readonly level: "info" | "warn" | "debug"; readonly message: string }
  /** Once, before the first table-start: every table the run copies. */
  | { readonly kind: "copy-start"; readonly tables: readonly CopyEstimate[] }
  | { readonly kind: "table-start"; readonly table: QualifiedName; readonly estimatedBytes: number; readonly estimatedRows: number | null }
  /** COPY bytes read so far for one table (at most every PROGRESS_INTERVAL_MS). */
  | { readonly kind: "table-progress"; readonly table: QualifiedName; readonly bytes: number }
  /** With --jobs: a worker builds the keys and indexes of a table it loaded (`done` of `statements`). */
  | { readonly kind: "table-build"; readonly table: QualifiedName; readonly done: number; readonly statements: number }
  | { readonly kind: "table-done"; readonly table: QualifiedName; readonly rows: number; readonly bytes: number; readonly seconds: number; readonly ok: boolean }
  | { readonly kind: "phase-start"; readonly phase: SyncPhase; readonly statements: number }
  | { readonly kind: "statement-done"; readonly phase: SyncPhase; readonly done: number; readonly statements: number }
  /** `done` statements ran; `ok` is false when one failed or the run was interrupted. */
  | { readonly kind: "phase-done"; readonly phase: SyncPhase; readonly done: number; readonly statements: number; readonly seconds: number; readonly ok: boolean };

export type SyncEventListener = (event: SyncEvent) => void;

export const PROGRESS_INTERVAL_MS = 200;

/**
 * A COPY's byte counter (called per chunk) that emits table-progress at most every
 * PROGRESS_INTERVAL_MS: the copy path never waits on a listener per chunk.
 */
export function throttleProgress(table: QualifiedName, onEvent: SyncEventListener, now: () => number = Date.now): (bytes: number) => void {
  let last = -Infinity;
  return (bytes) => {
    const at = now();
    if (at - last < PROGRESS_INTERVAL_MS) return;
    last = at;
    onEvent({ kind: "table-progress", table, bytes });
  };
}

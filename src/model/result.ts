import type { QualifiedName } from "./qualified-name.js";

export type StepStatus = "ok" | "failed" | "rolled-back" | "skipped" | "planned";

/** The outcome of one table's step in a run. */
export interface StepResult {
  readonly table: QualifiedName;
  readonly action: "create" | "refresh" | "skip" | "truncate-cascade";
  /** How the rows are written (plan/write-mode): `refresh`, `upsert`, `insert-missing`…; absent for skips. */
  readonly mode?: string;
  readonly status: StepStatus;
  readonly rows: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly reason?: string;
  /** Merge modes: what happened to the target's rows. */
  readonly changes?: RowChanges;
  /** A subset narrowed the table: how (the plan's short form), and the source's estimate of the whole table's rows. */
  readonly subset?: { readonly summary: string; readonly tableRows: number | null };
}

export interface RowChanges {
  readonly inserted: number;
  readonly updated: number;
  /** Rows the source sent that were already equal (upsert) or present (insert-missing) on the target. */
  readonly unchanged: number;
  readonly deleted: number;
}

export interface SyncReport {
  readonly source: string;
  readonly target: string;
  readonly dryRun: boolean;
  readonly ok: boolean;
  readonly committed: boolean;
  readonly startedAt: string;
  readonly seconds: number;
  readonly steps: readonly StepResult[];
  readonly sequencesSet: number;
  readonly error?: string;
  /** The connection broke during COMMIT: the target may or may not hold the new data. */
  readonly commitUnknown?: boolean;
  readonly timings?: RunTimings;
}

/** Where a run's time went, for --json and the bench. */
export interface RunTimings {
  /** Seconds from process start to the first COPY (a run's fixed cost); null when nothing was copied. */
  readonly firstCopySeconds: number | null;
  /**
   * Seconds the target's existing tables were held under ACCESS EXCLUSIVE: from the first
   * statement that takes it (TRUNCATE, or DDL on an existing table) to the end of COMMIT or
   * ROLLBACK. null when the run took no such lock (created tables only, merges).
   */
  readonly exclusiveLockSeconds: number | null;
}

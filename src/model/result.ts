import type { QualifiedName } from "./qualified-name.js";

export type StepStatus = "ok" | "failed" | "rolled-back" | "skipped" | "planned";

/** The outcome of one table's step in a run. */
export interface StepResult {
  readonly table: QualifiedName;
  readonly action: "create" | "refresh" | "skip" | "truncate-cascade";
  readonly status: StepStatus;
  readonly rows: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly reason?: string;
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
}

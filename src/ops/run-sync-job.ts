/**
 * One sync run as a job (ops/run-job): the sync, then (when it committed) the post-sync hooks,
 * then a row in the run history. Shared by `pgferry sync` and the scheduler. Never throws for a
 * failed sync: the outcome says what happened, and `error` carries what stopped it.
 */
import { runSync, type SyncOptions, type SyncOutcome } from "../execute/run-sync.js";
import type { HookResult } from "../hooks/hook-spec.js";
import { displayName } from "../model/qualified-name.js";
import type { SyncPlan } from "../model/plan.js";
import type { SyncReport } from "../model/result.js";
import type { RunStatus } from "./run-history.js";
import { runJob, type JobSettings, type RunSummary } from "./run-job.js";

export interface SyncJobInput extends Omit<JobSettings, "target" | "source" | "mode" | "dryRun" | "signal"> {
  readonly sync: SyncOptions;
}

export interface SyncJobOutcome {
  /** Absent when the run stopped before planning finished. */
  readonly plan?: SyncPlan;
  readonly report?: SyncReport;
  readonly hooks: readonly HookResult[];
  readonly status: RunStatus;
  /** What failed: the sync's error, or the first failed hook's. */
  readonly error?: string;
  /** The error object when the sync threw (for exit codes). */
  readonly thrown?: unknown;
}

/** The sync, then, on the same target session and so still under the target's advisory lock, the hooks and the history row. */
export async function runSyncJob(input: SyncJobInput): Promise<SyncJobOutcome> {
  const { sync, ...settings } = input;
  const { result, ...outcome } = await runJob<SyncOutcome>({
    ...settings,
    target: sync.target,
    source: sync.source.label,
    mode: sync.mode ?? "refresh",
    ...(sync.dryRun ? { dryRun: true } : {}),
    ...(sync.signal ? { signal: sync.signal } : {}),
    run: (whileLocked) => runSync({ ...sync, whileLocked }),
    summarize: summarizeSync,
  });
  return { ...outcome, ...(result ? { plan: result.plan, report: result.report } : {}) };
}

/** The history row of a sync (or a restore, which reports the same way): the tables it copied. */
export function summarizeSync({ report }: SyncOutcome): RunSummary {
  const written = report.steps.filter((s) => s.action === "create" || s.action === "refresh");
  return {
    source: report.source,
    committed: report.committed,
    ok: report.ok,
    ...(report.error ? { error: report.error } : {}),
    tables: written.map((s) => displayName(s.table)),
    rows: report.committed ? written.reduce((n, s) => n + s.rows, 0) : 0,
    report: { steps: report.steps, seconds: report.seconds, committed: report.committed },
  };
}

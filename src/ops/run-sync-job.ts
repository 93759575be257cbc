/**
 * One sync run as an operation: the sync, then (when it committed) the post-sync hooks, then a
 * row in the run history. Shared by `pgferry sync` and the scheduler. Never throws for a failed
 * sync: the outcome says what happened, and `error` carries what stopped it.
 */
import { redactText } from "../config/redact.js";
import { ConnectionError, isPgferryError, LockedError, SafetyError } from "../errors.js";
import { runSync, type SyncOptions } from "../execute/run-sync.js";
import type { HookResult, HookSpec } from "../hooks/hook-spec.js";
import { runHooks, type HookContext } from "../hooks/run-hooks.js";
import { displayName } from "../model/qualified-name.js";
import type { SyncPlan } from "../model/plan.js";
import type { SyncReport } from "../model/result.js";
import { describePgError } from "../pg/describe-pg-error.js";
import { appendRun, type RunStatus } from "./run-history.js";

export interface SyncJobInput {
  /** Scheduled job name, or null for a run from the command line. */
  readonly job: string | null;
  readonly sync: SyncOptions;
  /** Hooks to run after a committed sync ([] when --no-hooks). */
  readonly hooks: readonly HookSpec[];
  readonly hookContext: Omit<HookContext, "targetUrl" | "signal">;
  /** The history schema, or false for no history. */
  readonly history: { readonly schema: string } | false;
  /** Problems that do not fail the run (history not written). */
  readonly onWarning: (message: string) => void;
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

export async function runSyncJob(input: SyncJobInput): Promise<SyncJobOutcome> {
  const startedAt = new Date();
  const signal = input.sync.signal;
  let outcome: SyncJobOutcome;
  try {
    const { plan, report } = await runSync(input.sync);
    const hooks = report.committed && !report.dryRun && input.hooks.length > 0
      ? await runHooks(input.hooks, { ...input.hookContext, targetUrl: input.sync.target.url, ...(signal ? { signal } : {}) })
      : [];
    const failedHook = hooks.find((h) => h.status === "failed");
    const error = report.error ?? (failedHook ? `hook "${failedHook.name}" failed: ${failedHook.error}` : undefined);
    const status: RunStatus = signal?.aborted ? "interrupted" : report.ok && !failedHook ? "ok" : "failed";
    outcome = { plan, report, hooks, status, ...(error ? { error } : {}) };
  } catch (thrown) {
    // A cancelled confirmation is the user's choice, not a run to record.
    if (thrown instanceof SafetyError && /not confirmed/.test(thrown.message)) throw thrown;
    const error = redactText(isPgferryError(thrown) ? thrown.message : describePgError(thrown));
    // Another run holds the target: this one did nothing and is recorded as skipped.
    const status: RunStatus = signal?.aborted ? "interrupted" : thrown instanceof LockedError ? "skipped" : "failed";
    outcome = { hooks: [], status, error, thrown };
  }
  if (input.history && !input.sync.dryRun) await recordRun(input, input.history.schema, startedAt, outcome);
  return outcome;
}

async function recordRun(input: SyncJobInput, schema: string, startedAt: Date, outcome: SyncJobOutcome): Promise<void> {
  const steps = outcome.report?.steps ?? [];
  const written = steps.filter((s) => s.action === "create" || s.action === "refresh");
  try {
    await appendRun(input.sync.target.url, schema, {
      job: input.job,
      startedAt,
      finishedAt: new Date(),
      status: outcome.status,
      source: input.sync.source.label,
      mode: input.sync.mode ?? "refresh",
      tables: written.map((s) => displayName(s.table)),
      rows: outcome.report?.committed ? written.reduce((n, s) => n + s.rows, 0) : 0,
      error: outcome.error ?? null,
      report: { ...(outcome.report ? { steps: outcome.report.steps, seconds: outcome.report.seconds, committed: outcome.report.committed } : {}), hooks: outcome.hooks },
    });
  } catch (error) {
    // The run itself could not connect: its own error already says so, once.
    if (outcome.thrown instanceof ConnectionError && error instanceof ConnectionError) return;
    input.onWarning(`the run history on ${input.sync.target.label} was not written: ${isPgferryError(error) ? error.message : describePgError(error)}`);
  }
}

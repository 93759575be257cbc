/**
 * One sync run as an operation: the sync, then (when it committed) the post-sync hooks, then a
 * row in the run history. Shared by `pgferry sync` and the scheduler. Never throws for a failed
 * sync: the outcome says what happened, and `error` carries what stopped it.
 */
import { redactText } from "../config/redact.js";
import { CancelledError, ConnectionError, isPgferryError, LockedError, SafetyError } from "../errors.js";
import { runSync, type SyncOptions } from "../execute/run-sync.js";
import type { HookResult, HookSpec } from "../hooks/hook-spec.js";
import { runHooks, type HookContext } from "../hooks/run-hooks.js";
import { displayName } from "../model/qualified-name.js";
import type { SyncPlan } from "../model/plan.js";
import type { SyncReport } from "../model/result.js";
import { describePgError } from "../pg/describe-pg-error.js";
import { appendRun, type RunStatus } from "./run-history.js";
import type { TargetAccess } from "../execute/target-protection.js";

export interface SyncJobInput {
  /** Scheduled job name, or null for a run from the command line. */
  readonly job: string | null;
  readonly sync: SyncOptions;
  /** Hooks to run after a committed sync ([] when --no-hooks). */
  readonly hooks: readonly HookSpec[];
  readonly hookContext: Omit<HookContext, "target" | "session" | "signal">;
  /** A failed hook is tried again this many times (from the failed hook on), never the sync. */
  readonly hookRetries?: { readonly retries: number; readonly delaySeconds: number };
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

/**
 * The sync, then, on the same target session and so still under the target's advisory lock, the
 * hooks and the history row. A run that threw before it held the lock records its failure through
 * a session of its own (never on a target that was refused as protected).
 */
export async function runSyncJob(input: SyncJobInput): Promise<SyncJobOutcome> {
  const startedAt = new Date();
  const signal = input.sync.signal;
  let outcome: SyncJobOutcome | undefined;
  try {
    await runSync({
      ...input.sync,
      whileLocked: async (session, { plan, report }) => {
        const hooks = report.committed && input.hooks.length > 0 ? await runHooksWithRetries(input, { target: input.sync.target, session }) : [];
        outcome = summarize(plan, report, hooks, signal);
        if (input.history) await recordRun(input, { target: input.sync.target, session }, input.history.schema, startedAt, outcome);
      },
    }).then(({ plan, report }) => {
      outcome ??= summarize(plan, report, [], signal); // a dry run
    });
    return outcome!;
  } catch (thrown) {
    // A cancelled confirmation is the user's choice, not a run to record.
    if (thrown instanceof CancelledError) throw thrown;
    if (outcome) return outcome; // thrown while closing, after everything was recorded
    const error = redactText(isPgferryError(thrown) ? thrown.message : describePgError(thrown));
    // Another run holds the target: this one did nothing and is recorded as skipped.
    const status: RunStatus = signal?.aborted ? "interrupted" : thrown instanceof LockedError ? "skipped" : "failed";
    const failed: SyncJobOutcome = { hooks: [], status, error, thrown };
    if (input.history && !input.sync.dryRun && !(thrown instanceof SafetyError)) await recordRun(input, { target: input.sync.target }, input.history.schema, startedAt, failed);
    return failed;
  }
}

function summarize(plan: SyncPlan, report: SyncReport, hooks: readonly HookResult[], signal: AbortSignal | undefined): SyncJobOutcome {
  const failedHook = hooks.find((h) => h.status === "failed");
  const interruptedHook = hooks.find((h) => h.status === "skipped" && h.summary === "interrupted");
  const hookError = failedHook ? `hook "${failedHook.name}" failed: ${failedHook.error}` : interruptedHook ? `hook "${interruptedHook.name}" and those after it did not run` : undefined;
  // An interrupt after the commit stops only hooks: say that the data stands.
  const afterCommit = report.committed && signal?.aborted ? "interrupted after the commit (the synced data is committed)" : undefined;
  const error = report.error ?? (afterCommit ? [afterCommit, hookError].filter(Boolean).join(": ") : hookError);
  // After a commit an interrupt can only stop hooks: the error says the data is in.
  const status: RunStatus = signal?.aborted ? "interrupted" : report.ok && !failedHook && !interruptedHook ? "ok" : "failed";
  return { plan, report, hooks, status, ...(error ? { error } : {}) };
}

/** The hooks, and on a failure the failed hook and those after it again, while the lock is held. */
async function runHooksWithRetries(input: SyncJobInput, access: TargetAccess): Promise<HookResult[]> {
  const signal = input.sync.signal;
  const context = { ...input.hookContext, ...access, ...(signal ? { signal } : {}) };
  let results = await runHooks(input.hooks, context);
  const retries = input.hookRetries?.retries ?? 0;
  for (let attempt = 1; attempt <= retries && !signal?.aborted; attempt += 1) {
    const failedAt = results.findIndex((h) => h.status === "failed");
    if (failedAt < 0) break;
    const delay = (input.hookRetries?.delaySeconds ?? 0) * 2 ** (attempt - 1);
    input.hookContext.onLine?.(`hook ${results[failedAt]!.name} failed (${results[failedAt]!.error}); trying it again in ${delay} s (attempt ${attempt + 1} of ${retries + 1})`);
    await sleep(delay * 1000, signal);
    if (signal?.aborted) break;
    results = [...results.slice(0, failedAt), ...(await runHooks(input.hooks.slice(failedAt), context))];
  }
  return results;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

async function recordRun(input: SyncJobInput, access: TargetAccess, schema: string, startedAt: Date, outcome: SyncJobOutcome): Promise<void> {
  const steps = outcome.report?.steps ?? [];
  const written = steps.filter((s) => s.action === "create" || s.action === "refresh");
  try {
    await appendRun(access, schema, {
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

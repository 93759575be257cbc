/**
 * The one job pipeline: a run (sync, restore, rows) that writes to a target, then — when it
 * committed — the post-sync hooks, then a row in the run history, all while the run's own target
 * session still holds the target's advisory lock. Used by `sync`, `schedule`, `restore` and
 * `syncRows`. Never throws for a failed run: the outcome says what happened, and `thrown`
 * carries what stopped it.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Endpoint } from "../config/resolve-endpoint.js";
import { redactText } from "../config/redact.js";
import { CancelledError, ConnectionError, isPgferryError, LockedError, SafetyError } from "../errors.js";
import type { TargetAccess } from "../execute/target-protection.js";
import type { HookResult, HookSpec } from "../hooks/hook-spec.js";
import { runHooks, type HookContext } from "../hooks/run-hooks.js";
import { describePgError } from "../pg/describe-pg-error.js";
import type { SqlSession } from "../pg/session.js";
import { appendRun, type RunStatus } from "./run-history.js";

/** What every job shares, whatever its run is. */
export interface JobSettings {
  /** Scheduled job name, or null for a run from the command line or the library. */
  readonly job: string | null;
  readonly target: Endpoint;
  /** The history row's source when the run stops before it says (a redacted label). */
  readonly source: string;
  /** The history row's mode: refresh, upsert, insert-missing, restore, rows… */
  readonly mode: string;
  /** A dry run records nothing. */
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
  /** Hooks to run after a committed run ([] when --no-hooks). */
  readonly hooks: readonly HookSpec[];
  readonly hookContext: Omit<HookContext, "target" | "session" | "signal">;
  /** A failed hook is tried again this many times (from the failed hook on), never the run. */
  readonly hookRetries?: { readonly retries: number; readonly delaySeconds: number };
  /** The history schema, or false for no history. */
  readonly history: { readonly schema: string } | false;
  /** Problems that do not fail the run (history not written). */
  readonly onWarning: (message: string) => void;
}

/** What a run tells the pipeline about itself: its status and its history row. */
export interface RunSummary {
  readonly source: string;
  readonly committed: boolean;
  readonly ok: boolean;
  readonly error?: string;
  /** schema.name of every table the run wrote (or would have). */
  readonly tables: readonly string[];
  /** Rows written (0 when nothing committed). */
  readonly rows: number;
  /** The history row's JSON report; the hooks are added to it. */
  readonly report: object;
}

/**
 * Given to the run: call it once the run committed or rolled back, with the target session that
 * still holds the target's lock; it runs the hooks and writes the history row there.
 */
export type WhileLocked<T> = (session: SqlSession, result: T) => Promise<void>;

export interface JobInput<T> extends JobSettings {
  readonly run: (whileLocked: WhileLocked<T>) => Promise<T>;
  readonly summarize: (result: T) => RunSummary;
}

export interface JobOutcome<T> {
  /** Absent when the run threw. */
  readonly result?: T;
  readonly hooks: readonly HookResult[];
  readonly status: RunStatus;
  /** What failed: the run's error, or the first failed hook's. */
  readonly error?: string;
  /** The error object when the run threw (for exit codes). */
  readonly thrown?: unknown;
}

/**
 * The run, then, on its own target session and so still under the target's advisory lock, the
 * hooks and the history row. A run that threw before it held the lock records its failure
 * through a session of its own (never on a target that was refused as protected).
 */
export async function runJob<T>(input: JobInput<T>): Promise<JobOutcome<T>> {
  const startedAt = new Date();
  const signal = input.signal;
  let outcome: JobOutcome<T> | undefined;
  try {
    const result = await input.run(async (session, done) => {
      const summary = input.summarize(done);
      const access = { target: input.target, session };
      const hooks = summary.committed && input.hooks.length > 0 ? await runHooksWithRetries(input, access) : [];
      outcome = conclude(done, summary, hooks, signal);
      if (input.history) await recordRun(input, access, input.history.schema, startedAt, summary, outcome);
    });
    // A run that never called whileLocked: a dry run.
    return outcome ?? conclude(result, input.summarize(result), [], signal);
  } catch (thrown) {
    // A cancelled confirmation is the user's choice, not a run to record.
    if (thrown instanceof CancelledError) throw thrown;
    if (outcome) return outcome; // thrown while closing, after everything was recorded
    const error = redactText(isPgferryError(thrown) ? thrown.message : describePgError(thrown));
    // Another run holds the target: this one did nothing and is recorded as skipped.
    const status: RunStatus = signal?.aborted ? "interrupted" : thrown instanceof LockedError ? "skipped" : "failed";
    const failed: JobOutcome<T> = { hooks: [], status, error, thrown };
    if (input.history && !input.dryRun && !(thrown instanceof SafetyError)) await recordRun(input, { target: input.target }, input.history.schema, startedAt, undefined, failed);
    return failed;
  }
}

function conclude<T>(result: T, summary: RunSummary, hooks: readonly HookResult[], signal: AbortSignal | undefined): JobOutcome<T> {
  const failedHook = hooks.find((h) => h.status === "failed");
  const interruptedHook = hooks.find((h) => h.status === "skipped" && h.summary === "interrupted");
  const hookError = failedHook ? `hook "${failedHook.name}" failed: ${failedHook.error}` : interruptedHook ? `hook "${interruptedHook.name}" and those after it did not run` : undefined;
  // An interrupt after the commit stops only hooks: say that the data stands.
  const afterCommit = summary.committed && signal?.aborted ? "interrupted after the commit (the synced data is committed)" : undefined;
  const error = summary.error ?? (afterCommit ? [afterCommit, hookError].filter(Boolean).join(": ") : hookError);
  const status: RunStatus = signal?.aborted ? "interrupted" : summary.ok && !failedHook && !interruptedHook ? "ok" : "failed";
  return { result, hooks, status, ...(error ? { error } : {}) };
}

/** The hooks, and on a failure the failed hook and those after it again, while the lock is held. */
async function runHooksWithRetries(input: JobSettings, access: TargetAccess): Promise<HookResult[]> {
  const signal = input.signal;
  const context = { ...input.hookContext, ...access, ...(signal ? { signal } : {}) };
  let results = await runHooks(input.hooks, context);
  const retries = input.hookRetries?.retries ?? 0;
  for (let attempt = 1; attempt <= retries && !signal?.aborted; attempt += 1) {
    const failedAt = results.findIndex((h) => h.status === "failed");
    if (failedAt < 0) break;
    const delay = (input.hookRetries?.delaySeconds ?? 0) * 2 ** (attempt - 1);
    input.hookContext.onLine?.(`hook ${results[failedAt]!.name} failed (${results[failedAt]!.error}); trying it again in ${delay} s (attempt ${attempt + 1} of ${retries + 1})`);
    // Node's timer takes the signal: it rejects on abort and leaves no listener behind.
    await sleep(delay * 1000, undefined, signal ? { signal } : {}).catch(() => undefined);
    if (signal?.aborted) break;
    results = [...results.slice(0, failedAt), ...(await runHooks(input.hooks.slice(failedAt), context))];
  }
  return results;
}

async function recordRun(input: JobSettings, access: TargetAccess, schema: string, startedAt: Date, summary: RunSummary | undefined, outcome: JobOutcome<unknown>): Promise<void> {
  try {
    await appendRun(access, schema, {
      job: input.job,
      startedAt,
      finishedAt: new Date(),
      status: outcome.status,
      source: summary?.source ?? input.source,
      mode: input.mode,
      tables: [...(summary?.tables ?? [])],
      rows: summary?.rows ?? 0,
      error: outcome.error ?? null,
      report: { ...(summary?.report ?? {}), hooks: outcome.hooks },
    });
  } catch (error) {
    // The run itself could not connect: its own error already says so, once.
    if (outcome.thrown instanceof ConnectionError && error instanceof ConnectionError) return;
    input.onWarning(`the run history on ${input.target.label} was not written: ${isPgferryError(error) ? error.message : describePgError(error)}`);
  }
}

/**
 * `pgferry schedule`: jobs on cron expressions (croner) in one long-running process.
 * - A job never overlaps its own previous run: croner's `protect` skips the tick and we log it.
 * - Runs of other processes on the same target are kept out by the sync's advisory lock; such
 *   a run is recorded as skipped, not retried.
 * - A failed run is retried after retryDelay seconds, doubled each attempt, then reported.
 * - When the signal aborts, no new run starts; the running one rolls back (the sync honours the
 *   same signal) and `runScheduler` resolves once every job is idle.
 */
import { Cron } from "croner";
import { setTimeout as sleep } from "node:timers/promises";
import { ConfigError, isPgferryError } from "../errors.js";
import type { SyncJobOutcome } from "./run-sync-job.js";

export interface ScheduledJob {
  readonly name: string;
  readonly cron: string;
  readonly timezone?: string;
  /** Extra attempts after a failure. */
  readonly retries: number;
  readonly retryDelaySeconds: number;
  readonly run: () => Promise<SyncJobOutcome>;
}

export interface SchedulerEvents {
  readonly onScheduled?: (job: string, next: Date | null) => void;
  readonly onSkipped?: (job: string, reason: string) => void;
  readonly onStart?: (job: string, attempt: number) => void;
  readonly onFinish?: (job: string, outcome: SyncJobOutcome, attempt: number) => void;
  readonly onRetry?: (job: string, attempt: number, delaySeconds: number, error: string) => void;
}

export interface SchedulerOptions extends SchedulerEvents {
  readonly signal: AbortSignal;
  /** Stop each job after this many runs (for smoke tests and one-off checks). */
  readonly maxRuns?: number;
}

/** A ConfigError naming the job when its expression or time zone is not valid. */
export function validateCron(job: string, cron: string, timezone?: string): void {
  try {
    const probe = new Cron(cron, { paused: true, ...(timezone ? { timezone } : {}) });
    const next = probe.nextRun();
    probe.stop();
    if (!next) throw new Error("it never fires");
  } catch (error) {
    throw new ConfigError(`schedules.${job}: invalid cron expression "${cron}"${timezone ? ` or time zone "${timezone}"` : ""}: ${(error as Error).message}`);
  }
}

/** What the scheduler ran: the jobs one of whose runs still failed after its retries. */
export interface SchedulerSummary {
  readonly failedJobs: readonly string[];
}

/** Resolves when the signal aborts and no run is in progress, or when every job reached maxRuns. */
export async function runScheduler(jobs: readonly ScheduledJob[], options: SchedulerOptions): Promise<SchedulerSummary> {
  for (const job of jobs) validateCron(job.name, job.cron, job.timezone);
  const running = new Set<Promise<void>>();
  const finished = new Map<string, number>();
  const failedJobs = new Set<string>();
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const crons: Cron[] = [];
  const stopAll = () => {
    for (const cron of crons) cron.stop();
    void Promise.all([...running]).then(() => resolveDone());
  };

  for (const job of jobs) {
    const cron = new Cron(
      job.cron,
      {
        ...(job.timezone ? { timezone: job.timezone } : {}),
        protect: () => options.onSkipped?.(job.name, "the previous run is still going"),
        catch: (error) => options.onSkipped?.(job.name, `scheduler error: ${(error as Error).message}`),
      },
      async () => {
        if (options.signal.aborted) return;
        const run = runWithRetries(job, options)
          .then((outcome) => void (outcome.status === "failed" && failedJobs.add(job.name)))
          .finally(() => running.delete(run));
        running.add(run);
        await run;
        const count = (finished.get(job.name) ?? 0) + 1;
        finished.set(job.name, count);
        if (options.maxRuns !== undefined && count >= options.maxRuns) {
          cron.stop();
          if (jobs.every((j) => (finished.get(j.name) ?? 0) >= options.maxRuns!)) stopAll();
        }
      },
    );
    crons.push(cron);
    options.onScheduled?.(job.name, cron.nextRun());
  }
  if (options.signal.aborted) stopAll();
  else options.signal.addEventListener("abort", stopAll, { once: true });
  await done;
  return { failedJobs: [...failedJobs] };
}

/** One run of a job now, off its schedule (`pgferry run`), with its retries; the last attempt's outcome. */
export async function runJobNow(job: ScheduledJob, events: SchedulerEvents & { readonly signal: AbortSignal }): Promise<SyncJobOutcome> {
  return runWithRetries(job, events);
}

async function runWithRetries(job: ScheduledJob, events: SchedulerEvents & { readonly signal: AbortSignal }): Promise<SyncJobOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    events.onStart?.(job.name, attempt);
    // A run that rejects is a failed run: the scheduler must still count it and go on.
    const outcome = await job.run().catch((thrown: unknown): SyncJobOutcome => ({ hooks: [], status: "failed", error: thrown instanceof Error ? thrown.message : String(thrown), thrown }));
    events.onFinish?.(job.name, outcome, attempt);
    if (outcome.status !== "failed" || attempt > job.retries || events.signal.aborted || !worthRetrying(outcome)) return outcome;
    const delay = job.retryDelaySeconds * 2 ** (attempt - 1);
    events.onRetry?.(job.name, attempt + 1, delay, outcome.error ?? "failed");
    // Node's timer takes the signal: false as soon as it aborts, no listener left behind.
    if (!(await sleep(delay * 1000, true, { signal: events.signal }).catch(() => false))) return outcome;
  }
}

/**
 * Bad config and safety refusals do not fix themselves; everything else may (a dropped
 * connection, a lock). A run that committed is never run again: its failed hooks were already
 * retried by the job, under the same lock.
 */
function worthRetrying(outcome: SyncJobOutcome): boolean {
  const thrown = outcome.thrown;
  if (outcome.report?.committed) return false;
  return !(isPgferryError(thrown) && (thrown.code === "CONFIG" || thrown.code === "SAFETY"));
}

/**
 * The jobs of pgferry.yml's `schedules:`, checked and ready to run, for `pgferry schedule` (on
 * their cron expressions) and `pgferry run` (now). Everything about a job is checked before any
 * runs: cron expression, endpoints (never a protected target), groups and hooks.
 */
import { dirname } from "node:path";
import { resolveEndpoint } from "../config/resolve-endpoint.js";
import type { PgferryConfig, ScheduleJobConfig } from "../config/schema.js";
import { ConfigError, SafetyError } from "../errors.js";
import { resolveSyncOptions, scheduleJobFlags } from "../config/resolve-sync-options.js";
import { assertWritableTarget } from "../execute/run-sync.js";
import { runSyncJob, type SyncJobOutcome } from "../ops/run-sync-job.js";
import { validateCron, type ScheduledJob, type SchedulerEvents } from "../ops/scheduler.js";
import type { CliContext } from "./cli-context.js";
import type { ConsoleLog } from "./console-log.js";
import { formatCount, formatSeconds } from "./format-units.js";

const DEFAULT_RETRIES = 2;
const DEFAULT_RETRY_DELAY_SECONDS = 30;

/** The named jobs (all when none is named), each checked; a ConfigError names an unknown one. */
export function scheduledJobs(ctx: CliContext, config: PgferryConfig, configPath: string | null, only: readonly string[], log: ConsoleLog): ScheduledJob[] {
  return selectJobs(config, only).map(([name, job]) => scheduledJob(ctx, config, configPath, name, job, log));
}

/** Log lines for a job's runs, shared by `schedule` and `run`. */
export function jobEvents(log: ConsoleLog): SchedulerEvents {
  return {
    onScheduled: (job, next) => log.info(`job ${job}: scheduled, next run ${next ? next.toISOString() : "never"}`),
    onSkipped: (job, reason) => log.warn(`job ${job}: tick skipped: ${reason}`),
    onStart: (job, attempt) => log.info(`job ${job}: run started${attempt > 1 ? ` (attempt ${attempt})` : ""}`),
    onFinish: (job, outcome) => logOutcome(log, job, outcome),
    onRetry: (job, attempt, delay, error) => log.warn(`job ${job}: failed (${error}); attempt ${attempt} in ${delay} s`),
  };
}

function selectJobs(config: PgferryConfig, only: readonly string[]): [string, ScheduleJobConfig][] {
  const all = Object.entries(config.schedules);
  if (all.length === 0) throw new ConfigError("no jobs: add a schedules: section to pgferry.yml");
  for (const name of only) {
    if (!config.schedules[name]) throw new ConfigError(`unknown job "${name}" (known: ${all.map(([n]) => n).join(", ")})`);
  }
  return only.length ? all.filter(([name]) => only.includes(name)) : all;
}

/** Everything about a job is checked here, before the scheduler starts. */
function scheduledJob(ctx: CliContext, config: PgferryConfig, configPath: string | null, name: string, job: ScheduleJobConfig, log: ConsoleLog): ScheduledJob {
  validateCron(name, job.cron, job.timezone);
  const inJob = (error: unknown) => new ConfigError(`schedules.${name}: ${(error as Error).message}`, { cause: error });
  let run: () => Promise<SyncJobOutcome>;
  try {
    const source = resolveEndpoint(job.from, "source", config);
    const target = resolveEndpoint(job.to, "target", config);
    assertWritableTarget(target);
    const resolved = resolveSyncOptions(config, scheduleJobFlags(job), { source, target });
    run = () =>
      runSyncJob({
        job: name,
        sync: {
          ...resolved,
          onEvent: (event) => {
            if (event.kind === "log" && event.level === "warn") log.warn(`job ${name}: ${event.message}`);
          },
          signal: ctx.signal,
        },
        hooks: resolved.hooks,
        hookContext: { cwd: configPath ? dirname(configPath) : ctx.cwd, env: ctx.env, onLine: (line) => log.info(`job ${name}: ${line}`) },
        hookRetries: { retries: job.retries ?? DEFAULT_RETRIES, delaySeconds: job.retryDelay ?? DEFAULT_RETRY_DELAY_SECONDS },
        history: resolved.history,
        onWarning: (message) => log.warn(`job ${name}: ${message}`),
      });
  } catch (error) {
    // Typed errors keep their class (a protected target exits 3, not 2) and gain the job's name.
    if (error instanceof SafetyError) throw new SafetyError(`schedules.${name}: ${error.message}`, { cause: error });
    if (error instanceof ConfigError) throw inJob(error);
    throw error;
  }
  return {
    name,
    cron: job.cron,
    ...(job.timezone ? { timezone: job.timezone } : {}),
    retries: job.retries ?? DEFAULT_RETRIES,
    retryDelaySeconds: job.retryDelay ?? DEFAULT_RETRY_DELAY_SECONDS,
    run,
  };
}

function logOutcome(log: ConsoleLog, job: string, outcome: SyncJobOutcome): void {
  const steps = outcome.report?.steps ?? [];
  const written = steps.filter((s) => (s.action === "create" || s.action === "refresh") && s.status === "ok");
  const rows = written.reduce((n, s) => n + s.rows, 0);
  const seconds = outcome.report ? ` in ${formatSeconds(outcome.report.seconds)} s` : "";
  const hooks = outcome.hooks.length ? `, ${outcome.hooks.filter((h) => h.status === "ok").length}/${outcome.hooks.length} hooks` : "";
  if (outcome.status === "ok") log.info(`job ${job}: ok: ${written.length} table(s), ${formatCount(rows)} rows${seconds}${hooks}`);
  else log.warn(`job ${job}: ${outcome.status}: ${outcome.error ?? "see the report"}`);
}

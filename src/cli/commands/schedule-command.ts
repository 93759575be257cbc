/**
 * `pgferry schedule`: run the jobs of pgferry.yml's `schedules:` on their cron expressions until
 * SIGTERM/SIGINT (or --max-runs); exits 1 when a run still failed after its retries.
 */
import { Command } from "commander";
import { loadConfig } from "../../config/load-config.js";
import { runScheduler } from "../../ops/scheduler.js";
import type { CliContext, GlobalOptions } from "../cli-context.js";
import { createConsoleLog } from "../console-log.js";
import { EXIT } from "../exit-codes.js";
import { repeatable, wholeNumber } from "../option-parsers.js";
import { jobEvents, scheduledJobs } from "../scheduled-jobs.js";

interface ScheduleOptions {
  readonly job?: string[];
  readonly maxRuns?: number;
}

export function scheduleCommand(ctx: CliContext, globals: () => GlobalOptions, setExit: (code: number) => void): Command {
  return new Command("schedule")
    .description("run the jobs of pgferry.yml (schedules:) on their cron expressions until SIGTERM; runs of a job never overlap")
    .option("--job <name>", "run only this job (repeatable)", repeatable)
    .option("--max-runs <n>", "stop after each job ran n times (smoke tests)", wholeNumber("--max-runs", 1))
    .action(async (options: ScheduleOptions) => {
      const { config, path } = loadConfig(globals().config, ctx.cwd, ctx.env);
      // A long-running process: every line carries its time.
      const log = createConsoleLog({ write: (line: string) => ctx.stderr.write(`${new Date().toISOString()} ${line}`) }, globals().verbose ?? false);
      const jobs = scheduledJobs(ctx, config, path, options.job ?? [], log);
      const summary = await runScheduler(jobs, { signal: ctx.signal, ...(options.maxRuns ? { maxRuns: options.maxRuns } : {}), ...jobEvents(log) });
      log.info(ctx.signal.aborted ? "schedule stopped: no run in progress" : "schedule finished: every job reached --max-runs");
      if (summary.failedJobs.length) log.warn(`failed after their retries: ${summary.failedJobs.map((j) => `job ${j}`).join(", ")}`);
      setExit(summary.failedJobs.length ? EXIT.failed : EXIT.ok);
    });
}


/**
 * `pgferry run JOB…`: run jobs of pgferry.yml's `schedules:` now, once each and one after another,
 * with their retries, hooks and history, as `pgferry schedule` runs them on their cron expressions.
 * Exits 1 when a job's run failed, 5 when another pgferry run held a target (the job was skipped).
 */
import { Command } from "commander";
import { loadConfig } from "../../config/load-config.js";
import { runJobNow } from "../../ops/scheduler.js";
import type { CliContext, GlobalOptions } from "../cli-context.js";
import { createConsoleLog } from "../console-log.js";
import { EXIT } from "../exit-codes.js";
import { jobEvents, scheduledJobs } from "../scheduled-jobs.js";

export function runCommand(ctx: CliContext, globals: () => GlobalOptions, setExit: (code: number) => void): Command {
  return new Command("run")
    .description("run jobs of pgferry.yml (schedules:) now, once each, with their retries, hooks and history")
    .argument("<jobs...>", "job names")
    .action(async (names: string[]) => {
      const { config, path } = loadConfig(globals().config, ctx.cwd, ctx.env);
      const log = createConsoleLog({ write: (line: string) => ctx.stderr.write(`${new Date().toISOString()} ${line}`) }, globals().verbose ?? false);
      const jobs = scheduledJobs(ctx, config, path, names, log);
      const statuses = new Set<string>();
      for (const job of jobs) {
        if (ctx.signal.aborted) break;
        statuses.add((await runJobNow(job, { signal: ctx.signal, ...jobEvents(log) })).status);
      }
      if (ctx.signal.aborted) setExit(EXIT.interrupted);
      else setExit(statuses.has("failed") ? EXIT.failed : statuses.has("skipped") ? EXIT.locked : EXIT.ok);
    });
}

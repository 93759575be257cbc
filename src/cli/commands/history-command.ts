/** `pgferry history [ENV]`: the latest runs recorded on a target (pgferry.runs), newest first. */
import { Command } from "commander";
import { loadConfig } from "../../config/load-config.js";
import { resolveEndpoint } from "../../config/resolve-endpoint.js";
import { ConfigError } from "../../errors.js";
import { listRuns } from "../../ops/run-history.js";
import type { CliContext, GlobalOptions } from "../cli-context.js";
import { EXIT } from "../exit-codes.js";
import { renderJson } from "../json-output.js";
import { wholeNumber } from "../option-parsers.js";
import { formatCount, formatSeconds } from "../format-units.js";
import { renderTextTable } from "../render-table.js";

interface HistoryOptions {
  readonly limit?: number;
  readonly job?: string;
  readonly json?: boolean;
}

const limitValue = wholeNumber("--limit", 1, 10000);

export function historyCommand(ctx: CliContext, globals: () => GlobalOptions, setExit: (code: number) => void): Command {
  return new Command("history")
    .description("list the latest sync runs recorded on a target (reads only)")
    .argument("[env]", "the target: environment name or postgres:// URL (default: defaults.to)")
    .option("-n, --limit <n>", "how many runs (default 20)", limitValue)
    .option("--job <name>", "only the runs of this scheduled job")
    .option("--json", "print the runs as JSON on stdout")
    .action(async (env: string | undefined, options: HistoryOptions) => {
      const { config } = loadConfig(globals().config, ctx.cwd, ctx.env);
      if (!config.history) throw new ConfigError("the run history is turned off in pgferry.yml (history: false)");
      const target = resolveEndpoint(env, "target", config);
      const runs = await listRuns(target.url, config.history.schema, { limit: options.limit ?? 20, ...(options.job ? { job: options.job } : {}) });
      if (options.json) {
        ctx.stdout.write(renderJson({ runs }, EXIT.ok, null));
      } else if (runs.length === 0) {
        ctx.stdout.write(`No runs recorded on ${target.label}.\n`);
      } else {
        const rows = runs.map((r) => [
          String(r.id),
          r.startedAt.toISOString().replace(/\.\d+Z$/, "Z"),
          formatSeconds((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000),
          r.job ?? "-",
          r.mode,
          String(r.tables.length),
          formatCount(r.rows),
          r.status,
          r.error ?? "",
        ]);
        ctx.stdout.write(`${renderTextTable(["id", "started", "seconds", "job", "mode", "tables", "rows", "status", "error"], rows, new Set([0, 2, 5, 6]))}\n`);
      }
      setExit(EXIT.ok);
    });
}

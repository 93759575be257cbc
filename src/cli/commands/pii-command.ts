/** `pgferry pii scan [ENV]`: columns that look like personal data and have no transform. Exit 0 none, 1 some, 2 on any error. */
import { Command } from "commander";
import { loadConfig } from "../../config/load-config.js";
import { resolveEndpoint } from "../../config/resolve-endpoint.js";
import { DEFAULT_LOCK_TIMEOUT_SECONDS, resolveSelection } from "../../config/resolve-sync-options.js";
import { DEFAULT_SAMPLE_ROWS, scanPii, type PiiFinding } from "../../pii/scan-pii.js";
import type { CliContext, GlobalOptions } from "../cli-context.js";
import { createConsoleLog } from "../console-log.js";
import { EXIT } from "../exit-codes.js";
import { renderJson } from "../json-output.js";
import { commaList, repeatable, wholeNumber } from "../option-parsers.js";
import { renderTextTable } from "../render-table.js";

interface PiiScanCommandOptions {
  readonly tables?: string[];
  readonly exclude?: string[];
  readonly group?: string[];
  readonly sample?: number;
  readonly json?: boolean;
}

/** Like diff, any error exits 2: 1 means "uncovered columns found", not a failure. */
export const PII_ERROR_EXIT = EXIT.usage;

function reason(f: PiiFinding): string {
  return f.reason === "name" ? `name (${f.category})` : `values ${Math.round((f.rate ?? 0) * 100)}% ${f.pattern}`;
}

export function piiCommand(ctx: CliContext, globals: () => GlobalOptions, setExit: (code: number) => void): Command {
  const scan = new Command("scan")
    .description("list the columns that look like personal data (by name and by sampled values) and have no transform (exit 0 none, 1 some, 2 error)")
    .argument("[env]", "environment name or postgres:// URL to read (default: defaults.from); only reads")
    .option("-t, --tables <patterns>", "scan these tables, comma-separated globs (repeatable; default: sync.tables, else every table)", commaList)
    .option("-x, --exclude <patterns>", "leave these tables out, comma-separated globs (repeatable)", commaList)
    .option("-g, --group <name>", "scan the tables of a group from pgferry.yml (repeatable)", repeatable)
    .option("--sample <rows>", `rows read per table to match values against patterns (default ${DEFAULT_SAMPLE_ROWS}; 0: names only)`, wholeNumber("--sample", 0, 100000))
    .option("--json", "print the columns as JSON on stdout")
    .action(async (env: string | undefined, options: PiiScanCommandOptions) => {
      const { config } = loadConfig(globals().config, ctx.cwd, ctx.env);
      const source = resolveEndpoint(env, "source", config);
      const log = createConsoleLog(ctx.stderr, globals().verbose ?? false);
      const selection = resolveSelection(config, { tables: options.tables, exclude: options.exclude, group: options.group });
      const result = await scanPii({
        source,
        selection,
        tables: config.tables,
        rules: config.transform.rules,
        sampleRows: options.sample ?? DEFAULT_SAMPLE_ROWS,
        lockTimeoutSeconds: config.sync.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_SECONDS,
        onRetry: (m) => log.warn(m),
      });
      // Exit 1 says uncovered columns exist: no failure, so error stays null.
      const exitCode = result.columns.length === 0 ? EXIT.ok : EXIT.failed;
      if (options.json) ctx.stdout.write(renderJson({ source: source.label, ...result }, exitCode, null));
      else if (result.columns.length === 0) ctx.stdout.write(`No uncovered personal data found in ${result.tables} table(s) of ${source.label}.\n`);
      else {
        const rows = result.columns.map((f) => [f.table, f.column, f.type, reason(f), f.suggested]);
        ctx.stdout.write(`${renderTextTable(["table", "column", "type", "reason", "suggested transform"], rows)}\n\n`);
        ctx.stdout.write(`${result.columns.length} column(s) in ${result.tables} table(s) of ${source.label} look like personal data and have no transform.\n`);
      }
      setExit(exitCode);
    });
  return new Command("pii").description("personal-data coverage of the transforms").addCommand(scan);
}

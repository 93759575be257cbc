/** `pgferry sync --with-parents`: the CLI form of syncRows, for rows chosen by one table's --where. */
import { resolveEndpoint } from "../../config/resolve-endpoint.js";
import type { PgferryConfig } from "../../config/schema.js";
import { ConfigError } from "../../errors.js";
import { DEFAULT_LOCK_TIMEOUT_SECONDS, parseWhereFlags, resolveHistory, resolveHooks } from "../../config/resolve-sync-options.js";
import { assertWritableTarget } from "../../execute/run-sync.js";
import { previewRowsWithParents, type RowsOptions, type SyncRowsTableResult } from "../../execute/copy-rows-with-parents.js";
import { syncRows } from "../../ops/sync-rows.js";
import { displayName } from "../../model/qualified-name.js";
import type { CliContext } from "../cli-context.js";
import { askConfirmation, requireConfirmationPossible } from "../confirm-prompt.js";
import { createConsoleLog } from "../console-log.js";
import { EXIT } from "../exit-codes.js";
import { renderJson } from "../json-output.js";
import { formatCount } from "../format-units.js";
import { renderHookResults } from "../render-hooks.js";
import { renderTextTable } from "../render-table.js";

export interface SyncRowsCommandInput {
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly tables: readonly string[];
  /** The raw --where values, TABLE:SQL. */
  readonly where: readonly string[];
  readonly yes: boolean;
  /** --dry-run: read the rows and count what the upsert would do; write nothing. */
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly lockTimeout: number | undefined;
  /** --hooks: run pgferry.yml's hooks.after after the commit (not by default: this is a small write). */
  readonly hooks: boolean;
  /** The folder hook commands and remap files are resolved from. */
  readonly hookCwd: string;
}

export async function runSyncRowsCommand(ctx: CliContext, config: PgferryConfig, input: SyncRowsCommandInput, verbose: boolean): Promise<number> {
  if (input.tables.length !== 1 || input.where.length !== 1) {
    throw new ConfigError('--with-parents takes one table and one filter, e.g. --tables users --where "users:id = 42"');
  }
  const [table] = input.tables as [string];
  const [item] = input.where as [string];
  const [[filtered, condition]] = Object.entries(parseWhereFlags([item])) as [[string, string]];
  if (filtered !== table.trim()) throw new ConfigError(`--where must filter the --tables table, as "${table}:SQL"`);
  const source = resolveEndpoint(input.from, "source", config);
  const target = resolveEndpoint(input.to, "target", config);
  const lockTimeoutSeconds = input.lockTimeout ?? config.sync.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_SECONDS;
  if (input.dryRun) return previewSyncRows(ctx, { source, target, table, where: condition, tables: config.tables, transform: config.transform, lockTimeoutSeconds }, input.json);
  assertWritableTarget(target);
  const hooks = resolveHooks(config, target, input.hooks);
  const history = resolveHistory(config);
  if (!input.yes) {
    requireConfirmationPossible(false, Boolean(ctx.stdin.isTTY && ctx.stderr.isTTY), target.label);
    if (!(await askConfirmation(`Upsert the chosen ${table} rows and the rows they reference into ${target.label}?`, ctx.stdin, ctx.stderr))) return EXIT.safety;
  }
  const log = createConsoleLog(ctx.stderr, verbose);
  const result = await syncRows({
    source,
    target,
    table,
    where: condition,
    tables: config.tables,
    transform: config.transform,
    lockTimeoutSeconds,
    throwOnError: true,
    ...(history ? { history } : {}),
    hooks,
    hookContext: { cwd: input.hookCwd, env: ctx.env, onLine: (line) => log.info(line) },
    onWarning: (message) => log.warn(message),
  });
  const exitCode = result.ok ? EXIT.ok : EXIT.failed;
  if (input.json) {
    const tables = result.tables.map((t) => ({ ...t, table: displayName(t.table) }));
    ctx.stdout.write(renderJson({ ...result, tables }, exitCode, result.error ?? null));
  } else {
    const hookResults = renderHookResults(result.hooks, { rowValues: verbose });
    ctx.stdout.write(`${renderRowCounts(result.tables, ["inserted", "updated"])}\n\nCommitted: ${formatCount(result.rows)} row(s) in ${result.seconds.toFixed(2)} s.${hookResults}\n`);
  }
  return exitCode;
}

/** --with-parents --dry-run: the chosen rows and their parents, and what the upsert would do with them. */
async function previewSyncRows(ctx: CliContext, options: RowsOptions, json: boolean): Promise<number> {
  const started = performance.now();
  const tables = await previewRowsWithParents(options);
  const rows = tables.reduce((n, t) => n + t.rows, 0);
  const seconds = (performance.now() - started) / 1000;
  if (json) {
    const shown = tables.map((t) => ({ ...t, table: displayName(t.table) }));
    ctx.stdout.write(renderJson({ dryRun: true, committed: false, tables: shown, rows, seconds, hooks: [] }, EXIT.ok, null));
  } else {
    const what = tables.length ? `${formatCount(rows)} row(s) of ${tables.length} table(s), parents first, would be upserted into ${options.target.label}` : `no row of ${options.table} matches`;
    ctx.stdout.write(`Source: ${options.source.label}\nTarget: ${options.target.label}\n\n${renderRowCounts(tables, ["would insert", "would update"])}\n\nDry run, nothing written: ${what}.\n`);
  }
  return EXIT.ok;
}

function renderRowCounts(tables: readonly SyncRowsTableResult[], [inserted, updated]: readonly [string, string]): string {
  const rows = tables.map((t) => [displayName(t.table), formatCount(t.rows), formatCount(t.inserted), formatCount(t.updated), formatCount(t.unchanged)]);
  return renderTextTable(["table", "rows", inserted, updated, "unchanged"], rows, new Set([1, 2, 3, 4]));
}

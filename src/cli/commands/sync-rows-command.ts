/** `pgferry sync --with-parents`: the CLI form of syncRows, for rows chosen by one table's --where. */
import { resolveEndpoint } from "../../config/resolve-endpoint.js";
import type { PgferryConfig } from "../../config/schema.js";
import { ConfigError } from "../../errors.js";
import { assertWritableTarget, DEFAULT_LOCK_TIMEOUT_SECONDS } from "../../execute/run-sync.js";
import { syncRows } from "../../execute/sync-rows.js";
import { displayName } from "../../model/qualified-name.js";
import type { CliContext } from "../cli-context.js";
import { askConfirmation, requireConfirmationPossible } from "../confirm-prompt.js";
import { EXIT } from "../exit-codes.js";
import { formatCount } from "../format-units.js";
import { renderTextTable } from "../render-table.js";

export interface SyncRowsCommandInput {
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly tables: readonly string[];
  /** The raw --where values, TABLE:SQL. */
  readonly where: readonly string[];
  readonly yes: boolean;
  readonly json: boolean;
  readonly lockTimeout: number | undefined;
}

export async function runSyncRowsCommand(ctx: CliContext, config: PgferryConfig, input: SyncRowsCommandInput): Promise<number> {
  if (input.tables.length !== 1 || input.where.length !== 1) {
    throw new ConfigError('--with-parents takes one table and one filter, e.g. --tables users --where "users:id = 42"');
  }
  const [table] = input.tables as [string];
  const [item] = input.where as [string];
  const colon = item.indexOf(":");
  if (colon <= 0 || item.slice(0, colon).trim() !== table) throw new ConfigError(`--where must filter the --tables table, as "${table}:SQL"`);
  const source = resolveEndpoint(input.from, "source", config);
  const target = resolveEndpoint(input.to, "target", config);
  assertWritableTarget(target);
  if (!input.yes) {
    requireConfirmationPossible(false, Boolean(ctx.stdin.isTTY && ctx.stderr.isTTY), target.label);
    if (!(await askConfirmation(`Upsert the chosen ${table} rows and the rows they reference into ${target.label}?`, ctx.stdin, ctx.stderr))) return EXIT.safety;
  }
  const result = await syncRows({
    source,
    target,
    table,
    where: item.slice(colon + 1).trim(),
    tables: config.tables,
    lockTimeoutSeconds: input.lockTimeout ?? config.sync.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_SECONDS,
    throwOnError: true,
  });
  if (input.json) ctx.stdout.write(`${JSON.stringify({ ...result, tables: result.tables.map((t) => ({ ...t, table: displayName(t.table) })) }, null, 2)}\n`);
  else {
    const rows = result.tables.map((t) => [displayName(t.table), formatCount(t.rows), formatCount(t.inserted), formatCount(t.updated), formatCount(t.unchanged)]);
    ctx.stdout.write(`${renderTextTable(["table", "rows", "inserted", "updated", "unchanged"], rows, new Set([1, 2, 3, 4]))}\n\nCommitted: ${formatCount(result.rows)} row(s) in ${result.seconds.toFixed(2)} s.\n`);
  }
  return EXIT.ok;
}

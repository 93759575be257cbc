/**
 * The work of syncRows (ops/sync-rows): chosen rows (by key or where condition) plus,
 * transitively, the rows they reference through foreign keys, upserted parents first in one
 * target transaction. Throws on failure; the job pipeline turns that into a result.
 */
import { connect } from "../pg/connect.js";
import { withTransaction } from "../pg/transaction.js";
import type { Endpoint } from "../config/resolve-endpoint.js";
import { ConfigError, SafetyError } from "../errors.js";
import { introspectCatalog } from "../introspect/introspect-catalog.js";
import { isSameDatabase } from "../introspect/query-identity.js";
import type { Catalog, Table } from "../model/catalog.js";
import type { ColumnCopy, MergeSpec } from "../model/plan.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";
import { tableSettingsLookup, userTypeLookup, type TableSettings } from "../plan/table-settings.js";
import { buildPartitionTree, collectFkEdges, loadedThrough } from "../plan/collect-fk-edges.js";
import { orderByForeignKeys } from "../plan/fk-graph.js";
import { mapColumns } from "../plan/map-columns.js";
import { planMerge } from "../plan/plan-merge.js";
import { planRowSecurity } from "../plan/plan-row-security.js";
import { planSequenceResets } from "../plan/plan-sequence-resets.js";
import { matchesPattern, parseTablePattern } from "../plan/table-pattern.js";
import { holdTargetLock, waitForTargetLock } from "../pg/advisory-lock.js";
import { describePgError } from "../pg/describe-pg-error.js";
import type { SqlSession } from "../pg/session.js";
import { checkRowTransforms, collectRows, reachableTables, type CollectedRows, type TableTransforms } from "./collect-rows.js";
import { resolveTransforms } from "../plan/plan-transforms.js";
import { strictPiiDiagnostics } from "../pii/uncovered-columns.js";
import type { TransformOptions } from "../transform/transform-spec.js";
import { renderUpsertPreview, renderUpsertRows } from "../sql/rows-sql.js";
import { DEFAULT_LOCK_TIMEOUT_SECONDS } from "./run-sync.js";
import { assertWritableTarget, connectWritable } from "./target-protection.js";
import { setDeferredSequences, setSequences } from "./set-sequences.js";
import { openSourceSnapshot } from "./source-snapshot.js";
import { applyTargetSettings } from "./target-settings.js";

export interface RowsOptions {
  readonly source: Endpoint;
  readonly target: Endpoint;
  /** The table, as in --tables but matching exactly one table: `users`, `public.users`, `"Billing"."User"`. */
  readonly table: string;
  /** Primary-key values: scalars for a one-column key, objects or arrays for a composite one. */
  readonly keys?: readonly unknown[];
  /** Or the rows matching this SQL condition on the source (your own SQL, as --where). */
  readonly where?: string;
  /** Per-table settings (pgferry.yml `tables:`): `preserve` keeps target values on update. */
  readonly tables?: Readonly<Record<string, TableSettings>>;
  /**
   * Anonymization rules and secret (pgferry.yml `transform:`); with `tables`' transforms, every
   * row is read through them, as a sync reads it. Pass them whenever the config has any.
   */
  readonly transform?: TransformOptions;
  /** Seconds to wait for locks, including a running sync's lock on the target. Default 60. */
  readonly lockTimeoutSeconds?: number;
}

/**
 * Called after the commit with the target session, which then still holds the target's lock
 * (taken for the session, not only the transaction): hooks and the history row go here.
 */
export type RowsWhileLocked = (target: SqlSession, tables: readonly SyncRowsTableResult[]) => Promise<void>;

export interface SyncRowsTableResult {
  readonly table: QualifiedName;
  readonly rows: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
}

export async function copyRowsWithParents(options: RowsOptions, whileLocked?: RowsWhileLocked): Promise<SyncRowsTableResult[]> {
  assertWritableTarget(options.target);
  const lockTimeoutSeconds = options.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS;
  return withPlannedWrites(options, (endpoint) => connectWritable(endpoint, { role: "target", lockTimeoutSeconds }), async (target, plans, catalogs) => {
    const written = await writeRows(target, plans, catalogs.source, catalogs.target, { label: options.target.label, lockTimeoutSeconds, holdLock: whileLocked !== undefined });
    await whileLocked?.(target, written);
    return written;
  });
}

/**
 * The dry run of copyRowsWithParents: the same reads and checks (rows and their parents from the
 * source, the target's tables and keys), then per table how many rows the upsert would insert,
 * update or leave unchanged, counted in a read-only transaction. Writes nothing and takes no
 * lock, so, as `sync --dry-run`, it also runs against a protected target or during a sync.
 */
export async function previewRowsWithParents(options: RowsOptions): Promise<SyncRowsTableResult[]> {
  const lockTimeoutSeconds = options.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS;
  return withPlannedWrites(options, (endpoint) => connect(endpoint.url, { role: "target", lockTimeoutSeconds }), (target, plans) =>
    withTransaction(
      target,
      async () => {
        const results: SyncRowsTableResult[] = [];
        for (const write of plans) {
          let counts: { inserted: string; updated: string } | undefined;
          try {
            [counts] = await target.query<{ inserted: string; updated: string }>(renderUpsertPreview(write.target, write.source, write.columns, write.merge), [`[${write.rows.join(",")}]`]);
          } catch (error) {
            throw new Error(`${displayName(write.target.name)}: ${describePgError(error)}`, { cause: error });
          }
          const inserted = Number(counts?.inserted ?? 0);
          const updated = Number(counts?.updated ?? 0);
          results.push({ table: write.target.name, rows: write.rows.length, inserted, updated, unchanged: write.rows.length - inserted - updated });
        }
        return results;
      },
      { readOnlySnapshot: true },
    ),
  );
}

/** Read the rows from the source (then let the snapshot go), connect the target and plan each table's upsert. */
async function withPlannedWrites<T>(
  options: RowsOptions,
  connectTarget: (endpoint: Endpoint) => Promise<SqlSession>,
  work: (target: SqlSession, plans: readonly TableWrite[], catalogs: { readonly source: Catalog; readonly target: Catalog }) => Promise<T>,
): Promise<T> {
  if ((options.keys === undefined) === (options.where === undefined)) throw new ConfigError("syncRows needs either keys or where, not both and not neither");
  const lockTimeoutSeconds = options.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS;
  const secret = options.transform?.secret;
  const source = await openSourceSnapshot(options.source.url, { lockTimeoutSeconds, ...(secret ? { transformSecret: secret } : {}) });
  let target: SqlSession | undefined;
  try {
    const sourceCatalog = await introspectCatalog(source.owner);
    const table = findTable(sourceCatalog, options.table);
    const transforms = planRowTransforms(sourceCatalog, table, options);
    await checkRowTransforms(source.owner, reachableTables(sourceCatalog, table), transforms);
    const collected = await collectRows(source.owner, sourceCatalog, table, options.keys !== undefined ? { keys: options.keys } : { where: options.where! }, transforms);
    // Everything needed from the source is read: no snapshot held open while the target is written and the hooks run.
    await source.close();
    target = await connectTarget(options.target);
    const targetCatalog = await introspectCatalog(target);
    if (isSameDatabase(sourceCatalog.identity, targetCatalog.identity)) throw new SafetyError(`source and target are the same database (${options.target.label})`);
    const plans = planWrites(collected, sourceCatalog, targetCatalog, options.tables ?? {}, transforms);
    return await work(target, plans, { source: sourceCatalog, target: targetCatalog });
  } finally {
    await source.close();
    await target?.close();
  }
}

/**
 * The transforms of every table the rows may be read from, resolved as a sync resolves them;
 * any refusal (a missing secret, a kind that is not unique-safe on a key…) stops the call
 * before a row is read.
 */
function planRowTransforms(catalog: Catalog, table: Table, options: RowsOptions): TableTransforms {
  const settingsFor = tableSettingsLookup(options.tables ?? {});
  const reached = new Set(reachableTables(catalog, table).map((t) => nameKey(t.name)));
  const input = { rules: options.transform?.rules ?? [], secret: Boolean(options.transform?.secret) };
  const resolved = resolveTransforms(catalog.tables, (name) => settingsFor(name).transform ?? {}, input, reached);
  const problem = resolved.diagnostics.find((d) => d.level === "error");
  if (!problem && options.transform?.strict) {
    // transform.strict / --strict-pii: every table the rows may be read from, as a sync's plan checks its selection.
    const uncovered = strictPiiDiagnostics(reachableTables(catalog, table), resolved.covered);
    if (uncovered.length) throw new ConfigError(`refused: ${uncovered.map((d) => `${displayName(d.table!)}: ${d.message}`).join("; ")}`);
  }
  if (problem) throw new ConfigError(`${problem.table ? `${displayName(problem.table)}: ` : ""}${problem.message}`, { ...(problem.table ? { table: problem.table } : {}) });
  return resolved.byTable;
}

function findTable(catalog: Catalog, text: string): Table {
  const pattern = parseTablePattern(text);
  const matches = catalog.tables.filter((t) => matchesPattern(pattern, t.name));
  if (matches.length !== 1) {
    throw new ConfigError(`table "${text}" must name exactly one source table; it matches ${matches.length ? matches.map((t) => displayName(t.name)).join(", ") : "none"}`);
  }
  return matches[0]!;
}

interface TableWrite {
  readonly source: Table;
  readonly target: Table;
  readonly columns: readonly ColumnCopy[];
  readonly merge: MergeSpec;
  readonly rows: readonly string[];
}

/** Per table: the copied columns and the upsert key; parents before children. Pure. */
function planWrites(collected: CollectedRows, source: Catalog, target: Catalog, settings: Readonly<Record<string, TableSettings>>, transforms: TableTransforms): TableWrite[] {
  const settingsFor = tableSettingsLookup(settings);
  const entries = [...collected.values()].filter((e) => e.rows.size > 0);
  const order = orderWrites(entries.map((e) => e.table.name), source, target);
  const typeOnTarget = userTypeLookup(target);
  return order.map((name) => {
    const entry = collected.get(nameKey(name))!;
    const onTarget = target.tables.find((t) => nameKey(t.name) === nameKey(name));
    if (!onTarget) throw new ConfigError(`${displayName(name)} does not exist on the target: run a full sync (pgferry sync) first`, { table: name });
    const table = settingsFor(name);
    const rowSecurity = planRowSecurity(entry.table, table.allowRowSecurity ?? false);
    if (rowSecurity?.level === "error") throw new ConfigError(`${displayName(name)}: ${rowSecurity.message}`, { table: name });
    const mapped = mapColumns(entry.table, onTarget, { typeOnTarget, fills: {}, addColumns: false });
    // A `default` column is left out: inserted rows get the target's default, updated ones keep their value.
    const defaulted = new Set((transforms.get(nameKey(name)) ?? []).filter((t) => t.kind === "default").map((t) => t.column));
    const mapping = { ...mapped, columns: mapped.columns.filter((c) => !defaulted.has(c.name)) };
    const merged = planMerge(onTarget, mapping.columns, { mode: "upsert", deleteMissing: false, key: table.key, preserve: table.preserve ?? [] });
    const problem = [...mapping.diagnostics, ...merged.diagnostics].find((d) => d.level === "error");
    if (problem || !merged.merge) throw new ConfigError(`${displayName(name)}: ${problem?.message ?? "cannot upsert"}`, { table: name });
    return { source: entry.table, target: onTarget, columns: mapping.columns, merge: merged.merge, rows: [...entry.rows.values()] };
  });
}

/**
 * Parents first, by the FKs of both sides that bind each table's rows, as the sync planner orders
 * a load (FKs declared on partitions and on partitioned ancestors count). Rows collected from a
 * partition of another collected table are written right after that table, whose place its FKs decide.
 */
function orderWrites(tables: readonly QualifiedName[], source: Catalog, target: Catalog): QualifiedName[] {
  const keys = new Set(tables.map(nameKey));
  const order = orderByForeignKeys(tables, collectFkEdges(source.tables, target.tables, keys)).order;
  const tree = buildPartitionTree(source.tables);
  const through = (name: QualifiedName) => nameKey(loadedThrough(name, tree, keys));
  return order.filter((n) => through(n) === nameKey(n)).flatMap((unit) => [unit, ...order.filter((n) => through(n) === nameKey(unit) && nameKey(n) !== nameKey(unit))]);
}

interface WriteSettings {
  readonly label: string;
  readonly lockTimeoutSeconds: number;
  /** Keep the target's lock after the commit, until the session closes. */
  readonly holdLock: boolean;
}

async function writeRows(target: SqlSession, writes: readonly TableWrite[], source: Catalog, targetCatalog: Catalog, settings: WriteSettings): Promise<SyncRowsTableResult[]> {
  const { label, lockTimeoutSeconds } = settings;
  const results: SyncRowsTableResult[] = [];
  const written = writes.map((w) => ({ table: w.target.name, source: w.source, keepsTargetRows: true }));
  const sequences = planSequenceResets(written, source, targetCatalog, new Set());
  const unreadable = sequences.diagnostics.find((d) => d.level === "error");
  if (unreadable?.table) throw new ConfigError(`${displayName(unreadable.table)}: ${unreadable.message}`, { table: unreadable.table });
  const set = await withTransaction(target, async () => {
    await applyTargetSettings(target, { lockTimeoutSeconds, parallelIndexWorkers: 0 });
    await waitForTargetLock(target, label);
    if (settings.holdLock) await holdTargetLock(target);
    // FKs inside a cycle of the chosen rows: deferrable ones wait for COMMIT.
    await target.query("SET CONSTRAINTS ALL DEFERRED");
    for (const write of writes) {
      try {
        const [counts] = await target.query<{ inserted: string; updated: string }>(renderUpsertRows(write.target, write.source, write.columns, write.merge), [`[${write.rows.join(",")}]`]);
        const inserted = Number(counts?.inserted ?? 0);
        const updated = Number(counts?.updated ?? 0);
        results.push({ table: write.target.name, rows: write.rows.length, inserted, updated, unchanged: write.rows.length - inserted - updated });
      } catch (error) {
        throw new Error(`${displayName(write.target.name)}: ${describePgError(error)}`, { cause: error });
      }
    }
    return setSequences(target, sequences.resets);
  });
  await setDeferredSequences(target, set.deferred);
  return results;
}

/**
 * Read the chosen rows of one table and, transitively, every row they reference through foreign
 * keys (parents first when written), all in the source's snapshot. Rows stay JSON text.
 */
import { ConfigError } from "../errors.js";
import type { Catalog, Table } from "../model/catalog.js";
import type { ColumnTransform } from "../model/plan.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";
import { bindingForeignKeys, buildPartitionTree, type PartitionTree } from "../plan/collect-fk-edges.js";
import { describePgError } from "../pg/describe-pg-error.js";
import type { SqlSession } from "../pg/session.js";
import { renderMissingKeys, renderParentRows, renderRowsByColumns, renderRowsWhere } from "../sql/rows-sql.js";

/** Rows by table (nameKey), each a map from the row's key text to its JSON text. */
export type CollectedRows = Map<string, { readonly table: Table; readonly rows: Map<string, string> }>;

export type RowSelection = { readonly keys: readonly unknown[] } | { readonly where: string };

/** Each table's transforms (nameKey → transforms): every row is read through them. */
export type TableTransforms = ReadonlyMap<string, readonly ColumnTransform[]>;

export async function collectRows(source: SqlSession, catalog: Catalog, table: Table, selection: RowSelection, transforms: TableTransforms = new Map()): Promise<CollectedRows> {
  const collected: CollectedRows = new Map();
  const tree = buildPartitionTree(catalog.tables);
  const of = (t: Table) => transforms.get(nameKey(t.name)) ?? [];
  const first = await readInitialRows(source, table, selection, of(table));
  let pending = addRows(collected, table, first);
  while (pending.length > 0) {
    const next: { table: Table; rows: string[] }[] = [];
    for (const batch of pending) {
      for (const fk of parentLinks(batch.table, tree)) {
        const parent = tree.table(fk.references);
        if (!parent) continue; // a parent the role cannot see: the target's FK will say so
        const rows = await source.query<{ row: string; key: string }>(renderParentRows(batch.table, parent, fk.columns, fk.referencedColumns, of(parent)), [`[${batch.rows.join(",")}]`]);
        const added = addRows(collected, parent, rows);
        next.push(...added);
      }
    }
    pending = next;
  }
  return collected;
}

interface ParentLink {
  readonly references: QualifiedName;
  readonly columns: readonly string[];
  readonly referencedColumns: readonly string[];
}

/**
 * The FKs that bind a table's rows, declared on it, on its partitioned ancestors or on its
 * partitions (many schemas declare them on each partition only), once per referenced table and
 * columns: partitions usually repeat the same FK. An FK declared on one partition is followed
 * from all the table's rows: a row of another partition may bring a row it does not need, which
 * exists on the source and is upserted like any other.
 */
function parentLinks(table: Table, tree: PartitionTree): ParentLink[] {
  const links = new Map<string, ParentLink>();
  for (const { constraint } of bindingForeignKeys(table.name, tree)) {
    const link = { references: constraint.references!, columns: constraint.columns, referencedColumns: constraint.referencedColumns };
    links.set(JSON.stringify([nameKey(link.references), link.columns, link.referencedColumns]), link);
  }
  return [...links.values()];
}

/**
 * Each transformed table's row read, checked with EXPLAIN before any row is read (in a savepoint,
 * as where filters are): a sql transform's expression or a constant its type rejects fails here,
 * named as a transform, not later as the where condition it is read with.
 */
export async function checkRowTransforms(source: SqlSession, tables: readonly Table[], transforms: TableTransforms): Promise<void> {
  for (const table of tables) {
    const own = transforms.get(nameKey(table.name));
    if (!own?.length) continue;
    const js = own.find((t) => t.kind === "js");
    if (js) {
      throw new ConfigError(`${displayName(table.name)}.${js.column} has a js transform, which syncRows and --with-parents do not apply (they read rows as JSON, not through the COPY row stage): sync the table with pgferry sync, or give the column a SQL kind`, { table: table.name });
    }
    await source.query("SAVEPOINT pgferry_transforms");
    try {
      await source.querySingle(`EXPLAIN ${renderRowsWhere(table, "false", own)}`);
      await source.query("RELEASE SAVEPOINT pgferry_transforms");
    } catch (error) {
      await source.query("ROLLBACK TO SAVEPOINT pgferry_transforms");
      throw new ConfigError(`transforms for ${displayName(table.name)} are not valid SQL here: ${describePgError(error)}`, { table: table.name, cause: error });
    }
  }
}

/** The table and every table its rows can pull parent rows from, transitively (the tables collectRows may read). */
export function reachableTables(catalog: Catalog, table: Table): Table[] {
  const tree = buildPartitionTree(catalog.tables);
  const seen = new Map([[nameKey(table.name), table]]);
  for (const pending = [table]; pending.length > 0; ) {
    for (const fk of parentLinks(pending.pop()!, tree)) {
      const parent = tree.table(fk.references);
      if (parent && !seen.has(nameKey(parent.name))) {
        seen.set(nameKey(parent.name), parent);
        pending.push(parent);
      }
    }
  }
  return [...seen.values()];
}

async function readInitialRows(source: SqlSession, table: Table, selection: RowSelection, transforms: readonly ColumnTransform[]): Promise<{ row: string; key: string }[]> {
  if ("where" in selection) {
    await source.query("SAVEPOINT pgferry_rows");
    try {
      const rows = await source.querySingle<{ row: string; key: string }>(renderRowsWhere(table, selection.where, transforms));
      await source.query("RELEASE SAVEPOINT pgferry_rows");
      return rows;
    } catch (error) {
      await source.query("ROLLBACK TO SAVEPOINT pgferry_rows");
      throw new ConfigError(`where condition for ${displayName(table.name)} is not valid SQL here: ${describePgError(error)}`, { table: table.name, cause: error });
    }
  }
  const key = table.constraints.find((c) => c.kind === "primary")?.columns;
  if (!key) throw new ConfigError(`${displayName(table.name)} has no primary key on the source: select its rows with a where condition`, { table: table.name });
  const objects = JSON.stringify(selection.keys.map((value) => keyObject(key, value, table)));
  // A key the source does not have is an error for the whole call (nothing is written): in the
  // "just registered" case it usually means the read went to a lagging replica, so retry later.
  const missing = await source.query<{ key: string }>(renderMissingKeys(table, key), [objects]);
  if (missing.length) {
    const shown = missing.slice(0, 5).map((m) => m.key).join(", ");
    throw new ConfigError(`${missing.length} key(s) not found in ${displayName(table.name)} on the source: ${shown}${missing.length > 5 ? ", …" : ""}; nothing was written`, { table: table.name });
  }
  return source.query<{ row: string; key: string }>(renderRowsByColumns(table, key, transforms), [objects]);
}

/** A key value as the object jsonb_populate_recordset reads: a scalar for a one-column key, else an object or array. */
function keyObject(key: readonly string[], value: unknown, table: Table): Record<string, unknown> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const missing = key.filter((k) => !(k in value));
    if (missing.length) throw new ConfigError(`key of ${displayName(table.name)} needs ${key.join(", ")}; missing ${missing.join(", ")}`, { table: table.name });
    return Object.fromEntries(key.map((k) => [k, (value as Record<string, unknown>)[k]]));
  }
  if (Array.isArray(value) && value.length === key.length) return Object.fromEntries(key.map((k, i) => [k, value[i]]));
  if (key.length === 1 && (typeof value === "string" || typeof value === "number" || typeof value === "bigint")) return { [key[0]!]: String(value) };
  throw new ConfigError(`key value ${JSON.stringify(String(value))} does not fit the key of ${displayName(table.name)} (${key.join(", ")})`, { table: table.name });
}

function addRows(collected: CollectedRows, table: Table, rows: readonly { row: string; key: string }[]): { table: Table; rows: string[] }[] {
  let entry = collected.get(nameKey(table.name));
  if (!entry) {
    entry = { table, rows: new Map() };
    collected.set(nameKey(table.name), entry);
  }
  const fresh: string[] = [];
  for (const { row, key } of rows) {
    if (entry.rows.has(key)) continue;
    entry.rows.set(key, row);
    fresh.push(row);
  }
  return fresh.length ? [{ table, rows: fresh }] : [];
}

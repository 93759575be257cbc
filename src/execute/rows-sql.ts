/**
 * SQL for syncing chosen rows (syncRows). Rows travel as one jsonb parameter (to_jsonb on the
 * source, jsonb_populate_recordset on the target), never as SQL text; JavaScript keeps them as
 * JSON text and never parses a value, so bigints and numerics stay exact. Pure.
 */
import type { Table } from "../model/catalog.js";
import type { MergeSpec } from "../model/plan.js";
import { quoteIdent, quoteIdentList, quoteQualified, quoteRelation } from "../sql/quote.js";
import { MERGE_ALIAS, renderMergeCounts, renderOnConflict } from "./copy-sql.js";

/** A row's identity for de-duplication: its key values as JSON, or the whole row without a key. */
function keyExpression(table: Table, alias: string): string {
  const key = table.constraints.find((c) => c.kind === "primary")?.columns ?? [];
  return key.length ? `jsonb_build_array(${key.map((k) => `${alias}.${quoteIdent(k)}`).join(", ")})::text` : `to_jsonb(${alias})::text`;
}

function selectRows(table: Table, alias: string): string {
  return `SELECT to_jsonb(${alias})::text AS row, ${keyExpression(table, alias)} AS key FROM ${quoteRelation(table.name, !table.partitioned)} AS ${alias}`;
}

/** Rows whose `columns` equal those of the objects in $1 (a JSON array typed as the table's rows). */
export function renderRowsByColumns(table: Table, columns: readonly string[]): string {
  const cols = columns.map((c) => `r.${quoteIdent(c)}`).join(", ");
  const wanted = columns.map((c) => `w.${quoteIdent(c)}`).join(", ");
  return `${selectRows(table, "r")} WHERE (${cols}) IN (SELECT ${wanted} FROM jsonb_populate_recordset(NULL::${quoteQualified(table.name)}, $1::jsonb) AS w)`;
}

/** The requested keys in $1 (as for renderRowsByColumns) that no row of the table has, as JSON arrays. */
export function renderMissingKeys(table: Table, columns: readonly string[]): string {
  const cols = columns.map((c) => `r.${quoteIdent(c)}`).join(", ");
  const wanted = columns.map((c) => `w.${quoteIdent(c)}`).join(", ");
  return `SELECT DISTINCT jsonb_build_array(${wanted})::text AS key FROM jsonb_populate_recordset(NULL::${quoteQualified(table.name)}, $1::jsonb) AS w
    WHERE NOT EXISTS (SELECT 1 FROM ${quoteRelation(table.name, !table.partitioned)} AS r WHERE (${cols}) = (${wanted})) ORDER BY 1`;
}

/**
 * Rows matching the caller's own SQL condition. The filter runs against the table under its own
 * name (no alias), so `users.id = 42` works as it does in --where.
 */
export function renderRowsWhere(table: Table, where: string): string {
  const key = keyExpression(table, "r");
  return `SELECT to_jsonb(r)::text AS row, ${key} AS key FROM (SELECT * FROM ${quoteRelation(table.name, !table.partitioned)} WHERE (${where})) AS r`;
}

/**
 * Parent rows a set of child rows references through one FK: the children arrive in $1 as JSON
 * and are typed as the child table's rows, so the comparison uses the real column types.
 */
export function renderParentRows(child: Table, parent: Table, columns: readonly string[], referenced: readonly string[]): string {
  const refs = referenced.map((c) => `p.${quoteIdent(c)}`).join(", ");
  const locals = columns.map((c) => `c.${quoteIdent(c)}`).join(", ");
  return `${selectRows(parent, "p")} WHERE (${refs}) IN (SELECT ${locals} FROM jsonb_populate_recordset(NULL::${quoteQualified(child.name)}, $1::jsonb) AS c)`;
}

/** Upsert the rows in $1 into the target table, typed as the target's rows (so drifted types convert). */
export function renderUpsertRows(table: Table, columns: readonly string[], merge: MergeSpec): string {
  const list = quoteIdentList(columns);
  const insert = `INSERT INTO ${quoteQualified(table.name)} AS ${MERGE_ALIAS} (${list}) OVERRIDING SYSTEM VALUE
    SELECT ${list} FROM jsonb_populate_recordset(NULL::${quoteQualified(table.name)}, $1::jsonb)`;
  return renderMergeCounts(`${insert} ${renderOnConflict(merge)}`);
}

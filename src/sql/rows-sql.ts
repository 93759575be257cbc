/**
 * SQL for syncing chosen rows (syncRows). A row travels as a JSON array of its columns' text
 * forms (each type's output function, as text COPY sends them; JSON null for SQL NULL), in the
 * source table's column order, inside one json parameter; never as SQL text. JavaScript keeps
 * rows as JSON text and never parses a value. Each value is read back with a CAST from its text
 * form, so it arrives exactly: a row as to_jsonb would lose json spacing and duplicate keys, a
 * float's -0, and the difference between a json 'null' and SQL NULL. Pure.
 */
import type { Table } from "../model/catalog.js";
import type { ColumnCopy, ColumnTransform, MergeSpec } from "../model/plan.js";
import { activeTransforms, renderTransformedColumns, type TransformedColumns } from "../transform/render-transforms.js";
import { conversionExpression } from "../plan/plan-conversion.js";
import { quoteIdent, quoteIdentList, quoteQualified, quoteRelation } from "./quote.js";
import { MERGE_ALIAS, renderMergeCounts, renderOnConflict } from "./copy-sql.js";

/** A table's transforms (syncRows reads rows through them), rendered for the row alias. */
type Transforms = readonly ColumnTransform[];

function transformed(table: Table, alias: string, transforms: Transforms): TransformedColumns | null {
  const active = activeTransforms(transforms);
  // A js transform is applied by the COPY row stage only: a row read must never carry its column untransformed.
  const js = active.find((t) => t.kind === "js");
  if (js) throw new Error(`${quoteQualified(table.name)}.${quoteIdent(js.column)}: a js transform cannot be applied to a row read`);
  return active.length ? renderTransformedColumns(active, (c) => `${alias}.${quoteIdent(c)}`) : null;
}

/**
 * A row's identity for de-duplication: its key values as JSON, or the whole row without a key;
 * with transforms, the transformed values (the original ones are never read out of the source).
 */
function keyExpression(table: Table, alias: string, t: TransformedColumns | null): string {
  const key = table.constraints.find((c) => c.kind === "primary")?.columns ?? [];
  const value = (k: string) => (t ? t.value(k) : `${alias}.${quoteIdent(k)}`);
  if (key.length) return `jsonb_build_array(${key.map(value).join(", ")})::text`;
  return t ? rowText(table, alias, t) : `to_jsonb(${alias})::text`;
}

/**
 * A row as a JSON array of text forms. format('%s') calls the type's output function (a `::text`
 * cast does not always: bpchar drops its padding, inet adds /32); num_nulls tests the value itself,
 * where IS NULL would also be true for a composite whose fields are all NULL.
 */
function rowText(table: Table, alias: string, t: TransformedColumns | null = null): string {
  const values = table.columns
    .map((c) => (t ? t.value(c.name) : `${alias}.${quoteIdent(c.name)}`))
    .map((v) => `CASE WHEN num_nulls(${v}) = 0 THEN format('%s', ${v}) END`);
  return `array_to_json(ARRAY[${values.join(", ")}]::text[])::text`;
}

function columnIndex(table: Table, column: string): number {
  const index = table.columns.findIndex((c) => c.name === column);
  if (index < 0) throw new Error(`column "${column}" is not a column of ${quoteQualified(table.name)}`);
  return index;
}

/** The text form of `column` (of `table`'s rows) inside a row element `element` made by rowText. */
function rowValue(table: Table, column: string, element: string): string {
  return `(${element} ->> ${columnIndex(table, column)})`;
}

function selectRows(table: Table, alias: string, transforms: Transforms): string {
  const t = transformed(table, alias, transforms);
  return `SELECT ${rowText(table, alias, t)} AS row, ${keyExpression(table, alias, t)} AS key FROM ${quoteRelation(table.name, !table.partitioned)} AS ${alias}${t?.from ?? ""}`;
}

/** Rows whose `columns` equal those of the objects in $1 (a JSON array typed as the table's rows). */
export function renderRowsByColumns(table: Table, columns: readonly string[], transforms: Transforms = []): string {
  const cols = columns.map((c) => `r.${quoteIdent(c)}`).join(", ");
  const wanted = columns.map((c) => `w.${quoteIdent(c)}`).join(", ");
  return `${selectRows(table, "r", transforms)} WHERE (${cols}) IN (SELECT ${wanted} FROM jsonb_populate_recordset(NULL::${quoteQualified(table.name)}, $1::jsonb) AS w)`;
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
export function renderRowsWhere(table: Table, where: string, transforms: Transforms = []): string {
  const t = transformed(table, "r", transforms);
  // The row as rowText makes it (what the upsert reads back by column position), not to_jsonb.
  return `SELECT ${rowText(table, "r", t)} AS row, ${keyExpression(table, "r", t)} AS key FROM (SELECT * FROM ${quoteRelation(table.name, !table.partitioned)} WHERE (${where})) AS r${t?.from ?? ""}`;
}

/**
 * Parent rows a set of child rows references through one FK: the children arrive in $1 as rows
 * made by rowText, and each FK column is cast back to its own type, so the comparison uses the
 * real column types.
 */
export function renderParentRows(child: Table, parent: Table, columns: readonly string[], referenced: readonly string[], transforms: Transforms = []): string {
  // The children's FK values arrive transformed; the parent's referenced columns get the same
  // transform (plan/plan-transforms makes both ends equal), so transformed keys still match.
  const t = transformed(parent, "p", transforms);
  const refs = referenced.map((c) => (t ? t.value(c) : `p.${quoteIdent(c)}`)).join(", ");
  const locals = columns.map((c) => `CAST(${rowValue(child, c, "c.v")} AS ${child.columns[columnIndex(child, c)]!.type})`).join(", ");
  return `${selectRows(parent, "p", transforms)} WHERE (${refs}) IN (SELECT ${locals} FROM json_array_elements($1::json) AS c(v))`;
}

/**
 * Upsert the rows of `source` in $1 (made by rowText) into the target table: each value is cast
 * from its text form to the column's staging type (the source's type, or text when the target
 * lacks it), then converted as a staged COPY would convert it.
 */
export function renderUpsertRows(target: Table, source: Table, columns: readonly ColumnCopy[], merge: MergeSpec): string {
  const values = columns.map((c) => conversionExpression(c.conversion, `CAST(${rowValue(source, c.name, "e.v")} AS ${c.stagingType})`, c.targetType));
  const insert = `INSERT INTO ${quoteQualified(target.name)} AS ${MERGE_ALIAS} (${quoteIdentList(columns.map((c) => c.name))}) OVERRIDING SYSTEM VALUE
    SELECT ${values.join(", ")} FROM json_array_elements($1::json) AS e(v)`;
  return renderMergeCounts(`${insert} ${renderOnConflict(merge)}`, { table: target.name, partitioned: target.partitioned, key: merge.key });
}

/**
 * What renderUpsertRows would do with the same $1, read only (a dry run): rows whose key the
 * target lacks (inserted), rows whose updated columns differ by image (updated), as the upsert's
 * ON CONFLICT … WHERE … *<> decides it. Values are cast to the target's column types, as the
 * INSERT would store them.
 */
export function renderUpsertPreview(target: Table, source: Table, columns: readonly ColumnCopy[], merge: MergeSpec): string {
  const values = columns.map((c) => `CAST(${conversionExpression(c.conversion, `CAST(${rowValue(source, c.name, "e.v")} AS ${c.stagingType})`, c.targetType)} AS ${c.targetType}) AS ${quoteIdent(c.name)}`);
  const sameKey = `(${merge.key.map((k) => `t.${quoteIdent(k)}`).join(", ")}) = (${merge.key.map((k) => `s.${quoteIdent(k)}`).join(", ")})`;
  const changed = merge.mode === "upsert" ? merge.update : [];
  const differs = changed.length
    ? `EXISTS (SELECT 1 FROM ${quoteRelation(target.name, !target.partitioned)} AS t WHERE ${sameKey} AND ROW(${changed.map((c) => `t.${quoteIdent(c)}`).join(", ")})::record OPERATOR(pg_catalog.*<>) ROW(${changed.map((c) => `s.${quoteIdent(c)}`).join(", ")})::record)`
    : "false";
  return `SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM ${quoteRelation(target.name, !target.partitioned)} AS t WHERE ${sameKey}))::int8::text AS inserted,
    count(*) FILTER (WHERE ${differs})::int8::text AS updated
    FROM (SELECT ${values.join(", ")} FROM json_array_elements($1::json) AS e(v)) AS s`;
}

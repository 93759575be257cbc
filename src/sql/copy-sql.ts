/** The COPY statements for one table. Pure: identifiers quoted, the where filter is the user's own SQL. */
import type { CopySpec, MergeSpec, TableAction } from "../model/plan.js";
import type { QualifiedName } from "../model/qualified-name.js";
import { conversionExpression } from "../plan/plan-conversion.js";
import { quoteIdent, quoteIdentList, quoteQualified, quoteRelation } from "./quote.js";

type CopyAction = Extract<TableAction, { kind: "create" | "refresh" }>;

/** FROM clause matching what COPY table TO reads: a plain table's own rows (ONLY), a partitioned table's partitions. */
export function sourceRelation(action: CopyAction): string {
  return quoteRelation(action.table, !action.source.partitioned);
}

export function renderCopyOut(action: CopyAction): string {
  const columns = quoteIdentList(action.columns.map((c) => c.name));
  const options = formatOptions(action.copy);
  if (!action.copy.viaSelect) return `COPY ${quoteQualified(action.table)} (${columns}) TO STDOUT${options}`;
  const where = action.copy.where === null ? "" : ` WHERE (${action.copy.where})`;
  return `COPY (SELECT ${columns} FROM ${sourceRelation(action)}${where}) TO STDOUT${options}`;
}

export function renderCopyIn(action: CopyAction): string {
  const columns = quoteIdentList(action.columns.map((c) => c.name));
  return `COPY ${quoteQualified(action.table)} (${columns}) FROM STDIN${formatOptions(action.copy)}`;
}

export function renderSourceCount(action: CopyAction): string {
  const where = action.copy.where === null ? "" : ` WHERE (${action.copy.where})`;
  return `SELECT count(*)::int8::text AS n FROM ${sourceRelation(action)}${where}`;
}

function formatOptions(copy: CopySpec): string {
  return copy.format === "binary" ? " (FORMAT binary)" : "";
}

/** Always in the session's temporary schema, so no user table of that name can be meant. */
export function stagingName(staging: string): string {
  return `pg_temp.${quoteIdent(staging)}`;
}

/** The staging table a drifted table loads through: the copied columns, typed for the conversion. */
export function renderCreateStaging(action: CopyAction, staging: string): string {
  const columns = action.columns.map((c) => `${quoteIdent(c.name)} ${c.stagingType}`);
  return `CREATE TEMPORARY TABLE ${stagingName(staging)} (${columns.join(", ")}) ON COMMIT DROP`;
}

export function renderCopyInStaging(action: CopyAction, staging: string): string {
  return `COPY ${stagingName(staging)} (${quoteIdentList(action.columns.map((c) => c.name))}) FROM STDIN${formatOptions(action.copy)}`;
}

/**
 * INSERT … SELECT from the staging table with each column's conversion; fills are parameters
 * cast to their column's type. OVERRIDING SYSTEM VALUE keeps the source's identity values, as COPY does.
 */
export function renderInsertFromStaging(action: CopyAction, staging: string): string {
  const { insert, select } = insertFromStaging(action, staging);
  return `${insert} ${select}`;
}

/** `INSERT INTO … (columns) OVERRIDING SYSTEM VALUE` and the `SELECT … FROM` staging (aliased s when filtered) it inserts. */
function insertFromStaging(action: CopyAction, staging: string, alias?: string, where?: string): { insert: string; select: string } {
  const names = [...action.columns.map((c) => c.name), ...action.copy.fills.map((f) => f.column)];
  const values = [
    ...action.columns.map((c) => conversionExpression(c.conversion, quoteIdent(c.name), c.targetType)),
    ...action.copy.fills.map((f, i) => `CAST($${i + 1}::text AS ${f.type})`),
  ];
  const into = alias ? `${quoteQualified(action.table)} AS ${alias}` : quoteQualified(action.table);
  const from = where ? `${stagingName(staging)} AS s WHERE ${where}` : stagingName(staging);
  return { insert: `INSERT INTO ${into} (${quoteIdentList(names)}) OVERRIDING SYSTEM VALUE`, select: `SELECT ${values.join(", ")} FROM ${from}` };
}

/** A copied column of the staging table (aliased s), converted to its target type. */
function stagedValue(action: CopyAction, name: string): string {
  const column = action.columns.find((c) => c.name === name)!;
  return conversionExpression(column.conversion, `s.${quoteIdent(name)}`, column.targetType);
}

/** The key columns of a merged table as the target sees them, and as converted from the staging table. */
function keyTuples(action: CopyAction, targetAlias: string): { target: string; staged: string } {
  const key = action.copy.merge?.key ?? [];
  return {
    target: `(${key.map((k) => `${targetAlias}.${quoteIdent(k)}`).join(", ")})`,
    staged: `(${key.map((k) => stagedValue(action, k)).join(", ")})`,
  };
}

/**
 * Upsert / insert-missing from the staging table. Rows the target already holds unchanged (same
 * key, same image of every updated column; for insert-missing, same key) are left out first by
 * one anti-join, so ON CONFLICT sees only new and changed rows: it locks (writes) every row it
 * conflicts with, even one its WHERE then skips. An upsert still rewrites a matching row only
 * when a copied value differs. Returns one row: inserted, updated, and candidates (the rows that
 * were not on the target as they are now: each must come back inserted or updated, or a trigger
 * or rule kept it off the target).
 */
export function renderMergeFromStaging(action: CopyAction, staging: string): string {
  const merge = action.copy.merge;
  if (!merge) throw new Error("renderMergeFromStaging needs a merge spec");
  const into = { table: action.table, partitioned: action.copy.intoPartitioned, key: merge.key };
  const { insert, select } = insertFromStaging(action, staging, MERGE_ALIAS, renderNotOnTarget(action));
  return renderMergeCounts(`${insert} SELECT * FROM pgferry_candidates ${renderOnConflict(merge)}`, into, {
    with: `pgferry_candidates AS MATERIALIZED (${select})`,
    select: "(SELECT count(*) FROM pgferry_candidates)::int8::text AS candidates",
  });
}

/**
 * The staged row (aliased s) is not on the target as it would be after the merge: no row with
 * its key, or (upsert) one whose updated columns differ by image, compared in the target's types.
 */
function renderNotOnTarget(action: CopyAction): string {
  const merge = action.copy.merge!;
  const keys = keyTuples(action, "t");
  const compared = merge.mode === "upsert" ? merge.update : [];
  const targetType = (name: string) => action.columns.find((c) => c.name === name)!.targetType;
  const same = compared.length
    ? ` AND ROW(${compared.map((c) => `t.${quoteIdent(c)}`).join(", ")})::record OPERATOR(pg_catalog.*=) ROW(${compared
        .map((c) => `CAST(${stagedValue(action, c)} AS ${targetType(c)})`)
        .join(", ")})::record`
    : "";
  return `NOT EXISTS (SELECT 1 FROM ${quoteRelation(action.table, !action.copy.intoPartitioned)} AS t WHERE ${keys.target} = ${keys.staged}${same})`;
}

/** The alias of the target table inside a merging INSERT. */
export const MERGE_ALIAS = "pgferry_t";

/**
 * ON CONFLICT for a merge: DO NOTHING, or DO UPDATE of the columns whose values differ.
 * "Differ" compares the stored images (`*<>`, the record image operator materialized views use
 * for REFRESH … CONCURRENTLY, 9.4+), not `=`: json, xml, point and other types have no `=` at
 * all, box and circle have an `=` that compares areas, and numeric 1.0 = 1.00; each would leave a
 * changed row as it was, or fail. The ROW(…)::record casts keep the parser from expanding the
 * comparison column by column. Both rows have the target table's column types.
 */
export function renderOnConflict(merge: Pick<MergeSpec, "mode" | "key" | "update">): string {
  const conflict = `ON CONFLICT (${quoteIdentList(merge.key)})`;
  const changed = merge.update.map(quoteIdent);
  if (merge.mode === "insert-missing" || changed.length === 0) return `${conflict} DO NOTHING`;
  const image = (alias: string) => `ROW(${changed.map((c) => `${alias}.${c}`).join(", ")})::record`;
  return (
    `${conflict} DO UPDATE SET ${changed.map((c) => `${c} = EXCLUDED.${c}`).join(", ")}` +
    ` WHERE ${image(MERGE_ALIAS)} OPERATOR(pg_catalog.*<>) ${image("EXCLUDED")}`
  );
}

/** The table a merging INSERT writes, for telling inserted rows from updated ones. */
export interface MergeTarget {
  readonly table: QualifiedName;
  readonly partitioned: boolean;
  readonly key: readonly string[];
}

/**
 * Wrap a merging INSERT (target aliased MERGE_ALIAS) so it returns one row: inserted, updated.
 * `xmax = 0` tells an inserted row from an updated one, but a partitioned table cannot return a
 * system column ("cannot retrieve a system column in this context", PostgreSQL 12–18): there a
 * returned row was updated when its key was in the table before the statement, which the main
 * query still sees (every part of a statement with a data-modifying WITH reads one snapshot).
 */
export function renderMergeCounts(insert: string, into: MergeTarget, extra?: { readonly with: string; readonly select: string }): string {
  const counts = `count(*) FILTER (WHERE inserted)::int8::text AS inserted, count(*) FILTER (WHERE NOT inserted)::int8::text AS updated${extra ? `, ${extra.select}` : ""}`;
  const prelude = extra ? `${extra.with}, ` : "";
  if (!into.partitioned) return `WITH ${prelude}merged AS (${insert} RETURNING (${MERGE_ALIAS}.xmax = 0) AS inserted) SELECT ${counts} FROM merged`;
  const returned = into.key.map((k, i) => `${MERGE_ALIAS}.${quoteIdent(k)} AS k${i}`).join(", ");
  const before = `(${into.key.map((k) => `b.${quoteIdent(k)}`).join(", ")}) = (${into.key.map((_, i) => `m.k${i}`).join(", ")})`;
  return `WITH ${prelude}merged AS (${insert} RETURNING ${returned})
    SELECT ${counts} FROM (SELECT NOT EXISTS (SELECT 1 FROM ${quoteQualified(into.table)} AS b WHERE ${before}) AS inserted FROM merged AS m) AS r`;
}

/**
 * --delete-missing: target rows (within the where filter) whose key the source no longer has.
 * The table keeps its own name (no alias), so a filter that names it (`docs.id > 10`) means
 * here what it meant on the source.
 */
export function renderDeleteMissing(action: CopyAction, staging: string): string {
  const keys = keyTuples(action, quoteQualified(action.table));
  // A replacing merge (a refresh with preserved columns, or one a merged table references) leaves nothing outside the filter, as a refresh.
  const where = action.copy.where === null || action.copy.merge?.replace ? "" : ` AND (${action.copy.where})`;
  return `DELETE FROM ${quoteRelation(action.table, !action.copy.intoPartitioned)}
    WHERE NOT EXISTS (SELECT 1 FROM ${stagingName(staging)} AS s WHERE ${keys.target} = ${keys.staged})${where}`;
}

/** The where filter as the target reads it, for checking (EXPLAIN) before --delete-missing runs it there. */
export function renderTargetFilterCheck(action: CopyAction): string {
  return `EXPLAIN SELECT 1 FROM ${quoteRelation(action.table, !action.copy.intoPartitioned)} WHERE (${action.copy.where})`;
}

/** The COPY statements for one table. Pure: identifiers quoted, the where filter is the user's own SQL. */
import type { CopySpec, TableAction } from "../model/plan.js";
import { quoteIdentList, quoteQualified, quoteRelation } from "../sql/quote.js";

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

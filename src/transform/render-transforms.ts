/**
 * A table's transforms as SQL for a source SELECT: each column's new value, and a LATERAL
 * subquery that computes each keyed hash once per row (OFFSET 0 keeps PostgreSQL from
 * flattening it into every expression that reads the hash). Its columns are named pgferry_h0…, so
 * an unqualified name in a where filter or a sql transform still means the table's column. Pure.
 */
import type { ColumnTransform } from "../model/plan.js";
import { quoteIdent } from "../sql/quote.js";
import { outputType } from "./column-type-class.js";
import { renderKeyedHash } from "./keyed-hash.js";
import { findTransformer } from "./transformer-registry.js";

export interface TransformedColumns {
  /** The SQL of a column's value in the select list: its transform, or `ref(column)`. */
  value(column: string): string;
  /** Appended to the FROM clause: `, LATERAL (…) AS pgferry_h`, or "" when no transform is keyed. */
  readonly from: string;
}

const HASHES = "pgferry_h";

export function renderTransformedColumns(transforms: readonly ColumnTransform[], ref: (column: string) => string): TransformedColumns {
  const hashes: string[] = [];
  const hashRef = (input: string): string => {
    const sql = renderKeyedHash(input);
    let index = hashes.indexOf(sql);
    if (index < 0) index = hashes.push(sql) - 1;
    return `${HASHES}.${quoteIdent(`${HASHES}${index}`)}`;
  };
  const values = new Map<string, string>();
  for (const t of transforms) {
    const transformer = findTransformer(t.kind);
    const hash =
      transformer.hashes === "value" ? hashRef(`${ref(t.column)}::text`) : transformer.hashes === "row" ? hashRef(`ROW(${(t.rowKey ?? []).map(ref).join(", ")})::text`) : "NULL";
    const sql = transformer.render(t.params, { value: ref(t.column), hash, typeClass: t.typeClass, type: outputType(t.type) });
    // default: left out of a COPY; a row read (syncRows) carries NULL in its place, never the original.
    // keep and js (applied later, in Node) read the column as it is.
    values.set(t.column, sql === null ? "NULL" : t.kind === "keep" || transformer.inNode ? sql : `CAST(${sql} AS ${outputType(t.type)})`);
  }
  const from = hashes.length ? `, LATERAL (SELECT ${hashes.map((h, i) => `${h} AS ${quoteIdent(`${HASHES}${i}`)}`).join(", ")} OFFSET 0) AS ${HASHES}` : "";
  return { value: (column) => values.get(column) ?? ref(column), from };
}

/** The transforms that change what is read (`keep` changes nothing). */
export function activeTransforms(transforms: readonly ColumnTransform[] | undefined): readonly ColumnTransform[] {
  return (transforms ?? []).filter((t) => t.kind !== "keep");
}

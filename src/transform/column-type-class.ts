/** What a transformer needs to know of a column's type: its class, its length limit, the type its output is cast to. Pure. */
import type { Column } from "../model/catalog.js";
import type { TypeClass } from "../model/plan.js";

export type { TypeClass } from "../model/plan.js";

const BY_BASE: Readonly<Record<string, TypeClass>> = {
  bytea: "bytea",
  uuid: "uuid",
  smallint: "integer",
  integer: "integer",
  bigint: "integer",
  numeric: "decimal",
  real: "decimal",
  "double precision": "decimal",
  date: "date",
  "timestamp without time zone": "timestamp",
  "timestamp with time zone": "timestamp",
  json: "json",
  jsonb: "json",
};

/** format_type without its modifier: `character varying(20)` → `character varying`, `timestamp(3) with time zone` → `timestamp with time zone`. */
function baseType(type: string): string {
  return type.replace(/\(\d+(,\d+)?\)/, "").replace(/\s+/g, " ").trim();
}

export function classifyColumn(column: Pick<Column, "type" | "category">): TypeClass {
  if (column.type.endsWith("]")) return "other"; // arrays
  if (column.category === "S") return "text";
  return BY_BASE[baseType(column.type)] ?? "other";
}

/** The declared length of a `character varying(n)` / `character(n)` column, else null. */
export function lengthLimit(type: string): number | null {
  const match = /^(?:character varying|character|varchar|bpchar)\((\d+)\)$/.exec(type);
  return match ? Number(match[1]) : null;
}

/**
 * The type a transformed value is cast to: the column's own type, but length-limited strings
 * without their limit, since an explicit cast to varchar(n) truncates silently (which could
 * make two distinct outputs equal); a value too long fails loudly on the target instead.
 */
export function outputType(type: string): string {
  if (/^character varying\(\d+\)$/.test(type)) return "character varying";
  if (/^character\(\d+\)$/.test(type)) return "bpchar";
  return type;
}

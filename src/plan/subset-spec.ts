/**
 * Subsetting as configured (pgferry.yml `subset:`): root filters, an optional share and limit
 * per root, which tables also keep the children of kept rows, and virtual foreign keys. Pure.
 */
import { ConfigError } from "../errors.js";
import { splitOutsideQuotes } from "./table-pattern.js";

export interface SubsetSpec {
  /** Table pattern → SQL condition on that table's rows (the user's own SQL, validated before use). */
  readonly roots: Readonly<Record<string, string>>;
  /** Keep this share (0–100] of each root's matching rows, chosen by a hash of the row's key. */
  readonly percent?: number;
  /** At most this many rows per root, the first by key order. */
  readonly limit?: number;
  /** true: every table keeps the rows that reference kept rows; a list: the tables matching these patterns. */
  readonly children?: boolean | readonly string[];
  /** Relations the catalog does not declare (polymorphic or undeclared FKs), followed like foreign keys. */
  readonly virtualForeignKeys?: readonly VirtualForeignKeySpec[];
}

export interface VirtualForeignKeySpec {
  /** `schema.table(column, …)`: the referencing rows. */
  readonly from: string;
  /** `schema.table(column, …)`: the referenced rows. */
  readonly to: string;
  /** Only the `from` rows matching this SQL condition reference `to` (e.g. `commentable_type = 'Post'`). */
  readonly where?: string;
}

/** `schema.table(a, b)` → the table pattern and its columns. */
export interface ColumnReference {
  readonly table: string;
  readonly columns: readonly string[];
}

export function parseColumnReference(text: string): ColumnReference {
  const open = text.indexOf("(");
  const trimmed = text.trim();
  if (open <= 0 || !trimmed.endsWith(")")) throw new ConfigError(`virtual foreign key end "${text}" must look like schema.table(column, …)`);
  const inner = trimmed.slice(trimmed.indexOf("(") + 1, -1);
  const columns = splitOutsideQuotes(inner, ",").map((c) => unquote(c.trim()));
  if (columns.some((c) => c === "")) throw new ConfigError(`virtual foreign key end "${text}" names an empty column`);
  return { table: trimmed.slice(0, trimmed.indexOf("(")).trim(), columns };
}

/** A column name as written: `"Odd ""Name"""` → `Odd "Name"`, `plain` → `plain`. */
function unquote(name: string): string {
  return name.startsWith('"') && name.endsWith('"') && name.length >= 2 ? name.slice(1, -1).replace(/""/g, '"') : name;
}

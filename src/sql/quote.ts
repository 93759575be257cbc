/**
 * The one place identifiers and DDL literals are quoted. Values in DML always travel as bind
 * parameters; literals are needed only where PostgreSQL takes no parameters (DDL such as
 * CREATE TYPE … AS ENUM). Pure: no driver import, so pure layers (ddl, plan) can use it.
 */
import type { QualifiedName } from "../model/qualified-name.js";

export function quoteIdent(identifier: string): string {
  if (identifier.length === 0) throw new Error("empty SQL identifier");
  if (identifier.includes("\u0000")) throw new Error("SQL identifier contains a NUL byte");
  return `"${identifier.replace(/"/g, '""')}"`;
}

export function quoteQualified(name: QualifiedName): string {
  return `${quoteIdent(name.schema)}.${quoteIdent(name.name)}`;
}

/** A table reference, `ONLY` when `only`: a plain table's own rows, not its INHERITS children's. */
export function quoteRelation(name: QualifiedName, only: boolean): string {
  return only ? `ONLY ${quoteQualified(name)}` : quoteQualified(name);
}

export function quoteIdentList(identifiers: readonly string[]): string {
  return identifiers.map(quoteIdent).join(", ");
}

/** A standard-conforming string literal (E'' form when it holds a backslash), for DDL only. */
export function quoteLiteral(value: string): string {
  if (value.includes("\u0000")) throw new Error("SQL literal contains a NUL byte");
  const doubled = value.replace(/'/g, "''");
  return value.includes("\\") ? `E'${doubled.replace(/\\/g, "\\\\")}'` : `'${doubled}'`;
}

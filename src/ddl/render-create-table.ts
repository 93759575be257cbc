/**
 * CREATE TABLE for the pre-data step: columns, defaults, NOT NULL, identity, generated columns and
 * valid CHECK constraints. Keys, indexes and FKs come after the data (post-data), as pg_restore does.
 */
import type { Column, Sequence, Table } from "../model/catalog.js";
import { sameName, type QualifiedName } from "../model/qualified-name.js";
import { quoteIdent, quoteQualified } from "../sql/quote.js";
import { renderSequenceOptions } from "./render-sequence.js";

export function renderCreateTable(table: Table, identitySequences: readonly Sequence[]): string {
  const name = quoteQualified(table.name);
  const create = table.unlogged ? "CREATE UNLOGGED TABLE" : "CREATE TABLE";
  const checks = inlineChecks(table);
  const partitionBy = table.partitioning.key ? ` PARTITION BY ${table.partitioning.key}` : "";
  // reloptions are name=value pairs of storage parameters (fillfactor, autovacuum_*…).
  const storage = table.options.length ? ` WITH (${table.options.join(", ")})` : "";
  const parent = table.partitioning.parent;
  if (parent && table.partitioning.bound) {
    const body = checks.length ? ` (\n  ${checks.join(",\n  ")}\n)` : "";
    return `${create} ${name} PARTITION OF ${quoteQualified(parent)}${body} ${table.partitioning.bound}${partitionBy}${storage}`;
  }
  // An INHERITS child lists only its local columns (attislocal), as pg_dump does: the others come from its parents.
  const inherits = table.inherits?.length ? ` INHERITS (${table.inherits.map(quoteQualified).join(", ")})` : "";
  const columns = inherits ? table.columns.filter((c) => c.local !== false) : table.columns;
  const lines = [...columns.map((c) => renderColumn(c, table, identitySequences)), ...checks];
  return `${create} ${name} (\n  ${lines.join(",\n  ")}\n)${inherits}${partitionBy}${storage}`;
}

function renderColumn(column: Column, table: Table, identitySequences: readonly Sequence[]): string {
  const parts = [quoteIdent(column.name), column.type];
  if (column.collation) parts.push(`COLLATE ${quoteQualified(column.collation)}`);
  if (column.generated && column.default !== null) {
    parts.push(`GENERATED ALWAYS AS (${column.default}) ${column.generated === "stored" ? "STORED" : "VIRTUAL"}`);
  } else if (column.identity) {
    const sequence = identitySequences.find((s) => s.ownedBy && sameName(s.ownedBy.table, table.name) && s.ownedBy.column === column.name);
    parts.push(identityClause(column.identity, sequence ?? null));
  } else if (column.default !== null) {
    parts.push(`DEFAULT ${column.default}`);
  }
  if (column.notNull) parts.push("NOT NULL");
  return parts.join(" ");
}

function identityClause(identity: "always" | "by default", sequence: Sequence | null): string {
  const options = sequence ? ` (SEQUENCE NAME ${quoteQualified(sequence.name)} ${renderSequenceOptions(sequence)})` : "";
  return `GENERATED ${identity === "always" ? "ALWAYS" : "BY DEFAULT"} AS IDENTITY${options}`;
}

/** Make a loaded column an identity column (catalog only: the rows are not touched). */
export function renderAddIdentity(table: QualifiedName, column: string, identity: "always" | "by default", sequence: Sequence | null): string {
  return `ALTER TABLE ${quoteQualified(table)} ALTER COLUMN ${quoteIdent(column)} ADD ${identityClause(identity, sequence)}`;
}

/**
 * A source-only column added to an existing table (--add-columns): its type, collation and, for a
 * generated column, its expression. No NOT NULL or default: the table may hold rows, and a default
 * may name a sequence the target lacks.
 */
export function renderAddColumn(table: QualifiedName, column: Column): string {
  const parts = [quoteIdent(column.name), column.type];
  if (column.collation) parts.push(`COLLATE ${quoteQualified(column.collation)}`);
  if (column.generated && column.default !== null) parts.push(`GENERATED ALWAYS AS (${column.default}) ${column.generated === "stored" ? "STORED" : "VIRTUAL"}`);
  return `ALTER TABLE ${quoteQualified(table)} ADD COLUMN ${parts.join(" ")}`;
}

/** CHECK constraints that are valid go inline; NOT VALID ones are added after the data. */
function inlineChecks(table: Table): string[] {
  return table.constraints
    .filter((c) => c.kind === "check" && !c.definition.endsWith("NOT VALID"))
    .map((c) => `CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`);
}

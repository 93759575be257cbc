/**
 * Which columns a table's COPY carries, by name (column order may differ between the sides).
 * Columns generated on the target are left out (the target computes them); identity columns
 * keep the source's values.
 */
import type { Table } from "../model/catalog.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { ColumnCopy } from "../model/plan.js";
import { displayName } from "../model/qualified-name.js";

export interface ColumnMapping {
  readonly columns: readonly ColumnCopy[];
  readonly diagnostics: readonly Diagnostic[];
  /** Binary COPY is safe: same types on both sides and no user-type oids inside values. */
  readonly binary: boolean;
  /** A mapped source column is generated: read through SELECT, which computes it. */
  readonly readsGenerated: boolean;
}

export function mapColumns(source: Table, target: Table): ColumnMapping {
  const table = source.name;
  const diagnostics: Diagnostic[] = [];
  const targetByName = new Map(target.columns.map((c) => [c.name, c]));
  const sourceNames = new Set(source.columns.map((c) => c.name));
  const columns: ColumnCopy[] = [];
  let binary = true;
  let readsGenerated = false;
  for (const column of source.columns) {
    const other = targetByName.get(column.name);
    if (!other) {
      diagnostics.push({ level: "warning", table, message: `column "${column.name}" exists only on the source: left out` });
      continue;
    }
    if (other.generated) continue;
    // COPY table TO refuses generated columns by name (12-17): SELECT computes them.
    if (column.generated) readsGenerated = true;
    if (column.type !== other.type) {
      diagnostics.push({
        level: "warning",
        table,
        message: `column "${column.name}" is ${column.type} on the source and ${other.type} on the target: copied as text, converted by the target`,
      });
      binary = false;
    }
    if (!column.binaryPortable || !other.binaryPortable) binary = false;
    columns.push({ name: column.name, sourceType: column.type, targetType: other.type });
  }
  for (const column of target.columns) {
    if (sourceNames.has(column.name) || column.generated) continue;
    if (column.notNull && column.default === null && !column.identity) {
      diagnostics.push({
        level: "error",
        table,
        message: `target column "${column.name}" is NOT NULL without a default and does not exist on the source`,
      });
    } else {
      diagnostics.push({ level: "info", table, message: `column "${column.name}" exists only on the target: filled by its default` });
    }
  }
  if (columns.length === 0) {
    diagnostics.push({ level: "error", table, message: `no column of ${displayName(table)} exists on both sides` });
  }
  return { columns, diagnostics, binary, readsGenerated };
}

/**
 * Which columns a table's COPY carries, by name (column order may differ between the sides), and
 * how each drifted column is converted. Columns generated on the target are left out (the target
 * computes them); identity columns keep the source's values. Every difference is a drift
 * diagnostic, fatal under --strict.
 */
import type { Column, Table } from "../model/catalog.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { ColumnCopy, ColumnFill } from "../model/plan.js";
import { displayName, type QualifiedName } from "../model/qualified-name.js";
import { planConversion } from "./plan-conversion.js";

export interface ColumnMappingOptions {
  /** The named user type (enum, domain, composite) exists on the target. */
  readonly typeOnTarget: (type: QualifiedName) => boolean;
  /** Configured values for target-only columns, by column name (null sets NULL). */
  readonly fills: Readonly<Record<string, string | null>>;
  /** Add source-only columns to the target table instead of leaving them out. */
  readonly addColumns: boolean;
}

export interface ColumnMapping {
  readonly columns: readonly ColumnCopy[];
  readonly diagnostics: readonly Diagnostic[];
  /** Binary COPY is safe: same types on both sides and no user-type oids inside values. */
  readonly binary: boolean;
  /** A mapped source column is generated: read through SELECT, which computes it. */
  readonly readsGenerated: boolean;
  /** Rows go through a staging table (a conversion or a fill needs SQL). */
  readonly staged: boolean;
  readonly fills: readonly ColumnFill[];
  /** Source-only columns to add to the target table before the load (--add-columns). */
  readonly added: readonly Column[];
}

export function mapColumns(source: Table, target: Table, options: ColumnMappingOptions): ColumnMapping {
  const table = source.name;
  const diagnostics: Diagnostic[] = [];
  const drift = (level: Diagnostic["level"], message: string) => diagnostics.push({ level, table, message, drift: true });
  const targetByName = new Map(target.columns.map((c) => [c.name, c]));
  const sourceNames = new Set(source.columns.map((c) => c.name));
  const columns: ColumnCopy[] = [];
  const added: Column[] = [];
  let readsGenerated = false;
  for (const column of source.columns) {
    const other = targetByName.get(column.name);
    if (!other) {
      if (!options.addColumns) {
        drift("warning", `column "${column.name}" (${column.type}) exists only on the source: left out (--add-columns adds it)`);
        continue;
      }
      added.push(column);
      drift("warning", `column "${column.name}" (${column.type}) exists only on the source: added to the target${column.generated ? "" : " as a nullable column without default"}`);
      if (column.generated) continue;
      columns.push({ name: column.name, sourceType: column.type, targetType: column.type, conversion: "none", stagingType: column.type });
      continue;
    }
    if (other.generated) continue;
    // COPY table TO refuses generated columns by name (12-17): SELECT computes them.
    if (column.generated) readsGenerated = true;
    const typeOnTarget = column.userType === null || options.typeOnTarget(column.userType);
    const planned = planConversion(column, other, typeOnTarget);
    if (planned.conversion !== "none") {
      drift("warning", `column "${column.name}" is ${column.type} on the source and ${other.type} on the target: converted (${planned.explanation})`);
    }
    columns.push({ name: column.name, sourceType: column.type, targetType: other.type, conversion: planned.conversion, stagingType: planned.stagingType });
  }
  const fills = planFills(source, target, sourceNames, options, diagnostics);
  if (columns.length === 0) {
    diagnostics.push({ level: "error", table, message: `no column of ${displayName(table)} exists on both sides` });
  }
  const staged = fills.length > 0 || columns.some((c) => c.conversion === "to-jsonb" || c.conversion === "cast");
  const portable = (name: string) => (source.columns.find((c) => c.name === name)?.binaryPortable ?? false) && (targetByName.get(name)?.binaryPortable ?? true);
  const binary = staged
    ? columns.every((c) => c.stagingType === c.sourceType && portable(c.name))
    : columns.every((c) => c.conversion === "none" && portable(c.name));
  return { columns, diagnostics, binary, readsGenerated, staged, fills, added };
}

/** Target-only columns: the default fills them, a configured value does, or the table cannot load. */
function planFills(source: Table, target: Table, sourceNames: ReadonlySet<string>, options: ColumnMappingOptions, diagnostics: Diagnostic[]): ColumnFill[] {
  const table = source.name;
  const fills: ColumnFill[] = [];
  for (const [name, value] of Object.entries(options.fills)) {
    const column = target.columns.find((c) => c.name === name);
    const problem = !column
      ? "the target table has no such column"
      : sourceNames.has(name)
        ? "the column exists on the source too, whose values are copied"
        : column.generated
          ? "the column is generated on the target"
          : null;
    if (problem) {
      diagnostics.push({ level: "error", table, message: `a fill value is configured for column "${name}", but ${problem}` });
    } else if (column) {
      fills.push({ column: name, type: column.type, value });
      diagnostics.push({ level: "info", table, message: `column "${name}" exists only on the target: set to the configured value`, drift: true });
    }
  }
  for (const column of target.columns) {
    if (sourceNames.has(column.name) || column.generated || column.name in options.fills) continue;
    if (column.notNull && column.default === null && !column.identity) {
      diagnostics.push({
        level: "error",
        table,
        message: `target column "${column.name}" is NOT NULL without a default and does not exist on the source: configure a value (tables."${displayName(table)}".fill.${column.name}) or add a default`,
        drift: true,
      });
    } else {
      diagnostics.push({ level: "info", table, message: `column "${column.name}" exists only on the target: filled by its default`, drift: true });
    }
  }
  return fills;
}

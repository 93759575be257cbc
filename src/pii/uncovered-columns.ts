/**
 * Columns whose names look like personal data and that no transform covers: not a
 * `tables.<pattern>.transform` entry, not a `transform.rules` match, not inherited through an FK
 * (`keep` counts: it marks a column as reviewed). Pure: what `--strict-pii` refuses, and the name
 * half of `pgferry pii scan`.
 */
import type { Table } from "../model/catalog.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { nameKey } from "../model/qualified-name.js";
import { piiByName, suggestKind, type PiiCategory } from "./pii-detect.js";

export interface UncoveredColumn {
  readonly table: Table;
  readonly column: string;
  readonly type: string;
  readonly category: PiiCategory;
  readonly suggested: string;
}

export function uncoveredByName(tables: readonly Table[], covered: ReadonlyMap<string, ReadonlySet<string>>): UncoveredColumn[] {
  const found: UncoveredColumn[] = [];
  for (const table of tables) {
    const done = covered.get(nameKey(table.name));
    for (const column of table.columns) {
      if (done?.has(column.name) || column.generated) continue;
      const category = piiByName(column);
      if (category) found.push({ table, column: column.name, type: column.type, category, suggested: suggestKind(category, column) });
    }
  }
  return found;
}

/** --strict-pii / transform.strict: one refusal per uncovered column. */
export function strictPiiDiagnostics(tables: readonly Table[], covered: ReadonlyMap<string, ReadonlySet<string>>): Diagnostic[] {
  return uncoveredByName(tables, covered).map((u) => ({
    level: "error",
    table: u.table.name,
    message: `column "${u.column}" looks like personal data (${u.category}) and has no transform: configure one (e.g. kind ${u.suggested}), or kind keep to mark it reviewed [--strict-pii]`,
  }));
}

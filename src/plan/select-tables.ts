/** Which source tables a run touches: include/exclude patterns and per-table where filters. */
import { ConfigError } from "../errors.js";
import type { Catalog, Table } from "../model/catalog.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { displayName, nameKey } from "../model/qualified-name.js";
import { matchesPattern, parseTablePattern } from "./table-pattern.js";

export interface Selection {
  /** Patterns to include; empty means every table. */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Left out without a warning when they match nothing: pgferry's own tables (the run history). */
  readonly excludeQuietly?: readonly string[];
  /** Pattern → SQL condition applied on the source; a pattern that matches no selected table is an error (given on the command line). */
  readonly where: Readonly<Record<string, string>>;
  /**
   * Pattern → SQL condition from pgferry.yml's sync.where: applies to the tables it names when the
   * selection includes them, else to nothing; `where` overrides it for a table both name.
   */
  readonly defaultWhere?: Readonly<Record<string, string>>;
}

export interface SelectedTables {
  readonly tables: readonly Table[];
  readonly diagnostics: readonly Diagnostic[];
  /** nameKey → where condition. */
  readonly where: ReadonlyMap<string, string>;
}

export function selectTables(source: Catalog, selection: Selection): SelectedTables {
  const include = selection.include.map(parseTablePattern);
  const exclude = selection.exclude.map(parseTablePattern);
  for (const pattern of include) {
    if (!source.tables.some((t) => matchesPattern(pattern, t.name))) {
      throw new ConfigError(`table pattern "${pattern.text}" matches no table in the source`);
    }
  }
  const included = (t: Table) => include.length === 0 || include.some((p) => matchesPattern(p, t.name));
  const quiet = (selection.excludeQuietly ?? []).map(parseTablePattern);
  const excluded = (t: Table) => exclude.some((p) => matchesPattern(p, t.name)) || quiet.some((p) => matchesPattern(p, t.name));
  const chosen = source.tables.filter((t) => included(t) && !excluded(t));
  for (const table of source.tables) {
    const parent = table.partitioning.parent;
    if (parent && excluded(table) && chosen.some((t) => nameKey(t.name) === nameKey(parent))) {
      throw new ConfigError(
        `cannot exclude partition ${displayName(table.name)} while its parent ${displayName(parent)} is selected: the parent's rows are read through all its partitions`,
      );
    }
  }
  const withPartitions = addPartitionsOfSelectedParents(source, chosen);
  if (withPartitions.length === 0) throw new ConfigError("the selection matches no table in the source");
  const diagnostics: Diagnostic[] = exclude
    .filter((p) => !source.tables.some((t) => matchesPattern(p, t.name)))
    .map((p) => ({ level: "warning", message: `exclude pattern "${p.text}" matches no table in the source` }));
  const defaults = Object.keys(selection.defaultWhere ?? {}).map(parseTablePattern);
  for (const pattern of defaults.filter((p) => !source.tables.some((t) => matchesPattern(p, t.name)))) {
    diagnostics.push({ level: "warning", message: `sync.where filter for "${pattern.text}" in pgferry.yml matches no table in the source` });
  }
  const where = new Map([...assignWhere(withPartitions, selection.defaultWhere ?? {}, false), ...assignWhere(withPartitions, selection.where, true)]);
  return { tables: withPartitions, where, diagnostics };
}

/**
 * A selected partitioned table brings all its partitions: its rows live there and are read
 * through it, so a partition cannot be left out while its parent is in (that would be refused
 * by name, not silently copied anyway).
 */
function addPartitionsOfSelectedParents(source: Catalog, chosen: readonly Table[]): Table[] {
  const selected = new Set(chosen.map((t) => nameKey(t.name)));
  let grew = true;
  while (grew) {
    grew = false;
    for (const table of source.tables) {
      const parent = table.partitioning.parent;
      if (parent && selected.has(nameKey(parent)) && !selected.has(nameKey(table.name))) {
        selected.add(nameKey(table.name));
        grew = true;
      }
    }
  }
  return source.tables.filter((t) => selected.has(nameKey(t.name)));
}

/** Each table's condition; `strict` refuses a pattern that matches no selected table. */
function assignWhere(tables: readonly Table[], where: Readonly<Record<string, string>>, strict: boolean): Map<string, string> {
  const assigned = new Map<string, string>();
  for (const [patternText, condition] of Object.entries(where)) {
    const pattern = parseTablePattern(patternText);
    const matched = tables.filter((t) => matchesPattern(pattern, t.name));
    if (matched.length === 0 && strict) throw new ConfigError(`where filter for "${patternText}" matches no selected table`);
    for (const table of matched) {
      if (assigned.has(nameKey(table.name))) {
        throw new ConfigError(`table ${displayName(table.name)} has more than one where filter`);
      }
      assigned.set(nameKey(table.name), condition);
    }
  }
  return assigned;
}

/** Per-table settings from pgferry.yml `tables:`, keyed by table pattern, and their lookup. Pure. */
import type { Catalog } from "../model/catalog.js";
import type { SyncMode } from "../model/plan.js";
import { nameKey, type QualifiedName } from "../model/qualified-name.js";
import { matchesPattern, parseTablePattern } from "./table-pattern.js";

export interface TableSettings {
  /** How the table receives rows when it exists on the target, over the run's mode. */
  readonly mode?: SyncMode;
  /** With upsert: delete target rows whose key the source no longer has, over the run's setting. */
  readonly deleteMissing?: boolean;
  /** Values for target-only columns. */
  readonly fill?: Readonly<Record<string, string | null>>;
  /** The key upsert / insert-missing match on, for tables without a primary key. */
  readonly key?: readonly string[];
  /** Columns whose target values upsert keeps for rows that match by key. */
  readonly preserve?: readonly string[];
  /** Copy the table even when row-level security hides some of its rows from the source role. */
  readonly allowRowSecurity?: boolean;
}

/** The settings of every pattern matching a table, merged in the config's order (later wins). */
export function tableSettingsLookup(tables: Readonly<Record<string, TableSettings>>): (table: QualifiedName) => TableSettings {
  const patterns = Object.entries(tables).map(([pattern, settings]) => ({ pattern: parseTablePattern(pattern), settings }));
  return (table) => Object.assign({}, ...patterns.filter((p) => matchesPattern(p.pattern, table)).map((p) => p.settings)) as TableSettings;
}

/** Whether a user type (enum, domain, composite, range) exists on the target, by name. */
export function userTypeLookup(target: Catalog): (type: QualifiedName) => boolean {
  const names = new Set([...target.enums, ...target.domains, ...target.composites, ...(target.ranges ?? [])].map((t) => nameKey(t.name)));
  return (type) => names.has(nameKey(type));
}

/**
 * Schemas a run syncs whole: every table of theirs is selected. In such a schema the run creates
 * every object the target lacks (functions, procedures, aggregates, types, sequences, views…),
 * not only what the selected tables use, so the target ends up as the source (`pgferry diff`
 * finds nothing). A partial selection creates only what its tables need. Pure.
 */
import type { Catalog, Table } from "../model/catalog.js";
import { nameKey } from "../model/qualified-name.js";
import type { Selection } from "./select-tables.js";

export function wholeSchemas(source: Catalog, selection: Selection, selected: readonly Table[]): ReadonlySet<string> {
  const chosen = new Set(selected.map((t) => nameKey(t.name)));
  const partial = new Set(source.tables.filter((t) => !chosen.has(nameKey(t.name))).map((t) => t.name.schema));
  // A whole-database selection (no include pattern) takes every schema, also those without tables
  // (a schema of functions only); with patterns, a schema counts once one of its tables is chosen.
  const candidates = selection.include.length === 0 ? source.schemas : [...new Set(selected.map((t) => t.name.schema))];
  return new Set(candidates.filter((schema) => !partial.has(schema)));
}

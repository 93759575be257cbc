/**
 * Which views, functions and extensions `pgferry diff` compares for a table selection: the same
 * ones a sync of that selection creates, so a diff right after a successful sync finds nothing.
 * Without a filter, everything. With one: every object of a schema synced whole; elsewhere the
 * views that read only chosen tables (or such views), the functions the chosen tables and those
 * views call (with an aggregate's support functions), and the extensions they use. Pure.
 */
import type { Catalog, FunctionDef, View } from "../model/catalog.js";
import { nameKey, type QualifiedName } from "../model/qualified-name.js";

export interface DiffScope {
  readonly view: (view: View) => boolean;
  readonly function: (fn: FunctionDef) => boolean;
  readonly extension: (name: string) => boolean;
}

export function diffScope(source: Catalog, target: Catalog, filter: ((name: QualifiedName) => boolean) | undefined, wholeSchemas: ReadonlySet<string>): DiffScope {
  if (!filter) return { view: () => true, function: () => true, extension: () => true };
  const inWhole = (o: { name: QualifiedName }) => wholeSchemas.has(o.name.schema);
  const allViews = [...source.views, ...target.views];
  const viewKeys = new Set(allViews.map((v) => nameKey(v.name)));
  const tables = [...source.tables, ...target.tables].filter((t) => filter(t.name));
  const tableKeys = new Set(tables.map((t) => nameKey(t.name)));
  // A view is in scope once everything it reads is a chosen table or a view in scope.
  const views = new Set(allViews.filter(inWhole).map((v) => nameKey(v.name)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const view of allViews) {
      const key = nameKey(view.name);
      if (views.has(key) || view.relations.length === 0) continue;
      const reads = view.relations.filter((r) => nameKey(r) !== key);
      if (reads.some((r) => tableKeys.has(nameKey(r))) && reads.every((r) => tableKeys.has(nameKey(r)) || (viewKeys.has(nameKey(r)) && views.has(nameKey(r))))) {
        views.add(key);
        grew = true;
      }
    }
  }
  const chosenViews = allViews.filter((v) => views.has(nameKey(v.name)));
  const functions = new Set([...tables.flatMap((t) => t.functions), ...chosenViews.flatMap((v) => v.functions)]);
  for (const fn of [...source.functions, ...target.functions]) {
    if (functions.has(fn.key)) for (const support of fn.aggregate?.functions ?? []) functions.add(support);
  }
  const extensions = new Set([...tables.flatMap((t) => t.extensions), ...chosenViews.flatMap((v) => v.extensions ?? [])]);
  return {
    view: (v) => views.has(nameKey(v.name)),
    function: (f) => inWhole(f) || functions.has(f.key),
    extension: (name) => extensions.has(name),
  };
}

/**
 * Schemas a diff of this selection treats as synced whole: none of their tables (on either side)
 * is filtered out; without include patterns also those without tables, as a sync does.
 */
export function diffWholeSchemas(source: Catalog, target: Catalog, filter: (name: QualifiedName) => boolean, includeGiven: boolean): ReadonlySet<string> {
  const tables = [...source.tables, ...target.tables];
  const partial = new Set(tables.filter((t) => !filter(t.name)).map((t) => t.name.schema));
  const candidates = includeGiven ? tables.filter((t) => filter(t.name)).map((t) => t.name.schema) : [...source.schemas, ...target.schemas];
  return new Set(candidates.filter((schema) => !partial.has(schema)));
}

/**
 * Views and materialized views to create: those missing on the target that read only tables
 * created by this run (directly or through other such views), in dependency order. In a schema
 * synced whole, every view missing on the target is created: also one over tables the target
 * already has, one reading only other views, or one whose tables pg_depend cannot see (a
 * `crosstab('SELECT … FROM …')` hides them in a string: views come after the data and after every
 * created table, so those exist). A view that reads something the run does not create is
 * reported, never dropped silently. Pure.
 */
import type { Catalog, Table, View } from "../model/catalog.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { displayName, nameKey } from "../model/qualified-name.js";

export interface CreatedViewsOptions {
  /** Schemas synced whole (plan/whole-schemas). */
  readonly wholeSchemas?: ReadonlySet<string>;
  /** nameKeys of relations that exist once the pre-data is done besides the created tables: the target's, and sequences the run creates. */
  readonly existing?: ReadonlySet<string>;
  /** nameKeys of target tables whose columns differ from the source's: a view over one could fail, so it is not created. */
  readonly drifted?: ReadonlySet<string>;
}

export function planCreatedViews(created: readonly Table[], source: Catalog, target: Catalog, diagnostics: Diagnostic[], options: CreatedViewsOptions = {}): View[] {
  const whole = options.wholeSchemas ?? new Set<string>();
  const existing = options.existing ?? new Set<string>();
  const drifted = options.drifted ?? new Set<string>();
  const createdKeys = new Set(created.map((t) => nameKey(t.name)));
  const onTarget = new Set([...target.views, ...target.tables].map((v) => nameKey(v.name)));
  const candidates = source.views.filter((v) => !onTarget.has(nameKey(v.name)));
  const byKey = new Map(source.views.map((v) => [nameKey(v.name), v]));

  const touchesCreated = new Map<string, boolean>();
  const touches = (view: View, seen = new Set<string>()): boolean => {
    const key = nameKey(view.name);
    if (touchesCreated.has(key)) return touchesCreated.get(key)!;
    if (seen.has(key)) return false;
    seen.add(key);
    const result = view.relations.some((r) => createdKeys.has(nameKey(r)) || (byKey.has(nameKey(r)) && touches(byKey.get(nameKey(r))!, seen)));
    touchesCreated.set(key, result);
    return result;
  };

  const ordered: View[] = [];
  const placed = new Set<string>();
  const inWhole = (view: View) => whole.has(view.name.schema);
  // A view of a whole schema may read what the target already has; another only what the run creates.
  const available = (view: View, key: string) => createdKeys.has(key) || placed.has(key) || (inWhole(view) && existing.has(key) && !drifted.has(key));
  let pending = candidates.filter((v) => inWhole(v) || touches(v));
  // Place a view once everything it reads is created by the run (or, in a whole schema, exists) or is a view already placed.
  for (let progress = true; progress && pending.length > 0; ) {
    progress = false;
    const next: View[] = [];
    for (const view of pending) {
      const ready = view.relations.every((r) => nameKey(r) === nameKey(view.name) || available(view, nameKey(r)));
      if (ready) {
        ordered.push(view);
        placed.add(nameKey(view.name));
        progress = true;
      } else next.push(view);
    }
    pending = next;
  }
  // A partial selection does not create a view pg_depend sees reading no table, but one that calls
  // an extension's function (a crosstab's query string) may read the created tables: say so.
  const createdSchemas = new Set(created.map((t) => t.name.schema));
  for (const view of candidates) {
    if (inWhole(view) || touches(view) || !createdSchemas.has(view.name.schema)) continue;
    if (view.relations.some((r) => nameKey(r) !== nameKey(view.name)) || !(view.extensions ?? []).length) continue;
    diagnostics.push({
      level: "warning",
      table: view.name,
      message: `${view.materialized ? "materialized view" : "view"} not created: it reads no table pg_depend can see (an extension's function such as crosstab may read them from a string), and only a sync of its whole schema creates such a view`,
    });
  }
  for (const view of pending) {
    const unavailable = view.relations.filter((r) => nameKey(r) !== nameKey(view.name) && !available(view, nameKey(r)));
    const differing = unavailable.filter((r) => inWhole(view) && drifted.has(nameKey(r))).map(displayName);
    const missing = unavailable.filter((r) => !(inWhole(view) && drifted.has(nameKey(r)))).map(displayName);
    const what = view.materialized ? "materialized view" : "view";
    diagnostics.push({
      level: "warning",
      table: view.name,
      message: missing.length
        ? `${what} not created: it also reads ${missing.join(", ")}, which this run does not create`
        : `${what} not created: it reads ${differing.join(", ")}, whose columns differ on the target (see pgferry diff)`,
    });
  }
  return ordered;
}

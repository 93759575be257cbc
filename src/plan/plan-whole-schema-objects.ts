/**
 * What a schema synced whole needs beyond its tables: every function, procedure and aggregate,
 * enum, domain, composite and range type and free-standing sequence of the schema that the target lacks
 * (used by a table or not), and for a whole-database sync every extension of the source. They
 * are returned as needs for the planners that already create such objects for tables, so order,
 * comments and refusals stay in one place. Pure.
 */
import type { Catalog, Sequence } from "../model/catalog.js";
import { nameKey, type QualifiedName } from "../model/qualified-name.js";
import type { TypeNeed } from "./plan-created-types.js";

export interface WholeSchemaNeeds {
  readonly types: readonly TypeNeed[];
  /** Users of functions and extensions, in the shape planFunctions and planExtensions take. */
  readonly users: readonly { readonly name: QualifiedName; readonly functions: readonly string[]; readonly extensions: readonly string[] }[];
  /** Free-standing sequences (no owner, no identity) missing on the target: created and set to the source's position. */
  readonly sequences: readonly Sequence[];
}

/** Every source schema is synced whole: the run also creates the source's extensions. */
export function isWholeDatabase(source: Catalog, wholeSchemas: ReadonlySet<string>): boolean {
  return wholeSchemas.size > 0 && source.schemas.every((schema) => wholeSchemas.has(schema));
}

export function wholeSchemaNeeds(source: Catalog, target: Catalog, wholeSchemas: ReadonlySet<string>): WholeSchemaNeeds {
  if (wholeSchemas.size === 0) return { types: [], users: [], sequences: [] };
  const inWhole = (o: { name: QualifiedName }) => wholeSchemas.has(o.name.schema);
  const types = [...source.enums, ...source.domains, ...source.composites, ...(source.ranges ?? [])].filter(inWhole).map((t) => ({ type: t.name, table: t.name }));
  const users: { name: QualifiedName; functions: readonly string[]; extensions: readonly string[] }[] = source.functions
    .filter(inWhole)
    .map((f) => ({ name: f.name, functions: [f.key], extensions: [] }));
  if (isWholeDatabase(source, wholeSchemas)) {
    // plpgsql is in every database from the start (and in pg_catalog, no user schema).
    for (const extension of source.extensions.filter((e) => e.name !== "plpgsql")) {
      users.push({ name: { schema: extension.schema, name: extension.name }, functions: [], extensions: [extension.name] });
    }
  }
  const onTarget = new Set(target.sequences.map((s) => nameKey(s.name)));
  const sequences = source.sequences.filter((s) => inWhole(s) && !s.identity && !s.ownedBy && !onTarget.has(nameKey(s.name)));
  return { types, users, sequences };
}

/** Target tables that lack a source column or type it differently: a view over them may not apply there. */
export function driftedTables(source: Catalog, target: Catalog): ReadonlySet<string> {
  const sourceByKey = new Map(source.tables.map((t) => [nameKey(t.name), t]));
  const drifted = new Set<string>();
  for (const table of target.tables) {
    const from = sourceByKey.get(nameKey(table.name));
    if (!from) continue;
    const types = new Map(table.columns.map((c) => [c.name, c.type]));
    if (from.columns.some((c) => types.get(c.name) !== c.type)) drifted.add(nameKey(table.name));
  }
  return drifted;
}

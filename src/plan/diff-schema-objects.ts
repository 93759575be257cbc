/**
 * Compare user collations, text search dictionaries and configurations, operators, operator
 * families and classes of two catalogs: on one side only, or (within one major version, whose
 * catalogs describe them alike) defined differently. Pure.
 */
import type { Catalog } from "../model/catalog.js";
import type { DriftItem } from "../model/schema-diff.js";
import { NO_SCHEMA_OBJECTS, schemaObjectKey, type SchemaObjectKind, type SchemaObjects } from "../model/schema-objects.js";
import type { QualifiedName } from "../model/qualified-name.js";
import { renderSchemaObjectCommands, type SchemaObjectStatement } from "../ddl/render-schema-objects.js";

interface Described {
  readonly kind: SchemaObjectKind;
  readonly owner: QualifiedName;
  readonly name: string | null;
  /** Its DDL, comment left out. */
  readonly definition: string;
}

export function diffSchemaObjects(source: Catalog, target: Catalog, compareDefinitions: boolean): DriftItem[] {
  // A manifest from before these objects were read says nothing about them: compare nothing.
  if (!source.schemaObjects || !target.schemaObjects) return [];
  const a = describeAll(source.schemaObjects);
  const b = describeAll(target.schemaObjects);
  const items: DriftItem[] = [];
  for (const [key, x] of a) {
    const y = b.get(key);
    if (!y) items.push({ kind: x.kind, owner: x.owner, name: x.name, change: "only-source", details: [] });
    else if (compareDefinitions && x.definition !== y.definition) items.push({ kind: x.kind, owner: x.owner, name: x.name, change: "differs", details: ["definition differs"] });
  }
  for (const [key, y] of b) if (!a.has(key)) items.push({ kind: y.kind, owner: y.owner, name: y.name, change: "only-target", details: [] });
  return items;
}

function describeAll(objects: SchemaObjects = NO_SCHEMA_OBJECTS): Map<string, Described> {
  const entries: [string, Described][] = [];
  const add = (kind: SchemaObjectKind, key: string, owner: QualifiedName, name: string | null, statement: SchemaObjectStatement) =>
    entries.push([`${kind}\n${key}`, { kind, owner, name, definition: renderSchemaObjectCommands(statement).join(";\n") }]);
  for (const c of objects.collations) add("collation", schemaObjectKey(c.name), c.name, null, { kind: "create-collation", collation: c });
  for (const o of objects.operators) add("operator", o.key, o.name, `${o.left ?? "NONE"}, ${o.right ?? "NONE"}`, { kind: "create-operator", operator: o });
  for (const f of objects.operatorFamilies) add("operator family", schemaObjectKey(f.name, f.method), f.name, `USING ${f.method}`, { kind: "create-operator-family", family: f });
  for (const c of objects.operatorClasses) add("operator class", schemaObjectKey(c.name, c.method), c.name, `USING ${c.method}`, { kind: "create-operator-class", operatorClass: c });
  for (const d of objects.textSearchDictionaries) add("text search dictionary", schemaObjectKey(d.name), d.name, null, { kind: "create-text-search-dictionary", dictionary: d });
  for (const c of objects.textSearchConfigurations) {
    add("text search configuration", schemaObjectKey(c.name), c.name, null, { kind: "create-text-search-configuration", configuration: c });
  }
  return new Map(entries);
}

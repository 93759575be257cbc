/**
 * Compare two catalogs object by object: tables, columns, constraints, indexes, sequences, enums
 * and domains. Pure. Values that change with the data (sequence positions, sizes) are ignored.
 */
import type { Catalog, Column, CompositeType, DomainType, EnumType, FunctionDef, RangeType, Sequence, Table, View } from "../model/catalog.js";
import { qualifiedName } from "../model/qualified-name.js";
import { nameKey, type QualifiedName } from "../model/qualified-name.js";
import type { DriftItem, DriftObjectKind } from "../model/schema-diff.js";
import { columnPropertyDetails, diffSchemaComments, diffTableProperties, indexPropertyDetails } from "./diff-table-properties.js";
import { diffSchemaObjects } from "./diff-schema-objects.js";
import { diffScope } from "./diff-scope.js";

/** Which tables to compare (both sides). */
export type TableFilter = (name: QualifiedName) => boolean;

/**
 * Without a filter every object is compared. With one, what a sync of the same selection creates:
 * the chosen tables, the sequences they own, the types their columns use, the views that read
 * only them, the functions and extensions those use, and every object of a schema synced whole
 * (`wholeSchemas`: no table of it is filtered out, see plan/diff-scope).
 */
export function diffCatalogs(source: Catalog, target: Catalog, filter?: TableFilter, wholeSchemas: ReadonlySet<string> = new Set()): DriftItem[] {
  const items: DriftItem[] = [];
  const include = filter ?? (() => true);
  const sourceTables = source.tables.filter((t) => include(t.name));
  const targetTables = target.tables.filter((t) => include(t.name));
  const typesUsed = new Set([...sourceTables, ...targetTables].flatMap((t) => t.columns.flatMap((c) => (c.userType ? [nameKey(c.userType)] : []))));
  const inWhole = (o: { name: QualifiedName }) => wholeSchemas.has(o.name.schema);
  const usedType = (t: { name: QualifiedName }) => !filter || typesUsed.has(nameKey(t.name)) || inWhole(t);
  const sequenceIn = (tables: readonly Table[]) => {
    const keys = new Set(tables.map((t) => nameKey(t.name)));
    // Identity sequences come with their column; free-standing ones belong to no table.
    return (s: Sequence) => !s.identity && (s.ownedBy ? keys.has(nameKey(s.ownedBy.table)) : !filter || inWhole(s));
  };
  pairUp(sourceTables, targetTables, (t) => nameKey(t.name), {
    onlySource: (t) => items.push(item("table", t.name, null, "only-source")),
    onlyTarget: (t) => items.push(item("table", t.name, null, "only-target")),
    both: (s, t) => items.push(...diffTable(s, t, majorVersion(source) === majorVersion(target))),
  });
  items.push(...diffNamed("sequence", source.sequences.filter(sequenceIn(sourceTables)), target.sequences.filter(sequenceIn(targetTables)), sequenceDetails));
  items.push(...diffNamed("enum", source.enums.filter(usedType), target.enums.filter(usedType), enumDetails));
  items.push(...diffNamed("domain", source.domains.filter(usedType), target.domains.filter(usedType), domainDetails));
  items.push(...diffNamed("composite", source.composites.filter(usedType), target.composites.filter(usedType), compositeDetails));
  items.push(...diffNamed("range", (source.ranges ?? []).filter(usedType), (target.ranges ?? []).filter(usedType), rangeDetails));
  {
    const scope = diffScope(source, target, filter, wholeSchemas);
    // Each major version deparses view and function bodies its own way: compare them only within one.
    const sameMajor = majorVersion(source) === majorVersion(target);
    const viewDetails = (a: View, b: View) => [
      ...(sameMajor && a.definition !== b.definition ? ["definition differs"] : []),
      ...changed("options", a.options.join(","), b.options.join(",")),
    ];
    const views = (c: Catalog, materialized: boolean) => c.views.filter((v) => v.materialized === materialized && scope.view(v));
    items.push(...diffNamed("view", views(source, false), views(target, false), viewDetails));
    items.push(...diffNamed("materialized view", views(source, true), views(target, true), viewDetails));
    items.push(...diffFunctions(source.functions.filter(scope.function), target.functions.filter(scope.function), sameMajor));
    const extensions = (c: Catalog) => c.extensions.filter((e) => e.name !== "plpgsql" && scope.extension(e.name)).map((e) => ({ name: qualifiedName(e.schema, e.name) }));
    items.push(...diffNamed("extension", extensions(source), extensions(target), () => []));
    if (!filter) {
      items.push(...diffSchemaComments(source, target));
      items.push(...diffSchemaObjects(source, target, sameMajor));
    }
  }
  return items;
}

function diffTable(source: Table, target: Table, sameMajor: boolean): DriftItem[] {
  const items: DriftItem[] = [];
  const owner = source.name;
  const sub = <T extends { name: string }>(kind: DriftObjectKind, a: readonly T[], b: readonly T[], details: (x: T, y: T) => string[]) =>
    pairUp(a, b, (x) => x.name, {
      onlySource: (x) => items.push(item(kind, owner, x.name, "only-source", describeOne(kind, x))),
      onlyTarget: (x) => items.push(item(kind, owner, x.name, "only-target", describeOne(kind, x))),
      both: (x, y) => {
        const d = details(x, y);
        if (d.length) items.push(item(kind, owner, x.name, "differs", d));
      },
    });
  sub("column", source.columns, target.columns, columnDetails);
  sub("constraint", source.constraints, target.constraints, (x, y) => [...changed("definition", x.definition, y.definition), ...indexPropertyDetails(x.index, y.index)]);
  sub("index", source.indexes, target.indexes, (x, y) => [...changed("definition", x.definition, y.definition), ...indexPropertyDetails(x.properties, y.properties)]);
  sub("trigger", source.triggers, target.triggers, (x, y) => [...changed("definition", x.definition, y.definition), ...changed("enabled", x.enabled, y.enabled)]);
  const shape = (t: Table) => (t.partitioned ? `partitioned by ${t.partitioning.key}` : t.partitioning.parent ? `partition ${t.partitioning.bound}` : "plain");
  const properties = diffTableProperties(source, target, sameMajor);
  items.push(...properties.items);
  const tableDetails = [...changed("kind", shape(source), shape(target)), ...changed("unlogged", String(source.unlogged), String(target.unlogged)), ...properties.details];
  if (tableDetails.length) items.unshift(item("table", owner, null, "differs", tableDetails));
  return items;
}

function columnDetails(source: Column, target: Column): string[] {
  return [
    ...changed("type", source.type, target.type),
    ...changed("not null", String(source.notNull), String(target.notNull)),
    ...changed("default", source.default ?? "none", target.default ?? "none"),
    ...changed("generated", source.generated ?? "no", target.generated ?? "no"),
    ...changed("identity", source.identity ?? "no", target.identity ?? "no"),
    ...changed("collation", source.collation ? nameKey(source.collation).replace("\u0000", ".") : "default", target.collation ? nameKey(target.collation).replace("\u0000", ".") : "default"),
    ...columnPropertyDetails(source, target),
  ];
}

function sequenceDetails(source: Sequence, target: Sequence): string[] {
  const fields = ["dataType", "increment", "min", "max", "cache", "cycle"] as const;
  return fields.flatMap((f) => changed(f, String(source[f]), String(target[f])));
}

function enumDetails(source: EnumType, target: EnumType): string[] {
  const missing = source.labels.filter((l) => !target.labels.includes(l));
  const extra = target.labels.filter((l) => !source.labels.includes(l));
  const details = [];
  if (missing.length) details.push(`labels missing on the target: ${missing.map((l) => `'${l}'`).join(", ")}`);
  if (extra.length) details.push(`labels only on the target: ${extra.map((l) => `'${l}'`).join(", ")}`);
  const common = (labels: readonly string[]) => labels.filter((l) => !missing.includes(l) && !extra.includes(l)).join(",");
  if (!details.length && common(source.labels) !== common(target.labels)) details.push(`label order: ${source.labels.join(", ")} → ${target.labels.join(", ")}`);
  return details;
}

function domainDetails(source: DomainType, target: DomainType): string[] {
  const checks = (d: DomainType) => d.checks.map((c) => `${c.name} ${c.definition}`).join("; ") || "none";
  return [
    ...changed("base type", source.baseType, target.baseType),
    ...changed("not null", String(source.notNull), String(target.notNull)),
    ...changed("default", source.default ?? "none", target.default ?? "none"),
    ...changed("checks", checks(source), checks(target)),
  ];
}

function describeOne(kind: DriftObjectKind, object: unknown): string[] {
  if (kind === "column") return [(object as Column).type];
  if (kind === "constraint" || kind === "index" || kind === "trigger") return [(object as { definition: string }).definition];
  return [];
}

/** Functions pair up by name and argument types (overloads are different functions). */
export function majorVersion(catalog: Catalog): number {
  return Math.floor(catalog.serverVersion / 10000);
}

function diffFunctions(source: readonly FunctionDef[], target: readonly FunctionDef[], compareBodies: boolean): DriftItem[] {
  const items: DriftItem[] = [];
  pairUp(source, target, (f) => f.key, {
    onlySource: (f) => items.push(item("function", f.name, f.identityArguments, "only-source")),
    onlyTarget: (f) => items.push(item("function", f.name, f.identityArguments, "only-target")),
    both: (a, b) => {
      if (a.kind !== b.kind || (compareBodies && a.definition !== b.definition)) items.push(item("function", a.name, a.identityArguments, "differs", ["definition differs"]));
    },
  });
  return items;
}

function rangeDetails(source: RangeType, target: RangeType): string[] {
  const name = (n: QualifiedName | null) => (n ? `${n.schema}.${n.name}` : "default");
  return [
    ...changed("subtype", source.subtype, target.subtype),
    ...changed("operator class", name(source.opclass), name(target.opclass)),
    ...changed("collation", name(source.collation), name(target.collation)),
    ...changed("subtype_diff", name(source.subtypeDiff?.name ?? null), name(target.subtypeDiff?.name ?? null)),
  ];
}

function compositeDetails(source: CompositeType, target: CompositeType): string[] {
  const shape = (c: CompositeType) => c.attributes.map((a) => `${a.name} ${a.type}`).join(", ");
  return changed("attributes", shape(source), shape(target));
}



function diffNamed<T extends { name: QualifiedName }>(kind: DriftObjectKind, source: readonly T[], target: readonly T[], details: (a: T, b: T) => string[]): DriftItem[] {
  const items: DriftItem[] = [];
  pairUp(source, target, (x) => nameKey(x.name), {
    onlySource: (x) => items.push(item(kind, x.name, null, "only-source")),
    onlyTarget: (x) => items.push(item(kind, x.name, null, "only-target")),
    both: (a, b) => {
      const d = details(a, b);
      if (d.length) items.push(item(kind, a.name, null, "differs", d));
    },
  });
  return items;
}

function pairUp<T>(source: readonly T[], target: readonly T[], key: (x: T) => string, on: { onlySource(x: T): void; onlyTarget(x: T): void; both(a: T, b: T): void }): void {
  const targetByKey = new Map(target.map((x) => [key(x), x]));
  const sourceKeys = new Set(source.map(key));
  for (const x of source) {
    const other = targetByKey.get(key(x));
    if (other === undefined) on.onlySource(x);
    else on.both(x, other);
  }
  for (const x of target) if (!sourceKeys.has(key(x))) on.onlyTarget(x);
}

function changed(what: string, source: string, target: string): string[] {
  return source === target ? [] : [`${what}: ${source} → ${target}`];
}

function item(kind: DriftObjectKind, owner: QualifiedName, name: string | null, change: DriftItem["change"], details: readonly string[] = []): DriftItem {
  return { kind, owner, name, change, details };
}

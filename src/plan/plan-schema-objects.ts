/**
 * User collations, operators, operator families and classes, and text search dictionaries and
 * configurations to create on the target: those the created tables, added columns, views and
 * types use, and every one of a schema synced whole, when the target lacks them. In pg_dump's
 * order: collations (before the types and tables), then, after the functions they call,
 * operators, families, classes, dictionaries, configurations. An object the target cannot create
 * (an ICU collation on a server without ICU, a C-language support function, a text search
 * template or parser of the user's own) refuses the run with one line naming it. Pure.
 */
import type { Catalog, Table, View } from "../model/catalog.js";
import type { CommentTarget, DdlStatement } from "../model/ddl-statement.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";
import {
  NO_SCHEMA_OBJECTS,
  schemaObjectKey,
  type Collation,
  type FunctionMember,
  type OperatorClass,
  type OperatorDef,
  type OperatorFamily,
  type OperatorMember,
  type SchemaObjectKind,
  type SchemaObjectRef,
  type SchemaObjects,
  type SupportFunction,
  type TextSearchConfiguration,
  type TextSearchDictionary,
  type TextSearchSource,
} from "../model/schema-objects.js";

export interface SchemaObjectsInput {
  readonly source: Catalog;
  readonly target: Catalog;
  /** Tables the run creates. */
  readonly tables: readonly Table[];
  readonly views: readonly View[];
  /** Types (enums, domains, composites) the run creates. */
  readonly types: readonly { readonly name: QualifiedName; readonly collations: readonly QualifiedName[] }[];
  /** Collations of columns added to existing tables. */
  readonly addedCollations: readonly { readonly table: QualifiedName; readonly collation: QualifiedName }[];
  readonly wholeSchemas?: ReadonlySet<string>;
}

export interface PlannedSchemaObjects {
  /** CREATE COLLATION, before the types and tables. */
  readonly collations: readonly DdlStatement[];
  /** Operators, families, classes, dictionaries, configurations: after the functions. */
  readonly objects: readonly DdlStatement[];
  readonly comments: readonly DdlStatement[];
  /** User functions the objects call (planned with the other functions). */
  readonly functionNeeds: readonly { readonly name: QualifiedName; readonly functions: readonly string[] }[];
  /** Extensions their functions, templates and parsers belong to. */
  readonly extensionNeeds: readonly { readonly name: QualifiedName; readonly extensions: readonly string[] }[];
  readonly schemas: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

type AnyObject = Collation | OperatorDef | OperatorFamily | OperatorClass | TextSearchDictionary | TextSearchConfiguration;

const ORDER: readonly SchemaObjectKind[] = ["collation", "operator", "operator family", "operator class", "text search dictionary", "text search configuration"];

export function planSchemaObjects(input: SchemaObjectsInput): PlannedSchemaObjects {
  const source = input.source.schemaObjects ?? NO_SCHEMA_OBJECTS;
  const sourceObjects = indexObjects(source);
  const onTarget = new Set(indexObjects(input.target.schemaObjects ?? NO_SCHEMA_OBJECTS).keys());
  const targetFunctions = new Set(input.target.functions.map((f) => f.key));
  const chosen = new Map<string, { kind: SchemaObjectKind; object: AnyObject }>();
  const refused = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const functionNeeds: { name: QualifiedName; functions: string[] }[] = [];
  const extensionNeeds: { name: QualifiedName; extensions: string[] }[] = [];

  const need = (ref: SchemaObjectRef, user: QualifiedName): void => {
    const id = refId(ref);
    const object = sourceObjects.get(id);
    if (!object || onTarget.has(id) || chosen.has(id) || refused.has(id)) return;
    const deps = dependenciesOf(ref.kind, object);
    const problems = [
      ...(ref.kind === "collation" ? collationProblems(object as Collation, input.target) : []),
      // PostgreSQL 14 removed postfix (right-unary) operators.
      ...(ref.kind === "operator" && (object as OperatorDef).right === null && input.target.serverVersion >= 140000 ? ["postfix operators do not exist from PostgreSQL 14 on"] : []),
      ...deps.sources.flatMap((s) => (s.builtIn || s.extension ? [] : [`its ${s.what} ${displayName(s.name)} is user-defined (written in C): pgferry does not create text search ${s.what}s`])),
      ...deps.functions.flatMap((f) => (f.key && f.language === "c" && !targetFunctions.has(f.key) ? [`its function ${f.signature} is written in C (install its library and create it on the target first)`] : [])),
    ];
    if (problems.length) {
      refused.add(id);
      diagnostics.push({ level: "error", table: user, message: `needs ${ref.kind} ${describe(ref.kind, object)}, which pgferry cannot create on the target: ${problems.join("; ")}` });
      return;
    }
    chosen.set(id, { kind: ref.kind, object });
    const functions = deps.functions.flatMap((f) => (f.key ? [f.key] : []));
    if (functions.length) functionNeeds.push({ name: user, functions });
    const extensions = [...deps.functions, ...deps.sources].flatMap((f) => (f.extension ? [f.extension] : []));
    if (extensions.length) extensionNeeds.push({ name: user, extensions });
    for (const dep of deps.objects) need(dep, user);
  };

  const users = new Map<string, QualifiedName>();
  for (const t of input.tables) users.set(`table\n${nameKey(t.name)}`, t.name);
  for (const v of input.views) users.set(`view\n${nameKey(v.name)}`, v.name);
  for (const t of input.types) users.set(`type\n${nameKey(t.name)}`, t.name);
  const collation = (name: QualifiedName): SchemaObjectRef => ({ kind: "collation", key: schemaObjectKey(name) });
  for (const t of input.tables) for (const c of t.columns) if (c.collation) need(collation(c.collation), t.name);
  for (const { table, collation: name } of input.addedCollations) need(collation(name), table);
  for (const t of input.types) for (const name of t.collations) need(collation(name), t.name);
  for (const usage of source.usages) {
    const user = users.get(`${usage.user.kind}\n${nameKey(usage.user.name)}`);
    if (user) need(usage.object, user);
  }
  const whole = input.wholeSchemas ?? new Set<string>();
  for (const [id, object] of sourceObjects) {
    if (whole.has(object.name.schema)) need(JSON.parse(id) as SchemaObjectRef, object.name);
  }

  const byKind = (kind: SchemaObjectKind) => [...chosen.values()].filter((c) => c.kind === kind);
  const statements = ORDER.flatMap((kind) => byKind(kind).map((c) => createStatement(c.kind, c.object)));
  return {
    collations: statements.filter((s) => s.kind === "create-collation"),
    objects: statements.filter((s) => s.kind !== "create-collation"),
    comments: ORDER.flatMap((kind) => byKind(kind).flatMap((c) => (c.object.comment === null ? [] : [{ kind: "comment", on: commentTarget(c.kind, c.object), text: c.object.comment } as const]))),
    functionNeeds,
    extensionNeeds,
    schemas: [...new Set([...chosen.values()].map((c) => c.object.name.schema))],
    diagnostics,
  };
}

const refId = (ref: SchemaObjectRef) => JSON.stringify({ kind: ref.kind, key: ref.key });

function indexObjects(objects: SchemaObjects): Map<string, AnyObject> {
  const entries: [SchemaObjectKind, string, AnyObject][] = [
    ...objects.collations.map((o): [SchemaObjectKind, string, AnyObject] => ["collation", schemaObjectKey(o.name), o]),
    ...objects.operators.map((o): [SchemaObjectKind, string, AnyObject] => ["operator", o.key, o]),
    ...objects.operatorFamilies.map((o): [SchemaObjectKind, string, AnyObject] => ["operator family", schemaObjectKey(o.name, o.method), o]),
    ...objects.operatorClasses.map((o): [SchemaObjectKind, string, AnyObject] => ["operator class", schemaObjectKey(o.name, o.method), o]),
    ...objects.textSearchDictionaries.map((o): [SchemaObjectKind, string, AnyObject] => ["text search dictionary", schemaObjectKey(o.name), o]),
    ...objects.textSearchConfigurations.map((o): [SchemaObjectKind, string, AnyObject] => ["text search configuration", schemaObjectKey(o.name), o]),
  ];
  return new Map(entries.map(([kind, key, object]) => [refId({ kind, key }), object]));
}

interface Dependencies {
  readonly objects: readonly SchemaObjectRef[];
  readonly functions: readonly SupportFunction[];
  readonly sources: readonly (TextSearchSource & { readonly what: "template" | "parser" })[];
}

function dependenciesOf(kind: SchemaObjectKind, object: AnyObject): Dependencies {
  const none: Dependencies = { objects: [], functions: [], sources: [] };
  switch (kind) {
    case "collation":
      return none;
    case "operator": {
      const op = object as OperatorDef;
      const others = [op.commutator, op.negator].flatMap((o) => (o ? [{ kind: "operator" as const, key: o.key }] : []));
      return { ...none, objects: others, functions: [op.function, op.restrict, op.join].filter((f): f is SupportFunction => f !== null) };
    }
    case "operator family":
    case "operator class": {
      const members = object as OperatorFamily | OperatorClass;
      const family = kind === "operator class" ? [{ kind: "operator family" as const, key: schemaObjectKey((object as OperatorClass).family, members.method) }] : [];
      return { ...none, objects: [...family, ...memberObjects(members.operators)], functions: members.functions.map((f: FunctionMember) => f.function) };
    }
    case "text search dictionary":
      return { ...none, sources: [{ ...(object as TextSearchDictionary).template, what: "template" }] };
    case "text search configuration": {
      const config = object as TextSearchConfiguration;
      const dictionaries = config.mappings.flatMap((m) => m.dictionaries.map((d) => ({ kind: "text search dictionary" as const, key: schemaObjectKey(d) })));
      return { ...none, objects: dictionaries, sources: [{ ...config.parser, what: "parser" }] };
    }
  }
}

function memberObjects(operators: readonly OperatorMember[]): SchemaObjectRef[] {
  return operators.flatMap((o) => [
    { kind: "operator" as const, key: o.operator },
    ...(o.sortFamily ? [{ kind: "operator family" as const, key: schemaObjectKey(o.sortFamily, "btree") }] : []),
  ]);
}

function collationProblems(collation: Collation, target: Catalog): string[] {
  const problems: string[] = [];
  if (collation.provider === "i" && !(target.schemaObjects?.icu ?? false)) problems.push("it is an ICU collation and the target server was built without ICU");
  if (collation.provider === "b" && target.serverVersion < 170000) problems.push("the builtin collation provider needs PostgreSQL 17 or later on the target");
  if (collation.rules !== null && target.serverVersion < 160000) problems.push("ICU collation rules need PostgreSQL 16 or later on the target");
  return problems;
}

function describe(kind: SchemaObjectKind, object: AnyObject): string {
  if (kind === "operator") return (object as OperatorDef).key;
  if (kind === "operator family" || kind === "operator class") return `${displayName(object.name)} USING ${(object as OperatorFamily).method}`;
  return displayName(object.name);
}

function createStatement(kind: SchemaObjectKind, object: AnyObject): DdlStatement {
  switch (kind) {
    case "collation":
      return { kind: "create-collation", collation: object as Collation };
    case "operator":
      return { kind: "create-operator", operator: object as OperatorDef };
    case "operator family":
      return { kind: "create-operator-family", family: object as OperatorFamily };
    case "operator class":
      return { kind: "create-operator-class", operatorClass: object as OperatorClass };
    case "text search dictionary":
      return { kind: "create-text-search-dictionary", dictionary: object as TextSearchDictionary };
    case "text search configuration":
      return { kind: "create-text-search-configuration", configuration: object as TextSearchConfiguration };
  }
}

function commentTarget(kind: SchemaObjectKind, object: AnyObject): CommentTarget {
  if (kind === "operator") return { kind, operator: object as OperatorDef };
  if (kind === "operator family" || kind === "operator class") return { kind, name: object.name, method: (object as OperatorFamily).method };
  return { kind, name: object.name };
}

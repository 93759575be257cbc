/**
 * Objects to create on the target for tables missing there, the way pg_restore orders them.
 * Pre-data: schemas, extensions, types, functions, sequences, tables, added columns. Post-data
 * (after the rows): keys, indexes, FKs, sequence owners, views, materialized views (refreshed),
 * triggers (so they never fire on copied rows), comments. Pure.
 */
import { indexOnAllPartitions } from "../ddl/index-definition.js";
import type { Catalog, Column, Sequence, Table, View } from "../model/catalog.js";
import type { DdlStatement } from "../model/ddl-statement.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";
import { planComments } from "./plan-comments.js";
import { orderPreData } from "./order-pre-data.js";
import { indexPropertyStatements, planCreatedProperties, planSchemaComments } from "./plan-created-properties.js";
import { planCreatedTypes, type TypeNeed } from "./plan-created-types.js";
import { planCreatedViews } from "./plan-created-views.js";
import { placeFunctions } from "./place-functions.js";
import { planSchemaObjects } from "./plan-schema-objects.js";
import { driftedTables, wholeSchemaNeeds } from "./plan-whole-schema-objects.js";

export interface CreatedObjects {
  readonly preData: readonly DdlStatement[];
  readonly postData: readonly DdlStatement[];
  readonly diagnostics: readonly Diagnostic[];
  /** Free-standing sequences created because a created function's body names them (set like the tables' ones). */
  readonly functionSequences: readonly QualifiedName[];
}

export interface AddedColumn {
  readonly table: QualifiedName;
  readonly column: Column;
}

export interface CreatedObjectsInput {
  /** Tables missing on the target, created by the run. */
  readonly created: readonly Table[];
  readonly source: Catalog;
  readonly target: Catalog;
  /** nameKeys of the tables that exist once the run is done (selected or already on the target). */
  readonly tablesAfterRun: ReadonlySet<string>;
  readonly addedColumns?: readonly AddedColumn[];
  /** Schemas synced whole (plan/whole-schemas): every object of theirs missing on the target is created. */
  readonly wholeSchemas?: ReadonlySet<string>;
}

export function planCreatedObjects(input: CreatedObjectsInput): CreatedObjects {
  const { created, source, target, tablesAfterRun } = input;
  const addedColumns = input.addedColumns ?? [];
  const diagnostics: Diagnostic[] = [];
  const typeNeeds = [
    ...created.flatMap((t) => t.columns.flatMap((c) => (c.userType ? [{ type: c.userType, table: t.name }] : []))),
    ...addedColumns.flatMap(({ table, column }) => (column.userType ? [{ type: column.userType, table }] : [])),
  ];
  const wholeSchemas = input.wholeSchemas ?? new Set<string>();
  const whole = wholeSchemaNeeds(source, target, wholeSchemas);
  const existing = new Set([...target.tables, ...target.views, ...target.sequences, ...whole.sequences].map((o) => nameKey(o.name)));
  const views = planCreatedViews(created, source, target, diagnostics, { wholeSchemas, existing, drifted: driftedTables(source, target) });
  const viewUsers = views.map((v) => ({ name: v.name, extensions: v.extensions ?? [] }));
  const properties = planCreatedProperties({ created, source, target, tablesAfterRun, views });
  diagnostics.push(...properties.diagnostics);
  const allTypeNeeds = [...typeNeeds, ...whole.types];
  const users: FunctionUser[] = [...created, ...views, ...whole.users];
  const first = planTypesAndFunctions(allTypeNeeds, users, source, target, []);
  const objects = planSchemaObjects({
    source,
    target,
    tables: created,
    views,
    types: first.types.flatMap((s) => {
      if (s.kind === "create-domain") return [{ name: s.type.name, collations: s.type.collation ? [s.type.collation] : [] }];
      if (s.kind === "create-composite") return [{ name: s.type.name, collations: s.type.attributes.flatMap((a) => (a.collation ? [a.collation] : [])) }];
      return s.kind === "create-enum" || s.kind === "create-range" ? [{ name: s.type.name, collations: s.kind === "create-range" && s.type.collation ? [s.type.collation] : [] }] : [];
    }),
    addedCollations: addedColumns.flatMap(({ table, column }) => (column.collation ? [{ table, collation: column.collation }] : [])),
    wholeSchemas,
  });
  diagnostics.push(...objects.diagnostics);
  // The functions operators and classes are made of are planned with the others (and the types they need).
  const { types, functionStatements, extensionNeeds } = planTypesAndFunctions(allTypeNeeds, [...users, ...objects.functionNeeds], source, target, diagnostics);
  const functions = functionStatements.map((s) => s.function);
  const sourceOrder = (name: string) => source.extensions.findIndex((e) => e.name === name);
  const extensions = planExtensions([...created, ...extensionNeeds, ...viewUsers, ...whole.users, ...objects.extensionNeeds], source, target, diagnostics).sort(
    (a, b) => sourceOrder(a.name) - sourceOrder(b.name),
  );
  for (const table of created) {
    if (table.unhandled.length) {
      diagnostics.push({ level: "warning", table: table.name, message: `not created with the table (create them on the target yourself): ${table.unhandled.join(", ")}` });
    }
  }

  const sequences = new Map<string, Sequence>();
  const identitySequences: Sequence[] = [];
  const targetSequences = new Set(target.sequences.map((s) => nameKey(s.name)));
  for (const table of created) {
    for (const seqName of table.sequences) {
      const seq = source.sequences.find((s) => nameKey(s.name) === nameKey(seqName));
      if (!seq) continue;
      if (seq.identity) identitySequences.push(seq);
      else if (!targetSequences.has(nameKey(seqName))) sequences.set(nameKey(seqName), seq);
    }
  }

  // A free-standing sequence only a function body names (ids assigned in a trigger): no column
  // default or owner ties it to a table, so it comes with the function.
  const functionSequences: QualifiedName[] = [];
  // A whole schema's free-standing sequences are created (and set) whether or not anything names them.
  for (const seq of whole.sequences) {
    if (sequences.has(nameKey(seq.name))) continue;
    sequences.set(nameKey(seq.name), seq);
    functionSequences.push(seq.name);
  }
  for (const fn of functions) {
    for (const seqName of fn.sequences ?? []) {
      const seq = source.sequences.find((s) => nameKey(s.name) === nameKey(seqName));
      if (!seq || seq.identity || seq.ownedBy || targetSequences.has(nameKey(seqName)) || sequences.has(nameKey(seqName))) continue;
      sequences.set(nameKey(seqName), seq);
      functionSequences.push(seq.name);
    }
  }

  const objectSchemas = [
    ...created.map((t) => t.name.schema),
    ...types.map((s) => ("type" in s ? s.type.name.schema : "")),
    ...functions.map((f) => f.name.schema),
    ...[...sequences.values()].map((s) => s.name.schema),
    ...views.map((v) => v.name.schema),
    ...extensions.map((e) => e.schema),
    ...properties.schemas,
    ...objects.schemas,
    ...wholeSchemas,
  ];
  const schemas = [...new Set(objectSchemas)].filter((schema) => schema && !target.schemas.includes(schema) && schema !== "pg_catalog");

  // Types, functions and tables depend on each other in every direction: ordered by what each is
  // built from. A function that names a created view waits for it, after the data.
  const placed = placeFunctions(functionStatements, views);
  const preData = orderPreData([
    ...schemas.map((schema): DdlStatement => ({ kind: "create-schema", schema })),
    ...objects.collations,
    ...extensions.map((e): DdlStatement => ({ kind: "create-extension", name: e.name, schema: e.schema })),
    ...types,
    ...placed.beforeViews,
    ...objects.objects,
    ...[...sequences.values()].map((sequence): DdlStatement => ({ kind: "create-sequence", sequence })),
    ...byPartitionDepth(properties.tables).map((table): DdlStatement => ({ kind: "create-table", table, identitySequences })),
    ...addedColumns.map(({ table, column }): DdlStatement => ({ kind: "add-column", table, column })),
    ...properties.preData,
  ]);
  const viewStatements = planViewStatements(views);
  const postData = [
    ...planPostData(created, sequences, tablesAfterRun, diagnostics),
    ...properties.postIndexes,
    ...viewStatements.filter((s) => s.kind === "create-view"),
    ...placed.afterViews,
    ...viewStatements.filter((s) => s.kind !== "create-view"),
    ...created.flatMap((t) => t.triggers.map((trigger): DdlStatement => ({ kind: "create-trigger", table: t.name, trigger }))),
    ...properties.postData,
    ...planSchemaComments(schemas, source),
    ...planComments({ tables: created, views, sequences: [...sequences.values()], types, functions }),
    ...objects.comments,
  ];
  return { preData, postData, diagnostics, functionSequences };
}

type CreateFunction = Extract<DdlStatement, { kind: "create-function" | "create-aggregate" }>;
interface FunctionUser {
  readonly name: QualifiedName;
  readonly functions: readonly string[];
}

/**
 * Types and functions need each other: a function's signature names a domain or enum, a domain's
 * CHECK (or a range's subtype_diff) calls a function. Both sets only grow, so planning them again until no new type is needed ends.
 */
function planTypesAndFunctions(typeNeeds: readonly TypeNeed[], users: readonly FunctionUser[], source: Catalog, target: Catalog, diagnostics: Diagnostic[]) {
  for (let functionTypeNeeds: TypeNeed[] = []; ; ) {
    const found: Diagnostic[] = [];
    const types = planCreatedTypes([...typeNeeds, ...functionTypeNeeds], source, target, found);
    const domains = types.flatMap((t): FunctionUser[] => {
      if (t.kind === "create-domain") return [{ name: t.type.name, functions: t.type.functions ?? [] }];
      if (t.kind === "create-range" && t.type.subtypeDiff?.key) return [{ name: t.type.name, functions: [t.type.subtypeDiff.key] }];
      return [];
    });
    const { statements, extensionNeeds } = planFunctions([...users, ...domains], source, target, found);
    const needs = statements.flatMap((s) => (s.function.types ?? []).map((type) => ({ type, table: s.function.name })));
    if (needs.length === functionTypeNeeds.length) {
      diagnostics.push(...found);
      return { types, functionStatements: statements, extensionNeeds };
    }
    functionTypeNeeds = needs;
  }
}

/**
 * User functions that created tables (defaults, checks, indexes, triggers) and views call, missing
 * on the target. An aggregate comes after the user functions it is made of; the extensions its
 * support functions belong to are returned as needs of its user.
 */
function planFunctions(users: readonly FunctionUser[], source: Catalog, target: Catalog, diagnostics: Diagnostic[]) {
  const onTarget = new Set(target.functions.map((f) => f.key));
  const byKey = new Map(source.functions.map((f) => [f.key, f]));
  const chosen = new Map<string, CreateFunction>();
  const extensionNeeds: { name: QualifiedName; extensions: readonly string[] }[] = [];
  const choose = (key: string, user: QualifiedName) => {
    const fn = byKey.get(key);
    if (!fn || onTarget.has(key) || chosen.has(key)) return;
    if (fn.aggregate) {
      for (const support of fn.aggregate.functions) if (support !== key) choose(support, user);
      extensionNeeds.push({ name: user, extensions: fn.aggregate.extensions });
      chosen.set(key, { kind: "create-aggregate", function: { ...fn, aggregate: fn.aggregate } });
    } else if (fn.definition === null) {
      // Window functions are written in C only (a user's library is not the sync's to install);
      // an aggregate has no definition only in a manifest from before pgferry read pg_aggregate.
      diagnostics.push({ level: "warning", table: user, message: `function ${key} is an aggregate or window function: not created by pgferry (create it on the target first)` });
    } else chosen.set(key, { kind: "create-function", function: { ...fn, definition: fn.definition } });
  };
  for (const user of users) for (const key of user.functions) choose(key, user.name);
  return { statements: [...chosen.values()], extensionNeeds };
}

/** Extensions whose types, operator classes or functions the created tables use, missing on the target. */
function planExtensions(created: readonly { name: QualifiedName; extensions: readonly string[] }[], source: Catalog, target: Catalog, diagnostics: Diagnostic[]) {
  const installed = new Set(target.extensions.map((e) => e.name));
  const available = new Set(target.availableExtensions);
  const chosen = new Map<string, { name: string; schema: string }>();
  const refused = new Set<string>(); // one line per extension, naming its first user
  for (const table of created) {
    for (const name of table.extensions) {
      if (installed.has(name) || chosen.has(name) || refused.has(name)) continue;
      if (!available.has(name)) {
        refused.add(name);
        diagnostics.push({ level: "error", table: table.name, message: `needs extension ${name}, which the target server does not have (install its package there, or leave the table out)` });
        continue;
      }
      const schema = source.extensions.find((e) => e.name === name)?.schema ?? "public";
      chosen.set(name, { name, schema });
    }
  }
  return [...chosen.values()];
}

function planViewStatements(views: readonly View[]): DdlStatement[] {
  const create = views.map((view): DdlStatement => ({ kind: "create-view", view }));
  const indexes = views.flatMap((v) => [
    ...v.indexes.map((i): DdlStatement => ({ kind: "create-index", table: v.name, name: i.name, definition: i.definition })),
    ...indexPropertyStatements(v.name, v.indexes),
  ]);
  const refresh = views.filter((v) => v.materialized && v.populated).map((v): DdlStatement => ({ kind: "refresh-materialized-view", name: v.name }));
  return [...create, ...indexes, ...refresh];
}

function planPostData(created: readonly Table[], sequences: Map<string, Sequence>, tablesAfterRun: ReadonlySet<string>, diagnostics: Diagnostic[]): DdlStatement[] {
  const keys: DdlStatement[] = [];
  const indexes: DdlStatement[] = [];
  const fks: DdlStatement[] = [];
  for (const table of byPartitionDepth(created)) {
    for (const constraint of table.constraints) {
      if (constraint.kind === "check" && !constraint.definition.endsWith("NOT VALID")) continue; // inline
      if (constraint.kind !== "foreign") {
        keys.push({ kind: "add-constraint", table: table.name, constraint });
      } else if (constraint.references && tablesAfterRun.has(nameKey(constraint.references))) {
        fks.push({ kind: "add-constraint", table: table.name, constraint });
      } else {
        diagnostics.push({
          level: "warning",
          table: table.name,
          message: `foreign key "${constraint.name}" not created: ${constraint.references ? displayName(constraint.references) : "its table"} is neither selected nor on the target`,
        });
      }
    }
    for (const index of table.indexes) {
      const definition = table.partitioned ? indexOnAllPartitions(index.definition) : index.definition;
      indexes.push({ kind: "create-index", table: table.name, name: index.name, definition });
    }
  }
  const owners: DdlStatement[] = [...sequences.values()].flatMap((s) =>
    s.ownedBy && created.some((t) => nameKey(t.name) === nameKey(s.ownedBy!.table))
      ? [{ kind: "sequence-owned-by", sequence: s.name, table: s.ownedBy.table, column: s.ownedBy.column } as const]
      : [],
  );
  return [...keys, ...indexes, ...fks, ...owners];
}

/** Partitioned parents before their partitions, INHERITS parents before their children. */
function byPartitionDepth(tables: readonly Table[]): Table[] {
  const byKey = new Map(tables.map((t) => [nameKey(t.name), t]));
  const depth = (t: Table): number => {
    const parents = [t.partitioning.parent, ...(t.inherits ?? [])].flatMap((p) => (p && byKey.has(nameKey(p)) ? [byKey.get(nameKey(p))!] : []));
    return parents.length ? 1 + Math.max(...parents.map(depth)) : 0;
  };
  return [...tables].sort((a, b) => depth(a) - depth(b));
}

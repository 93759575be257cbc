/**
 * Read one database's catalog into a frozen Catalog. Runs with search_path = pg_catalog so the
 * server's deparsers schema-qualify every name they print (as pg_dump does).
 */
import type { Aggregate, Catalog, Column, CompositeType, Constraint, ConstraintKind, DomainType, EnumType, FunctionDef, Index, IndexProperties, RangeType, Sequence, Table, Trigger, View } from "../model/catalog.js";
import { nameKey, qualifiedName, type QualifiedName } from "../model/qualified-name.js";
import type { SqlSession } from "../pg/session.js";
import { sqlstateOf } from "../pg/describe-pg-error.js";
import { LockedError } from "../errors.js";
import { functionSequences } from "./function-sequences.js";
import { queryDomainFunctions, queryFunctionDependencies, queryLargeObjects, queryViewExtensions, type FunctionDependencyRow } from "./query-object-dependencies.js";
import { queryColumns, type ColumnRow } from "./query-columns.js";
import { queryConstraints, type ConstraintRow } from "./query-constraints.js";
import { querySchemas, queryServerInfo } from "./query-identity.js";
import { queryIndexes, type IndexPropertiesRow, type IndexRow } from "./query-indexes.js";
import {
  queryComposites,
  queryExtensions,
  queryFunctions,
  queryTableDependencies,
  queryTriggers,
  queryViews,
  type AggregateRow,
  type FunctionRow,
  type ProcRef,
  type TableDependencyRow,
  type TriggerRow,
  type ViewRow,
} from "./query-objects.js";
import { queryRanges } from "./query-ranges.js";
import { querySequences, queryTableSequences, type SequenceRow } from "./query-sequences.js";
import { queryTables, type TableRow } from "./query-tables.js";
import { queryColumnProperties, queryRoles, querySchemaComments, queryTableProperties, withTableProperties } from "./query-table-properties.js";
import { queryDomains, queryEnums } from "./query-types.js";
import { deepFreeze } from "../model/deep-freeze.js";
import { introspectSchemaObjects } from "./introspect-schema-objects.js";

export async function introspectCatalog(session: SqlSession): Promise<Catalog> {
  // The catalog queries' string literals are written for standard-conforming strings (a database
  // may turn them off: '\000' would then be a NUL byte), and with only pg_catalog on the path.
  // JIT off: the functions and aggregates query, with its many subplans, is estimated above
  // jit_above_cost (default 100000) even on an empty database, and PostgreSQL 11+ (JIT on by
  // default from 12) then spends ~0.3 s compiling it: measured 0.35–0.40 s per catalog read with
  // JIT, 0.09–0.10 s without, on the machine's PostgreSQL 15.
  const [saved] = await session.query<{ path: string; strings: string; jit: string }>(
    `SELECT current_setting('search_path') AS path, current_setting('standard_conforming_strings') AS strings, current_setting('jit') AS jit,
            set_config('search_path', 'pg_catalog', false), set_config('standard_conforming_strings', 'on', false), set_config('jit', 'off', false)`,
  );
  let catalog: Catalog;
  try {
    catalog = await readCatalog(session);
  } catch (error) {
    if (sqlstateOf(error) !== LOCK_NOT_AVAILABLE) throw error;
    throw new LockedError(
      `gave up waiting for a lock while reading the ${session.role}'s catalog (lock timeout): another session holds a lock on one of its tables or sequences; raise --lock-timeout, or retry later`,
      { cause: error, sqlstate: LOCK_NOT_AVAILABLE },
    );
  }
  // Restore them: where filters and target triggers run later in this session with the user's settings.
  // (After a failure the session's transaction is aborted and the run ends: nothing to restore.)
  await session.query("SELECT set_config('search_path', $1, false), set_config('standard_conforming_strings', $2, false), set_config('jit', $3, false)", [
    saved?.path ?? '"$user", public',
    saved?.strings ?? "on",
    saved?.jit ?? "on",
  ]);
  return catalog;
}

const LOCK_NOT_AVAILABLE = "55P03";

async function readCatalog(session: SqlSession): Promise<Catalog> {
  const info = await queryServerInfo(session);
  const tableRows = await queryTables(session);
  const oids = tableRows.map((t) => t.oid);
  const [schemas, columns, constraints, indexes, tableSequences, sequences, enums, domains] = [
    await querySchemas(session),
    await queryColumns(session, oids),
    await queryConstraints(session, oids),
    await queryIndexes(session, oids),
    await queryTableSequences(session, oids),
    await querySequences(session),
    await queryEnums(session),
    await queryDomains(session),
  ];
  const [triggers, dependencies, functionRows, viewRows, composites, extensions] = [
    await queryTriggers(session, oids, info.versionNum),
    await queryTableDependencies(session, oids),
    await queryFunctions(session),
    await queryViews(session),
    await queryComposites(session),
    await queryExtensions(session),
  ];
  const [functionDependencies, domainFunctions, ranges] = [await queryFunctionDependencies(session), await queryDomainFunctions(session), await queryRanges(session, info.versionNum)];
  const [tableProperties, columnProperties, schemaComments, roles] = [
    await queryTableProperties(session, oids, info.versionNum),
    await queryColumnProperties(session, oids, info.versionNum),
    await querySchemaComments(session),
    await queryRoles(session),
  ];
  const schemaObjects = await introspectSchemaObjects(session, info.versionNum);
  const viewIndexes = groupBy(await queryIndexes(session, viewRows.map((v) => v.oid)), (r) => r.table_oid);
  const viewExtensions = groupBy(await queryViewExtensions(session, viewRows.map((v) => v.oid)), (r) => r.view_oid);
  const largeObjects = await queryLargeObjects(session);
  const functionKeys = new Map(functionRows.map((f) => [String(f.oid), functionKey(f)]));
  const dependenciesOfFunction = groupBy(functionDependencies, (r) => r.function_oid);
  const functionsOfDomain = groupBy(domainFunctions, (r) => nameKey(qualifiedName(r.schema, r.name)));
  const byTable = <R extends { table_oid: number }>(rows: readonly R[]) => groupBy(rows, (r) => r.table_oid);
  const columnsOf = byTable(columns);
  const constraintsOf = byTable(constraints);
  const indexesOf = byTable(indexes);
  const sequencesOf = byTable(tableSequences);
  const sequenceNames = sequences.map((s) => qualifiedName(s.schema, s.name));
  const triggersOf = byTable(triggers);
  const dependenciesOf = byTable(dependencies);
  const tables = tableRows.map((row) =>
    withTableProperties(
      {
        ...toTable(row, columnsOf.get(row.oid) ?? [], constraintsOf.get(row.oid) ?? [], indexesOf.get(row.oid) ?? [], sequencesOf.get(row.oid) ?? []),
        ...tableObjects(triggersOf.get(row.oid) ?? [], dependenciesOf.get(row.oid) ?? [], functionKeys),
      },
      tableProperties.get(row.oid),
      columnProperties.get(row.oid),
    ),
  );
  return deepFreeze({
    serverVersion: info.versionNum,
    serverVersionText: info.versionText,
    identity: info.identity,
    schemas,
    tables: withPartitionTotals(tables),
    sequences: sequences.map(toSequence),
    enums: enums.map((e): EnumType => ({ name: qualifiedName(e.schema, e.name), labels: e.labels, comment: e.comment })),
    domains: domains.map(
      (d): DomainType => ({
        name: qualifiedName(d.schema, d.name),
        baseType: d.base_type,
        baseUserType: optionalName(d.base_user_schema, d.base_user_name),
        notNull: d.not_null,
        default: d.default_expr,
        collation: optionalName(d.collation_schema, d.collation_name),
        checks: d.checks,
        comment: d.comment,
        functions: (functionsOfDomain.get(nameKey(qualifiedName(d.schema, d.name))) ?? []).flatMap((r) => (functionKeys.has(r.function_oid) ? [functionKeys.get(r.function_oid)!] : [])),
      }),
    ),
    composites: composites.map(
      (c): CompositeType => ({
        name: qualifiedName(c.schema, c.name),
        comment: c.comment,
        attributes: c.attributes.map((a) => ({
          name: a.name,
          type: a.type,
          userType: optionalName(a.user_type_schema, a.user_type_name),
          collation: optionalName(a.collation_schema, a.collation_name),
        })),
      }),
    ),
    ranges: ranges.map(
      (r): RangeType => ({
        name: qualifiedName(r.schema, r.name),
        subtype: r.subtype,
        subtypeUserType: optionalName(r.subtype_user_schema, r.subtype_user_name),
        opclass: optionalName(r.opclass_schema, r.opclass_name),
        collation: optionalName(r.collation_schema, r.collation_name),
        canonical: r.canonical,
        subtypeDiff: r.diff_schema && r.diff_name ? { name: qualifiedName(r.diff_schema, r.diff_name), key: functionKeys.get(r.diff_oid ?? "") ?? null } : null,
        multirange: r.multirange,
        comment: r.comment,
      }),
    ),
    functions: functionRows.map(
      (f): FunctionDef => ({
        key: functionKey(f),
        name: qualifiedName(f.schema, f.name),
        identityArguments: f.args,
        kind: f.kind,
        definition: f.definition,
        comment: f.comment,
        sequences: f.definition === null ? [] : functionSequences({ schema: f.schema, body: f.definition, config: f.config }, sequenceNames),
        ...functionDependencyNames(dependenciesOfFunction.get(String(f.oid)) ?? []),
        ...(f.aggregate ? { aggregate: toAggregate(f.aggregate, functionKeys) } : {}),
      }),
    ),
    views: viewRows.map((v) => ({ ...toView(v, viewIndexes.get(v.oid) ?? [], functionKeys), extensions: (viewExtensions.get(v.oid) ?? []).map((r) => r.extension) })),
    extensions: extensions.extensions,
    availableExtensions: extensions.available,
    schemaComments,
    roles,
    schemaObjects,
    largeObjects,
  });
}

function functionDependencyNames(rows: readonly FunctionDependencyRow[]): Pick<FunctionDef, "types" | "relations"> {
  const names = (relation: boolean) => rows.filter((r) => r.relation === relation).map((r) => qualifiedName(r.schema, r.name));
  return { types: names(false), relations: names(true) };
}

function toAggregate(row: AggregateRow, functionKeys: ReadonlyMap<string, string>): Aggregate {
  const support = [row.transfn, row.finalfn, row.combinefn, row.serialfn, row.deserialfn, row.mtransfn, row.minvtransfn, row.mfinalfn].filter(
    (r): r is ProcRef => r !== null,
  );
  const ref = (r: ProcRef | null) => (r ? qualifiedName(r.schema, r.name) : null);
  return {
    arguments: row.arguments,
    aggKind: row.kind,
    transition: qualifiedName(row.transfn.schema, row.transfn.name),
    stateType: row.transtype,
    stateSpace: row.transspace,
    initialValue: row.initval,
    final: ref(row.finalfn),
    finalExtra: row.finalextra,
    finalModify: row.finalmodify,
    combine: ref(row.combinefn),
    serial: ref(row.serialfn),
    deserial: ref(row.deserialfn),
    movingTransition: ref(row.mtransfn),
    movingInverse: ref(row.minvtransfn),
    movingStateType: row.mtranstype,
    movingStateSpace: row.mtransspace,
    movingInitialValue: row.minitval,
    movingFinal: ref(row.mfinalfn),
    movingFinalExtra: row.mfinalextra,
    movingFinalModify: row.mfinalmodify,
    sortOperator: row.sortop ? qualifiedName(row.sortop.schema, row.sortop.name) : null,
    parallel: row.parallel,
    functions: [...new Set(support.flatMap((r) => (functionKeys.has(r.oid) ? [functionKeys.get(r.oid)!] : [])))],
    extensions: [...new Set(support.flatMap((r) => (r.extension ? [r.extension] : [])))],
  };
}

/** How overloads are told apart: the qualified name and the identity argument types. */
function functionKey(f: Pick<FunctionRow, "schema" | "name" | "args">): string {
  return `${f.schema}.${f.name}(${f.args})`;
}

function tableObjects(triggers: readonly TriggerRow[], dependencies: readonly TableDependencyRow[], functionKeys: ReadonlyMap<string, string>) {
  return {
    triggers: triggers.map((t): Trigger => ({ name: t.name, definition: t.definition, enabled: t.enabled, comment: t.comment })),
    functions: dependencies.flatMap((d) => (d.kind === "function" && functionKeys.has(d.ref) ? [functionKeys.get(d.ref)!] : [])),
    extensions: dependencies.flatMap((d) => (d.kind === "extension" ? [d.ref] : [])),
  };
}

function toView(row: ViewRow, indexes: readonly IndexRow[], functionKeys: ReadonlyMap<string, string>): View {
  return {
    name: qualifiedName(row.schema, row.name),
    materialized: row.materialized,
    definition: row.definition,
    options: row.options ?? [],
    populated: row.populated,
    relations: row.relations.map((r) => qualifiedName(r.schema, r.name)),
    functions: row.functions.flatMap((oid) => (functionKeys.has(oid) ? [functionKeys.get(oid)!] : [])),
    indexes: indexes.map((i): Index => ({ name: i.name, definition: i.definition, comment: i.comment, properties: indexProperties(i) })),
    comment: row.comment,
    columns: row.columns.map((c) => ({ name: c.name, type: c.type })),
  };
}

function toTable(
  row: TableRow,
  columns: readonly ColumnRow[],
  constraints: readonly ConstraintRow[],
  indexes: readonly IndexRow[],
  sequences: readonly { schema: string; name: string }[],
): Omit<Table, "triggers" | "functions" | "extensions"> {
  return {
    name: qualifiedName(row.schema, row.name),
    partitioned: row.partitioned,
    partitioning: {
      key: row.partkey,
      parent: optionalName(row.parent_schema, row.parent_name),
      bound: row.partbound,
    },
    columns: columns.map(toColumn),
    constraints: constraints.map(toConstraint),
    indexes: indexes.map((i): Index => ({ name: i.name, definition: i.definition, using: i.using_clause, comment: i.comment, properties: indexProperties(i) })),
    comment: row.comment,
    owned: row.owned,
    options: row.options ?? [],
    unhandled: row.unhandled,
    rowSecurityActive: row.row_security_active,
    unlogged: row.unlogged,
    rowEstimate: row.row_estimate === null ? null : Number(row.row_estimate),
    sizeBytes: Number(row.size_bytes),
    sequences: sequences.map((s) => qualifiedName(s.schema, s.name)),
  };
}

function toColumn(row: ColumnRow): Column {
  return {
    name: row.name,
    position: row.position,
    type: row.type,
    userType: optionalName(row.user_type_schema, row.user_type_name),
    category: row.category,
    binaryPortable: row.binary_portable,
    equality: row.equality,
    notNull: row.not_null,
    default: row.default_expr,
    generated: row.generated === "s" ? "stored" : row.generated === "v" ? "virtual" : null,
    identity: row.identity === "a" ? "always" : row.identity === "d" ? "by default" : null,
    collation: optionalName(row.collation_schema, row.collation_name),
    comment: row.comment,
  };
}

const CONSTRAINT_KINDS: Record<ConstraintRow["type"], ConstraintKind> = {
  p: "primary",
  u: "unique",
  c: "check",
  f: "foreign",
  x: "exclusion",
};

function indexProperties(row: IndexPropertiesRow): IndexProperties {
  return {
    clustered: row.clustered ?? false,
    replicaIdentity: row.replica_identity ?? false,
    valid: row.valid ?? true,
    tablespace: row.tablespace,
    statistics: (row.statistics ?? []).map((s) => ({ column: s.column, target: s.target })),
    hasDependents: row.has_dependents ?? false,
  };
}

function toConstraint(row: ConstraintRow): Constraint {
  return {
    ...(row.type === "p" || row.type === "u" || row.type === "x" ? { index: { ...indexProperties(row), comment: row.index_comment } } : {}),
    name: row.name,
    kind: CONSTRAINT_KINDS[row.type],
    definition: row.definition,
    columns: row.columns,
    references: optionalName(row.ref_schema, row.ref_name),
    referencedColumns: row.ref_columns,
    deferrable: row.deferrable,
    initiallyDeferred: row.deferred,
    comment: row.comment,
  };
}

function toSequence(row: SequenceRow): Sequence {
  const owner = optionalName(row.owner_schema, row.owner_table);
  return {
    name: qualifiedName(row.schema, row.name),
    dataType: row.data_type,
    start: row.start,
    increment: row.increment,
    min: row.min,
    max: row.max,
    cache: row.cache,
    cycle: row.cycle,
    lastValue: row.last_value,
    ownedBy: owner && row.owner_column ? { table: owner, column: row.owner_column } : null,
    identity: row.identity,
    readable: row.readable,
    comment: row.comment,
  };
}

/** A partitioned table's own size and estimate are zero: report its partitions' totals. */
function withPartitionTotals(tables: Table[]): Table[] {
  const totals = new Map<string, { rows: number | null; bytes: number }>();
  const parentOf = new Map(tables.map((t) => [key(t.name), t.partitioning.parent]));
  for (const table of tables) {
    for (let parent = table.partitioning.parent; parent; parent = parentOf.get(key(parent)) ?? null) {
      const sum = totals.get(key(parent)) ?? { rows: 0, bytes: 0 };
      if (!table.partitioned) {
        sum.rows = sum.rows === null || table.rowEstimate === null ? null : sum.rows + table.rowEstimate;
        sum.bytes += table.sizeBytes;
      }
      totals.set(key(parent), sum);
    }
  }
  return tables.map((t) => {
    const sum = totals.get(key(t.name));
    return t.partitioned && sum ? { ...t, rowEstimate: sum.rows, sizeBytes: sum.bytes } : t;
  });
}

const key = (q: QualifiedName) => `${q.schema}\u0000${q.name}`;

function optionalName(schema: string | null, name: string | null): QualifiedName | null {
  return schema !== null && name !== null ? qualifiedName(schema, name) : null;
}

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

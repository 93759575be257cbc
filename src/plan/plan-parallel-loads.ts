/**
 * Which created tables load in parallel (--jobs > 1), and how. One target transaction cannot be
 * shared by several sessions, so such a table loads as a shadow: a worker session creates it in a
 * private load schema, COPYs into it, bulk-builds its keys and indexes and commits; the run's own
 * transaction then moves it into place (ALTER TABLE … SET SCHEMA, catalog only) and adds its
 * defaults, identity, FKs, triggers and comments. If the run fails, the move never commits and the
 * load schemas are dropped, so the target's own schemas are as they were. Pure.
 *
 * A table qualifies when its shadow needs nothing the run itself creates (types, functions,
 * extensions are not visible to other sessions before COMMIT), it is a plain table (not
 * partitioned, not a partition), its rows go straight in (no conversion, no merge), and every
 * index can be rebuilt on another table. Defaults and identity are left off the shadow because
 * they may name a sequence the run creates.
 */
import { indexDefinitionOn } from "../ddl/index-definition.js";
import { isSchemaObjectStatement } from "../ddl/render-schema-objects.js";
import type { Table } from "../model/catalog.js";
import type { DdlStatement } from "../model/ddl-statement.js";
import type { SyncPlan, TableAction } from "../model/plan.js";
import { nameKey, qualifiedName, sameName, type QualifiedName } from "../model/qualified-name.js";

export interface ParallelLoad {
  /** Where the table ends up. */
  readonly table: QualifiedName;
  /** The shadow table in a load schema. */
  readonly loadTable: QualifiedName;
  /** In the worker's transaction, before the COPY. */
  readonly create: DdlStatement;
  /** In the worker's transaction, after the COPY: keys and indexes, built in bulk. */
  readonly build: readonly DdlStatement[];
  /** In the run's transaction: move into place, then defaults and identity (catalog only). */
  readonly attach: readonly DdlStatement[];
}

export interface ParallelLoadPlan {
  /** Created (and committed) before the workers start; dropped when the run ends. */
  readonly loadSchemas: readonly string[];
  readonly loads: readonly ParallelLoad[];
  /** The plan's pre-data and post-data without what the shadows create and build. */
  readonly preData: readonly DdlStatement[];
  readonly postData: readonly DdlStatement[];
}

/** Load schemas are named `pgferry_load_<token>_<n>`; any such schema on the target is a stale one. */
export const LOAD_SCHEMA_PREFIX = "pgferry_load_";

type CreateAction = Extract<TableAction, { kind: "create" }>;
type CreateTable = Extract<DdlStatement, { kind: "create-table" }>;

export function planParallelLoads(plan: SyncPlan, token: string): ParallelLoadPlan {
  const created = createdByRun(plan.preData);
  const eligible = plan.actions.filter((a): a is CreateAction => a.kind === "create" && qualifies(a, plan.preData, created));
  const schemas = [...new Set(eligible.map((a) => a.table.schema))];
  const loadSchema = new Map(schemas.map((schema, i) => [schema, `${LOAD_SCHEMA_PREFIX}${token}_${i + 1}`]));
  const loads = eligible.map((action) => planLoad(action, createStatement(plan.preData, action.table)!, loadSchema.get(action.table.schema)!));
  const moved = new Set(loads.map((l) => nameKey(l.table)));
  return {
    loadSchemas: [...loadSchema.values()],
    loads,
    preData: plan.preData.filter((s) => !(s.kind === "create-table" && moved.has(nameKey(s.table.name)))),
    postData: plan.postData.filter((s) => !(isBuiltByShadow(s) && moved.has(nameKey(s.table)))),
  };
}

function planLoad(action: CreateAction, statement: CreateTable, schema: string): ParallelLoad {
  const table = statement.table;
  const loadTable = qualifiedName(schema, table.name.name);
  const shadow: Table = {
    ...table,
    name: loadTable,
    columns: table.columns.map((c) => (c.generated ? c : { ...c, default: null, identity: null })),
  };
  const keys = table.constraints
    .filter((c) => c.kind === "primary" || c.kind === "unique" || c.kind === "exclusion")
    .map((constraint): DdlStatement => ({ kind: "add-constraint", table: loadTable, constraint }));
  const indexes = table.indexes.map((index): DdlStatement => ({ kind: "create-index", table: loadTable, name: index.name, definition: indexDefinitionOn(index, loadTable)! }));
  const attach: DdlStatement[] = [{ kind: "set-schema", table: loadTable, schema: action.table.schema }];
  for (const column of table.columns) {
    if (column.generated) continue;
    if (column.identity) {
      const sequence = statement.identitySequences.find((s) => s.ownedBy && sameName(s.ownedBy.table, table.name) && s.ownedBy.column === column.name) ?? null;
      attach.push({ kind: "add-identity", table: action.table, column: column.name, identity: column.identity, sequence });
    } else if (column.default !== null) {
      attach.push({ kind: "set-default", table: action.table, column: column.name, expression: column.default });
    }
  }
  return { table: action.table, loadTable, create: { kind: "create-table", table: shadow, identitySequences: [] }, build: [...keys, ...indexes], attach };
}

interface CreatedByRun {
  readonly types: ReadonlySet<string>;
  readonly functions: ReadonlySet<string>;
  readonly extensions: ReadonlySet<string>;
  /** The run creates collations, operators, operator classes or text search objects (any table may use one). */
  readonly schemaObjects: boolean;
}

function createdByRun(preData: readonly DdlStatement[]): CreatedByRun {
  const types = new Set<string>();
  const functions = new Set<string>();
  const extensions = new Set<string>();
  for (const s of preData) {
    if (s.kind === "create-enum" || s.kind === "create-domain" || s.kind === "create-composite" || s.kind === "create-range") types.add(nameKey(s.type.name));
    else if (s.kind === "create-function" || s.kind === "create-aggregate") functions.add(s.function.key);
    else if (s.kind === "create-extension") extensions.add(s.name);
  }
  const schemaObjects = preData.some(isSchemaObjectStatement);
  return { types, functions, extensions, schemaObjects };
}

function qualifies(action: CreateAction, preData: readonly DdlStatement[], created: CreatedByRun): boolean {
  const table = createStatement(preData, action.table)?.table;
  if (!table || action.copy.staged || action.copy.merge) return false;
  if (table.partitioned || table.partitioning.parent || created.schemaObjects) return false;
  // An INHERITS parent or child must see the other in its own session; column statistics, storage
  // and compression are set on the final name before the data.
  if (table.inherits?.length || preData.some((s) => s.kind === "create-table" && s.table.inherits?.some((p) => sameName(p, action.table)))) return false;
  if (preData.some((s) => s.kind === "column-property" && sameName(s.table, action.table))) return false;
  if (table.columns.some((c) => c.userType && created.types.has(nameKey(c.userType)))) return false;
  if (table.functions.some((f) => created.functions.has(f)) || table.extensions.some((e) => created.extensions.has(e))) return false;
  return table.indexes.every((index) => indexDefinitionOn(index, table.name) !== null);
}

function createStatement(preData: readonly DdlStatement[], table: QualifiedName): CreateTable | undefined {
  return preData.find((s): s is CreateTable => s.kind === "create-table" && sameName(s.table.name, table));
}

function isBuiltByShadow(s: DdlStatement): s is Extract<DdlStatement, { kind: "add-constraint" | "create-index" }> {
  return (s.kind === "add-constraint" && (s.constraint.kind === "primary" || s.constraint.kind === "unique" || s.constraint.kind === "exclusion")) || s.kind === "create-index";
}

/**
 * Before anything is written (and in --dry-run): run the plan's DDL that creates or alters
 * objects on the target inside a transaction that is always rolled back, each statement in its
 * own savepoint, so every statement the target's PostgreSQL version cannot run is found in one
 * pass. Each failure is one error diagnostic naming the object, the target's version and the
 * server's message. Statements that only drop and rebuild the target's own keys, indexes and FKs
 * (refresh path, FK cycles) are the target's own definitions and are not rehearsed. A column
 * added to an existing table is rehearsed on an empty temporary copy of that table, so the
 * rehearsal neither rewrites nor locks it beyond a read. Nothing stays on the target: the
 * rollback removes every object, lock and temporary table. A protected target (which a dry run
 * may read) is never rehearsed on: the plan says so in a warning.
 */
import type { Endpoint } from "../config/resolve-endpoint.js";
import { SafetyError } from "../errors.js";
import type { Catalog, View } from "../model/catalog.js";
import type { DdlStatement } from "../model/ddl-statement.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { SyncPlan } from "../model/plan.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";
import { connectionLostError, isConnectionLoss } from "../pg/connection-loss.js";
import { describePgError, sqlstateOf } from "../pg/describe-pg-error.js";
import { millisecondsSetting, type SqlSession } from "../pg/session.js";
import { quoteIdent, quoteQualified } from "../sql/quote.js";
import { runDdl } from "./run-ddl.js";
import { assertWritableSession } from "./target-protection.js";

/** Seconds a rehearsed statement may wait for a lock (an FK's referenced table, a copied table's definition). */
const REHEARSAL_LOCK_TIMEOUT_SECONDS = 3;

/** Kinds that only change the target's own existing definitions (drops before a rebuild, FK cycle handling, parallel moves). */
const NOT_REHEARSED = new Set<DdlStatement["kind"]>([
  "drop-constraint",
  "drop-index",
  "defer-constraint",
  "set-schema",
  // --privileges: checked by the planner (roles exist, the target role may become each owner); an
  // ALTER … OWNER TO on an existing table would lock it in a dry run.
  "set-owner",
  "grant",
  "revoke",
  "grant-default",
  "revoke-default",
]);
/** Kinds that rebuild a key or index of an existing table on the refresh path (rehearsed only on objects the run creates). */
const ON_CREATED_ONLY = new Set<DdlStatement["kind"]>(["add-constraint", "create-index", "cluster-on", "replica-identity-index", "index-statistics"]);

/**
 * The rehearsal of a run into `endpoint`: none on a protected target (a dry run there only reads),
 * a warning instead, and none for a plan that is refused already.
 */
export async function rehearseOnTarget(plan: SyncPlan, target: SqlSession, targetCatalog: Pick<Catalog, "serverVersion">, endpoint: Endpoint): Promise<Diagnostic[]> {
  // A plan the planner refuses is not rehearsed: its lines name the objects that cannot be created,
  // and what is built on them would only fail again for the same reason.
  if (rehearsedStatements(plan).length === 0 || plan.diagnostics.some((d) => d.level === "error")) return [];
  try {
    if (endpoint.protected) throw new SafetyError(`target ${endpoint.label} is protected`);
    await assertWritableSession(target, endpoint);
  } catch (error) {
    if (!(error instanceof SafetyError)) throw error;
    return [{ level: "warning", message: `the schema changes were not rehearsed on the target (it is protected, and a dry run there only reads): a real run checks them before writing` }];
  }
  return rehearseDdl(plan, target, targetCatalog);
}

export async function rehearseDdl(plan: SyncPlan, target: SqlSession, targetCatalog: Pick<Catalog, "serverVersion">): Promise<Diagnostic[]> {
  const statements = rehearsedStatements(plan);
  if (statements.length === 0) return [];
  const [state] = await target.query<{ readOnly: boolean }>(
    "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on' OR current_setting('default_transaction_read_only') = 'on' AS \"readOnly\"",
  );
  if (state?.readOnly) {
    return [{ level: "warning", message: `the ${statements.length} schema change(s) were not rehearsed: the target session is read-only` }];
  }
  const major = Math.floor(targetCatalog.serverVersion / 10000);
  const problems: Diagnostic[] = [];
  const failed = new Set<string>();
  await target.query("BEGIN");
  try {
    await target.query(
      `SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', '0', true), set_config('check_function_bodies', 'off', true),
              set_config('DateStyle', 'ISO, MDY', true), set_config('IntervalStyle', 'postgres', true)`,
      [millisecondsSetting(REHEARSAL_LOCK_TIMEOUT_SECONDS)],
    );
    for (const [index, statement] of statements.entries()) {
      // A statement on an object whose creation failed fails for that reason only: the object's line says it.
      if (dependsOn(statement).some((key) => failed.has(key))) {
        for (const key of creates(statement)) failed.add(key);
        continue;
      }
      await target.query("SAVEPOINT pgferry_rehearsal");
      try {
        await rehearse(target, statement, index);
        await target.query("RELEASE SAVEPOINT pgferry_rehearsal");
      } catch (error) {
        if (isConnectionLoss(error, target)) throw connectionLostError("target", "rehearsing the schema changes", error);
        await target.query("ROLLBACK TO SAVEPOINT pgferry_rehearsal");
        for (const key of creates(statement)) failed.add(key);
        problems.push(describeFailure(statement, major, error));
      }
    }
  } finally {
    await target.query("ROLLBACK").catch(() => undefined); // a dead connection rolls back on the server
  }
  return problems;
}

/** The statements of the plan that create or alter objects (see the module comment). */
export function rehearsedStatements(plan: SyncPlan): DdlStatement[] {
  const all = [...plan.preData, ...plan.postData];
  const created = new Set<string>();
  for (const statement of all) {
    if (statement.kind === "create-table") created.add(nameKey(statement.table.name));
    if (statement.kind === "create-view") created.add(nameKey(statement.view.name));
  }
  return all.filter((statement) => {
    if (NOT_REHEARSED.has(statement.kind)) return false;
    if (ON_CREATED_ONLY.has(statement.kind) && "table" in statement) return created.has(nameKey(statement.table as QualifiedName));
    return true;
  });
}

async function rehearse(target: SqlSession, statement: DdlStatement, index: number): Promise<void> {
  if (statement.kind === "create-view") {
    await runDdl(target, statement);
    return checkViewColumns(target, statement.view);
  }
  if (statement.kind !== "add-column") return runDdl(target, statement);
  // The same ALTER on an empty copy of the table's columns: the real table is neither rewritten
  // (a stored generated column) nor locked beyond ACCESS SHARE.
  const copy = { schema: "pg_temp", name: `pgferry_rehearsal_${index}` };
  await target.querySingle(`CREATE TEMPORARY TABLE ${quoteQualified(copy)} (LIKE ${quoteQualified(statement.table)})`);
  await runDdl(target, { ...statement, table: copy });
}

/** A view whose definition means other column types on the target (a function's result type changed between versions). */
class ViewColumnsDiffer extends Error {}

/**
 * The created view's columns against the source's: the same definition can mean another type on
 * another major version (EXTRACT returns numeric from 14, double precision before), which would
 * silently change what the view returns. Types are printed with only pg_catalog on the path, as
 * introspection prints them.
 */
async function checkViewColumns(target: SqlSession, view: View): Promise<void> {
  if (!view.columns) return;
  const [saved] = await target.query<{ path: string }>("SELECT current_setting('search_path') AS path, set_config('search_path', 'pg_catalog', true)");
  const created = await target.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [quoteQualified(view.name)],
  );
  await target.query("SELECT set_config('search_path', $1, true)", [saved?.path ?? '"$user", public']);
  const types = new Map(created.map((c) => [c.name, c.type]));
  const differ = view.columns.filter((c) => types.has(c.name) && types.get(c.name) !== c.type);
  if (differ.length > 0) {
    throw new ViewColumnsDiffer(
      `its definition gives ${differ.map((c) => `column ${quoteIdent(c.name)} type ${types.get(c.name)} there, ${c.type} on the source`).join("; ")}`,
    );
  }
}

function describeFailure(statement: DdlStatement, major: number, error: unknown): Diagnostic {
  if (error instanceof ViewColumnsDiffer) {
    return { level: "error", message: `${objectOf(statement)}: cannot be created with the same column types on PostgreSQL ${major}: ${error.message}` };
  }
  const reason = describePgError(error).replace(/ \[SQLSTATE [0-9A-Z]{5}\]$/, "");
  if (sqlstateOf(error) === "55P03") {
    // Busy, not invalid: the real run waits for the lock as long as --lock-timeout allows.
    return { level: "warning", message: `${objectOf(statement)}: not rehearsed on the target: another session holds a lock it needs (${reason})` };
  }
  return { level: "error", message: `${objectOf(statement)}: cannot be ${verbOf(statement)} on PostgreSQL ${major}: ${reason}` };
}

function onTable(table: QualifiedName, name: string): QualifiedName {
  return { schema: table.schema, name };
}

/** The object a statement creates or changes, for its line: `view public.v`, `index public.t_a_idx`… */
function objectOf(statement: DdlStatement): string {
  switch (statement.kind) {
    case "create-schema":
      return `schema ${statement.schema}`;
    case "create-extension":
      return `extension ${statement.name}`;
    case "create-enum":
    case "create-domain":
    case "create-composite":
    case "create-range":
      return `type ${displayName(statement.type.name)}`;
    case "create-function":
      return `function ${statement.function.key}`;
    case "create-aggregate":
      return `aggregate ${statement.function.key}`;
    case "create-sequence":
      return `sequence ${displayName(statement.sequence.name)}`;
    case "create-table":
      return `table ${displayName(statement.table.name)}`;
    case "add-column":
      return `column ${displayName(statement.table)}.${statement.column.name}`;
    case "set-default":
    case "add-identity":
      return `column ${displayName(statement.table)}.${statement.column}`;
    case "add-constraint":
      return `constraint ${statement.constraint.name} on ${displayName(statement.table)}`;
    case "create-index":
    case "drop-index":
      return `index ${displayName(onTable(statement.table, statement.name))}`;
    case "cluster-on":
    case "replica-identity-index":
    case "index-statistics":
      return `index ${displayName(onTable(statement.table, statement.index))}`;
    case "create-view":
      return `${statement.view.materialized ? "materialized view" : "view"} ${displayName(statement.view.name)}`;
    case "refresh-materialized-view":
      return `materialized view ${displayName(statement.name)}`;
    case "create-trigger":
      return `trigger ${statement.trigger.name} on ${displayName(statement.table)}`;
    case "comment":
      return `comment on ${commentTargetName(statement.on)}`;
    case "sequence-owned-by":
      return `sequence ${displayName(statement.sequence)}`;
    case "drop-constraint":
    case "defer-constraint":
      return `constraint ${statement.name} on ${displayName(statement.table)}`;
    case "set-schema":
    case "replica-identity":
    case "row-security":
      return `table ${displayName(statement.table)}`;
    case "column-property":
      return `column ${displayName(statement.table)}.${statement.column}`;
    case "create-policy":
      return `policy ${statement.policy.name} on ${displayName(statement.table)}`;
    case "create-rule":
      return `rule ${statement.rule.name} on ${displayName(statement.table)}`;
    case "rule-enabled":
      return `rule ${statement.name} on ${displayName(statement.table)}`;
    case "create-statistics":
      return `statistics ${displayName(statement.statistics.name)}`;
    case "statistics-target":
      return `statistics ${displayName(statement.name)}`;
    case "create-collation":
      return `collation ${displayName(statement.collation.name)}`;
    case "create-operator":
      return `operator ${statement.operator.key}`;
    case "create-operator-family":
      return `operator family ${displayName(statement.family.name)}`;
    case "create-operator-class":
      return `operator class ${displayName(statement.operatorClass.name)}`;
    case "create-text-search-dictionary":
      return `text search dictionary ${displayName(statement.dictionary.name)}`;
    case "create-text-search-configuration":
      return `text search configuration ${displayName(statement.configuration.name)}`;
    case "set-owner":
    case "grant":
    case "revoke":
      return `${statement.object.kind} ${statement.object.kind === "schema" ? statement.object.name.schema : displayName(statement.object.name)}`;
    case "grant-default":
    case "revoke-default":
      return `default privileges of ${statement.role} in schema ${statement.schema}`;
    default:
      return assertNever(statement);
  }
}

function commentTargetName(on: Extract<DdlStatement, { kind: "comment" }>["on"]): string {
  switch (on.kind) {
    case "column":
      return `column ${displayName(on.table)}.${on.column}`;
    case "constraint":
    case "trigger":
      return `${on.kind} ${on.name} on ${displayName(on.table)}`;
    case "function":
      return `function ${on.function.key}`;
    case "schema":
      return `schema ${on.schema}`;
    case "policy":
    case "rule":
      return `${on.kind} ${on.name} on ${displayName(on.table)}`;
    case "operator":
      return `operator ${on.operator.key}`;
    default:
      return `${on.kind.replace("-", " ")} ${displayName(on.name)}`;
  }
}

function verbOf(statement: DdlStatement): string {
  switch (statement.kind) {
    case "add-column":
      return "added";
    case "refresh-materialized-view":
      return "refreshed";
    case "comment":
    case "sequence-owned-by":
    case "cluster-on":
    case "replica-identity-index":
    case "index-statistics":
    case "set-default":
    case "add-identity":
    case "column-property":
    case "replica-identity":
    case "row-security":
    case "rule-enabled":
    case "statistics-target":
      return "set";
    default:
      return "created";
  }
}

const relation = (name: QualifiedName) => nameKey(name);
const fn = (key: string) => `function\u0000${key}`;
const constraint = (table: QualifiedName, name: string) => `${nameKey(table)}\u0000constraint\u0000${name}`;
const trigger = (table: QualifiedName, name: string) => `${nameKey(table)}\u0000trigger\u0000${name}`;

/** Keys of the objects a statement brings into being (so statements on them are skipped when it fails). */
function creates(statement: DdlStatement): string[] {
  switch (statement.kind) {
    case "create-schema":
      return [`schema\u0000${statement.schema}`];
    case "create-extension":
      return [`extension\u0000${statement.name}`];
    case "create-enum":
    case "create-domain":
    case "create-composite":
    case "create-range":
      return [relation(statement.type.name)];
    case "create-function":
    case "create-aggregate":
      return [fn(statement.function.key)];
    case "create-sequence":
      return [relation(statement.sequence.name)];
    case "create-table":
      return [relation(statement.table.name)];
    case "create-view":
      return [relation(statement.view.name)];
    case "create-index":
      return [relation(onTable(statement.table, statement.name))];
    case "add-column":
      return [`${relation(statement.table)}\u0000${statement.column.name}`];
    // A key's index has the constraint's name.
    case "add-constraint":
      return [constraint(statement.table, statement.constraint.name), relation(onTable(statement.table, statement.constraint.name))];
    case "create-trigger":
      return [trigger(statement.table, statement.trigger.name)];
    case "create-policy":
      return [`${relation(statement.table)}\u0000policy\u0000${statement.policy.name}`];
    case "create-rule":
      return [`${relation(statement.table)}\u0000rule\u0000${statement.rule.name}`];
    case "create-statistics":
      return [relation(statement.statistics.name)];
    case "create-collation":
      return [relation(statement.collation.name)];
    case "create-operator":
      return [`operator\u0000${statement.operator.key}`];
    case "create-operator-family":
      return [relation(statement.family.name)];
    case "create-operator-class":
      return [relation(statement.operatorClass.name)];
    case "create-text-search-dictionary":
      return [relation(statement.dictionary.name)];
    case "create-text-search-configuration":
      return [relation(statement.configuration.name)];
    default:
      return [];
  }
}

/** Keys of the objects a statement needs that the same plan may create. */
function dependsOn(statement: DdlStatement): string[] {
  const schema = (name: string) => `schema\u0000${name}`;
  switch (statement.kind) {
    case "create-table": {
      const t = statement.table;
      return [
        schema(t.name.schema),
        ...(t.partitioning.parent ? [relation(t.partitioning.parent)] : []),
        ...t.columns.flatMap((c) => (c.userType ? [relation(c.userType)] : [])),
        ...t.sequences.map(relation),
        ...t.functions.map(fn),
        ...t.extensions.map((e) => `extension\u0000${e}`),
      ];
    }
    case "create-view":
      return [schema(statement.view.name.schema), ...statement.view.relations.map(relation), ...statement.view.functions.map(fn)];
    case "create-domain":
      return [schema(statement.type.name.schema), ...(statement.type.baseUserType ? [relation(statement.type.baseUserType)] : []), ...(statement.type.functions ?? []).map(fn)];
    case "create-range":
      return [schema(statement.type.name.schema), ...(statement.type.subtypeUserType ? [relation(statement.type.subtypeUserType)] : []), ...(statement.type.subtypeDiff?.key ? [fn(statement.type.subtypeDiff.key)] : [])];
    case "create-composite":
      return [schema(statement.type.name.schema), ...statement.type.attributes.flatMap((a) => (a.userType ? [relation(a.userType)] : []))];
    case "create-enum":
      return [schema(statement.type.name.schema)];
    case "create-function":
      return [schema(statement.function.name.schema), ...[...(statement.function.types ?? []), ...(statement.function.relations ?? [])].map(relation)];
    case "create-aggregate":
      return [schema(statement.function.name.schema), ...statement.function.aggregate.functions.map(fn)];
    case "create-sequence":
      return [schema(statement.sequence.name.schema)];
    case "create-extension":
      return [schema(statement.schema)];
    case "add-column":
      return statement.column.userType ? [relation(statement.column.userType)] : [];
    case "add-constraint":
      return [relation(statement.table), ...(statement.constraint.references ? [relation(statement.constraint.references)] : [])];
    case "refresh-materialized-view":
      return [relation(statement.name)];
    case "sequence-owned-by":
      return [relation(statement.sequence), relation(statement.table)];
    case "cluster-on":
    case "replica-identity-index":
    case "index-statistics":
      return [relation(statement.table), relation(onTable(statement.table, statement.index))];
    case "comment":
      return commentDependencies(statement.on);
    case "set-default":
    case "add-identity":
      return [relation(statement.table), `${relation(statement.table)}\u0000${statement.column}`];
    case "create-index":
    case "create-trigger":
    case "drop-constraint":
    case "drop-index":
    case "defer-constraint":
    case "set-schema":
      return [relation(statement.table)];
    case "create-schema":
      return [];
    case "column-property":
      return [relation(statement.table), `${relation(statement.table)}\u0000${statement.column}`];
    case "replica-identity":
    case "row-security":
    case "create-policy":
    case "create-rule":
      return [relation(statement.table)];
    case "rule-enabled":
      return [relation(statement.table), `${relation(statement.table)}\u0000rule\u0000${statement.name}`];
    case "create-statistics":
      return [schema(statement.statistics.name.schema)];
    case "statistics-target":
      return [relation(statement.name)];
    case "create-collation":
      return [schema(statement.collation.name.schema)];
    case "create-operator":
      return [schema(statement.operator.name.schema), ...[statement.operator.function, statement.operator.restrict, statement.operator.join].flatMap((f) => (f?.key ? [fn(f.key)] : []))];
    case "create-operator-family":
      return [schema(statement.family.name.schema)];
    case "create-operator-class":
      return [schema(statement.operatorClass.name.schema)];
    case "create-text-search-dictionary":
      return [schema(statement.dictionary.name.schema)];
    case "create-text-search-configuration":
      return [schema(statement.configuration.name.schema)];
    case "set-owner":
    case "grant":
    case "revoke":
    case "grant-default":
    case "revoke-default":
      return []; // never rehearsed (NOT_REHEARSED)
    default:
      return assertNever(statement);
  }
}

function commentDependencies(on: Extract<DdlStatement, { kind: "comment" }>["on"]): string[] {
  switch (on.kind) {
    case "column":
      return [relation(on.table), `${relation(on.table)}\u0000${on.column}`];
    case "constraint":
      return [relation(on.table), constraint(on.table, on.name)];
    case "trigger":
      return [relation(on.table), trigger(on.table, on.name)];
    case "function":
      return [fn(on.function.key)];
    case "schema":
      return [`schema\u0000${on.schema}`];
    case "policy":
    case "rule":
      return [relation(on.table), `${relation(on.table)}\u0000${on.kind}\u0000${on.name}`];
    case "operator":
      return [`operator\u0000${on.operator.key}`];
    default:
      return [relation(on.name)];
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled DDL statement ${JSON.stringify(value)}`);
}

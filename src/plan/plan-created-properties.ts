/**
 * What a created table carries besides its columns, keys and indexes, the way pg_dump restores it:
 * INHERITS parents (resolved here), column statistics targets, storage and compression (before the
 * data, so rows are stored the same way), CLUSTER ON, index statistics targets and REPLICA
 * IDENTITY (after the indexes), row-level security, policies, rules and extended statistics
 * (after the data, with their comments). Pure.
 */
import type { Catalog, Column, IndexProperties, Policy, Table, View } from "../model/catalog.js";
import type { DdlStatement } from "../model/ddl-statement.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";

export interface CreatedProperties {
  /** The created tables, with INHERITS parents left out where a parent will not exist. */
  readonly tables: readonly Table[];
  /** After every CREATE TABLE, before the data. */
  readonly preData: readonly DdlStatement[];
  /** After the keys and indexes. */
  readonly postIndexes: readonly DdlStatement[];
  /** After views and triggers. */
  readonly postData: readonly DdlStatement[];
  /** Schemas of extended statistics objects (to create when missing). */
  readonly schemas: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

export interface CreatedPropertiesInput {
  readonly created: readonly Table[];
  readonly source: Catalog;
  readonly target: Catalog;
  /** Tables that exist once the run has created its tables (nameKey). */
  readonly tablesAfterRun: ReadonlySet<string>;
  readonly views: readonly View[];
}

export function planCreatedProperties(input: CreatedPropertiesInput): CreatedProperties {
  const diagnostics: Diagnostic[] = [];
  const tables = input.created.map((t) => resolveInherits(t, input.tablesAfterRun, diagnostics));
  const preData = tables.flatMap((t) => columnProperties(t, input.source, input.target, diagnostics));
  const postIndexes = tables.flatMap(indexProperties);
  const readable = new Set([...input.tablesAfterRun, ...input.views.map((v) => nameKey(v.name)), ...input.target.views.map((v) => nameKey(v.name))]);
  const postData = tables.flatMap((t) => afterData(t, input.target, readable, diagnostics));
  const schemas = [...new Set(tables.flatMap((t) => (t.statistics ?? []).map((s) => s.name.schema)))];
  return { tables, preData, postIndexes, postData, schemas, diagnostics };
}

/** COMMENT ON SCHEMA for schemas the run creates. */
export function planSchemaComments(schemas: readonly string[], source: Catalog): DdlStatement[] {
  return schemas.flatMap((schema): DdlStatement[] => {
    const comment = source.schemaComments?.find((c) => c.schema === schema)?.comment;
    return comment === undefined ? [] : [{ kind: "comment", on: { kind: "schema", schema }, text: comment }];
  });
}

/**
 * The name a role of the source has on the target. Today the same name; the one place a role map
 * (--privileges) would translate it.
 */
export function targetRoleName(role: string): string {
  return role;
}

/** Roles a policy names that the target lacks (PUBLIC always exists; an older manifest lists none). */
export function policyRolesMissing(policy: Policy, target: Catalog): string[] {
  if (!target.roles) return [];
  const roles = new Set(target.roles);
  return policy.roles.filter((r) => r !== "public" && !roles.has(targetRoleName(r)));
}

function resolveInherits(table: Table, tablesAfterRun: ReadonlySet<string>, diagnostics: Diagnostic[]): Table {
  const parents = table.inherits ?? [];
  const missing = parents.filter((p) => !tablesAfterRun.has(nameKey(p)));
  if (!missing.length) return table;
  diagnostics.push({
    level: "warning",
    table: table.name,
    message: `created without INHERITS (${parents.map(displayName).join(", ")}): ${missing.map(displayName).join(", ")} neither selected nor on the target, so a query on the parent will not see this table's rows`,
  });
  return { ...table, inherits: [] };
}

function columnProperties(table: Table, source: Catalog, target: Catalog, diagnostics: Diagnostic[]): DdlStatement[] {
  const statements: DdlStatement[] = [];
  const set = (column: Column, property: Extract<DdlStatement, { kind: "column-property" }>["property"]) =>
    statements.push({ kind: "column-property", table: table.name, column: column.name, property });
  const parents = (table.inherits ?? []).map((p) => source.tables.find((t) => nameKey(t.name) === nameKey(p)));
  let compressionSkipped = false;
  for (const column of table.columns) {
    // An inherited column takes its parents' default and NOT NULL; one set on the child itself is set again.
    if (parents.length && column.local === false) {
      const inherited = parents.flatMap((p) => p?.columns.filter((c) => c.name === column.name) ?? []);
      if (column.default !== null && !column.generated && !column.identity && !inherited.some((c) => c.default === column.default)) {
        set(column, { kind: "default", expression: column.default });
      }
      if (column.notNull && !inherited.some((c) => c.notNull)) set(column, { kind: "not-null" });
    }
    if (column.statistics != null) set(column, { kind: "statistics", target: column.statistics });
    if (column.storage) set(column, { kind: "storage", storage: column.storage });
    // SET COMPRESSION exists from PostgreSQL 14.
    if (column.compression && target.serverVersion >= 140000) set(column, { kind: "compression", method: column.compression });
    else if (column.compression) compressionSkipped = true;
  }
  if (compressionSkipped) {
    diagnostics.push({ level: "info", table: table.name, message: `column compression not set: the target server (PostgreSQL ${target.serverVersionText}) has no SET COMPRESSION (14+)` });
  }
  return statements;
}

function indexProperties(table: Table): DdlStatement[] {
  const statements = indexPropertyStatements(table.name, [
    ...table.constraints.flatMap((c) => (c.index ? [{ name: c.name, properties: c.index }] : [])),
    ...table.indexes,
  ]);
  if (table.replicaIdentity === "full" || table.replicaIdentity === "nothing") statements.push({ kind: "replica-identity", table: table.name, identity: table.replicaIdentity });
  return statements;
}

function afterData(table: Table, target: Catalog, readable: ReadonlySet<string>, diagnostics: Diagnostic[]): DdlStatement[] {
  const statements: DdlStatement[] = [];
  const comment = (on: Extract<DdlStatement, { kind: "comment" }>["on"], text: string | null) => {
    if (text !== null) statements.push({ kind: "comment", on, text });
  };
  const unreadable = (what: string, relations: readonly QualifiedName[]) => {
    const missing = relations.filter((r) => !readable.has(nameKey(r)));
    if (!missing.length) return false;
    diagnostics.push({ level: "warning", table: table.name, message: `${what} not created: it reads ${missing.map(displayName).join(", ")}, neither selected nor on the target` });
    return true;
  };
  if (table.rowSecurity?.enabled) statements.push({ kind: "row-security", table: table.name, action: "enable" });
  if (table.rowSecurity?.forced) statements.push({ kind: "row-security", table: table.name, action: "force" });
  for (const policy of table.policies ?? []) {
    const missing = policyRolesMissing(policy, target);
    if (missing.length) {
      diagnostics.push({
        level: "error",
        table: table.name,
        message: `policy "${policy.name}" names role${missing.length > 1 ? "s" : ""} ${missing.join(", ")}, missing on the target: create ${missing.length > 1 ? "them" : "it"} there, or leave the table out`,
      });
      continue;
    }
    if (unreadable(`policy "${policy.name}"`, policy.relations)) continue;
    statements.push({ kind: "create-policy", table: table.name, policy: { ...policy, roles: policy.roles.map((r) => (r === "public" ? r : targetRoleName(r))) } });
    comment({ kind: "policy", table: table.name, name: policy.name }, policy.comment);
  }
  for (const rule of table.rules ?? []) {
    if (unreadable(`rule "${rule.name}"`, rule.relations)) continue;
    statements.push({ kind: "create-rule", table: table.name, rule });
    if (rule.enabled !== "O") statements.push({ kind: "rule-enabled", table: table.name, name: rule.name, enabled: rule.enabled });
    comment({ kind: "rule", table: table.name, name: rule.name }, rule.comment);
  }
  for (const statistics of table.statistics ?? []) {
    // Statistics on expressions exist from PostgreSQL 14.
    if (statistics.expressions && target.serverVersion < 140000) {
      diagnostics.push({ level: "warning", table: table.name, message: `extended statistics ${displayName(statistics.name)} not created: it covers expressions, which the target server (PostgreSQL ${target.serverVersionText}) has no statistics on (14+)` });
      continue;
    }
    statements.push({ kind: "create-statistics", statistics });
    // ALTER STATISTICS … SET STATISTICS exists from PostgreSQL 13.
    if (statistics.target !== null && target.serverVersion >= 130000) statements.push({ kind: "statistics-target", name: statistics.name, target: statistics.target });
    else if (statistics.target !== null) {
      diagnostics.push({ level: "info", table: table.name, message: `statistics target of ${displayName(statistics.name)} not set: the target server has no ALTER STATISTICS … SET STATISTICS (13+)` });
    }
    comment({ kind: "statistics", name: statistics.name }, statistics.comment);
  }
  return statements;
}

/** What a created index of a table or materialized view carries besides its definition: statistics targets, CLUSTER ON, replica identity. */
export function indexPropertyStatements(owner: QualifiedName, indexes: readonly { readonly name: string; readonly properties?: IndexProperties }[]): DdlStatement[] {
  const statements: DdlStatement[] = [];
  for (const { name: index, properties } of indexes) {
    if (!properties) continue;
    for (const s of properties.statistics) statements.push({ kind: "index-statistics", table: owner, index, column: s.column, target: s.target });
    if (properties.clustered) statements.push({ kind: "cluster-on", table: owner, index });
    if (properties.replicaIdentity) statements.push({ kind: "replica-identity-index", table: owner, index });
  }
  return statements;
}

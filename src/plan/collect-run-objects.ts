/**
 * The objects a run creates or writes, as privilege keys: the tables it copies (created or
 * existing), their sequences, and every schema, view, routine, type and sequence it creates; and
 * the schemas it syncs whole, every object of which (created or already on the target) is the
 * run's. Pure.
 */
import type { Catalog } from "../model/catalog.js";
import type { DdlStatement } from "../model/ddl-statement.js";
import type { SyncPlan } from "../model/plan.js";
import { privilegeKey } from "../model/privileges.js";
import { nameKey, type QualifiedName } from "../model/qualified-name.js";

export interface RunObjects {
  /** Privilege keys of the run's objects (source names). */
  readonly keys: readonly string[];
  /** Schemas the run creates, writes into or syncs whole: their default privileges are carried. */
  readonly schemas: readonly string[];
  /** Schemas synced whole: each of their objects the target has after the run is the run's too. */
  readonly wholeSchemas: ReadonlySet<string>;
  /** The columns a relation has after the run (column grants on others cannot apply); null: any. */
  readonly columnsOf: (key: string) => ReadonlySet<string> | null;
}

export function collectRunObjects(
  plan: Pick<SyncPlan, "actions" | "preData" | "postData">,
  source: Catalog,
  target: Catalog,
  wholeSchemas: ReadonlySet<string> = new Set(),
): RunObjects {
  const statements: readonly DdlStatement[] = [...plan.preData, ...plan.postData];
  const createdTables = new Map(statements.flatMap((s) => (s.kind === "create-table" ? [[nameKey(s.table.name), s.table] as const] : [])));
  const targetTables = new Map(target.tables.map((t) => [nameKey(t.name), t]));
  const sourceTables = new Map(source.tables.map((t) => [nameKey(t.name), t]));
  const tables = plan.actions
    .filter((a) => a.kind !== "truncate-cascade" && (createdTables.has(nameKey(a.table)) || targetTables.has(nameKey(a.table))))
    .map((a) => a.table);
  const tableKeys = new Set(tables.map(nameKey));
  const sequences: QualifiedName[] = [
    ...statements.flatMap((s) => (s.kind === "create-sequence" ? [s.sequence.name] : s.kind === "create-table" ? s.identitySequences.map((q) => q.name) : [])),
    ...tables.flatMap((t) => sourceTables.get(nameKey(t))?.sequences ?? []),
    ...source.sequences.filter((s) => s.ownedBy && tableKeys.has(nameKey(s.ownedBy.table))).map((s) => s.name),
  ];
  const views = statements.flatMap((s) => (s.kind === "create-view" ? [s.view.name] : []));
  const routines = statements.flatMap((s) => (s.kind === "create-function" || s.kind === "create-aggregate" ? [privilegeKey("function", s.function.name, s.function.identityArguments)] : []));
  const types = statements.flatMap((s) => (s.kind === "create-enum" || s.kind === "create-domain" || s.kind === "create-composite" ? [s.type.name] : []));
  const schemas = [...new Set([...statements.flatMap((s) => (s.kind === "create-schema" ? [s.schema] : [])), ...tables.map((t) => t.schema), ...wholeSchemas])];
  const keys = [
    ...schemas.map((s) => privilegeKey("schema", { schema: s, name: s })),
    ...[...tables, ...views, ...sequences].map((name) => privilegeKey("table", name)),
    ...routines,
    ...types.map((name) => privilegeKey("type", name)),
  ];
  const added = statements.flatMap((s) => (s.kind === "add-column" ? [[nameKey(s.table), s.column.name] as const] : []));
  const columns = new Map<string, Set<string>>();
  for (const t of tables) {
    const on = targetTables.get(nameKey(t)) ?? createdTables.get(nameKey(t));
    const names = new Set(on?.columns.map((c) => c.name) ?? []);
    for (const [table, column] of added) if (table === nameKey(t)) names.add(column);
    columns.set(privilegeKey("table", t), names);
  }
  return { keys: [...new Set(keys)], schemas, wholeSchemas, columnsOf: (key) => columns.get(key) ?? null };
}

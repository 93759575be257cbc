/**
 * The fast refresh path: a refreshed table is loaded bare. Inside the run's one transaction, its
 * keys, indexes and foreign keys are dropped before the TRUNCATE, the rows are COPYed into the
 * bare table, and everything dropped is built again from the target's own definitions (bulk index
 * builds, each FK validated once by one join) with every property the drop lost: comments,
 * CLUSTER ON, REPLICA IDENTITY USING INDEX, index statistics targets. The table itself is never
 * dropped, so its grants, owner, triggers, policies, dependent views, sequences, storage settings
 * and publication membership are untouched. A failed or killed run rolls all of it back.
 *
 * This replaces maintaining every index and checking every FK row by row, which made a refresh
 * of a populated target 2-3× slower than loading an empty one. Pure.
 *
 * A table keeps its indexes in place (today's path, still correct) when the target role does not
 * own it (DROP INDEX needs the owner), when it is partitioned or a partition (partition indexes
 * hang on the parent's), or when an index lives in another tablespace. A key or index something
 * else depends on (a view grouping by the primary key) stays in place, as do the keys of a table
 * referenced by a foreign key the role cannot drop. The plan says which path each table takes.
 */
import type { Constraint, Index, IndexProperties, Table } from "../model/catalog.js";
import type { DdlStatement } from "../model/ddl-statement.js";
import type { FkRef, RefreshPath } from "../model/plan.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";

export interface IndexRebuildInput {
  /** Refreshed (truncated and reloaded) tables, by target name. */
  readonly refreshed: readonly QualifiedName[];
  /** The target's tables: whose indexes are rebuilt, and who references them. */
  readonly targetTables: readonly Table[];
  /** FKs the load-order strategy already drops and re-adds (cycles): left to it. */
  readonly strategyDropped: readonly FkRef[];
}

export interface IndexRebuild {
  /** Before the TRUNCATE: foreign keys first, then keys, then indexes. */
  readonly drop: readonly DdlStatement[];
  /** After the load: keys and indexes, then foreign keys, then what the drop lost. */
  readonly rebuild: readonly DdlStatement[];
  /** Each refreshed table's path, by nameKey. */
  readonly paths: ReadonlyMap<string, RefreshPath>;
}

interface DroppedFk {
  readonly table: QualifiedName;
  readonly constraint: Constraint;
}

export function planIndexRebuild(input: IndexRebuildInput): IndexRebuild {
  const byKey = new Map(input.targetTables.map((t) => [nameKey(t.name), t]));
  const referencedBy = referencingFks(input.targetTables);
  const strategyDropped = new Set(input.strategyDropped.map((r) => fkKey(r.table, r.name)));
  const paths = new Map<string, RefreshPath>();
  const fks = new Map<string, DroppedFk>();
  const keys: { table: QualifiedName; constraint: Constraint }[] = [];
  const indexes: { table: QualifiedName; index: Index }[] = [];

  for (const name of input.refreshed) {
    const table = byKey.get(nameKey(name));
    if (!table) continue;
    const reason = inPlaceReason(table);
    if (reason) {
      paths.set(nameKey(name), { kind: "in-place", reason });
      continue;
    }
    const kept: string[] = [];
    const referencing = referencedBy.get(nameKey(table.name)) ?? [];
    const blocker = referencing.find((fk) => !byKey.get(nameKey(fk.table))?.owned);
    const ownFks = table.constraints.filter((c) => c.kind === "foreign");
    const tableKeys = table.constraints.filter((c) => isKey(c));
    let rebuiltKeys = 0;
    let rebuiltIndexes = 0;
    let rebuiltUnique = false;
    for (const constraint of tableKeys) {
      const why = keptBecause(constraint.index, blocker);
      if (why) kept.push(`${constraint.name} (${why})`);
      else {
        keys.push({ table: table.name, constraint });
        rebuiltKeys++;
      }
    }
    for (const index of table.indexes) {
      const unique = /^CREATE UNIQUE /.test(index.definition);
      const why = keptBecause(index.properties, unique ? blocker : undefined);
      if (why) kept.push(`${index.name} (${why})`);
      else {
        indexes.push({ table: table.name, index });
        rebuiltIndexes++;
        rebuiltUnique ||= unique;
      }
    }
    // A key or unique index that goes takes every FK pointing at the table with it (they depend on it).
    const dropsReferenced = rebuiltKeys > 0 || rebuiltUnique;
    const tableFks = [...ownFks.map((constraint) => ({ table: table.name, constraint })), ...(dropsReferenced ? referencing : [])];
    const ownRebuilt = new Set<string>();
    for (const fk of tableFks) {
      const key = fkKey(fk.table, fk.constraint.name);
      if (strategyDropped.has(key)) continue;
      if (!fks.has(key)) fks.set(key, fk);
      // A self-reference is both the table's own FK and one pointing at it: counted once.
      if (nameKey(fk.table) === nameKey(table.name)) ownRebuilt.add(key);
    }
    const rebuiltFks = ownRebuilt.size;
    if (rebuiltKeys + rebuiltIndexes + rebuiltFks === 0 && kept.length === 0) {
      paths.set(nameKey(name), { kind: "in-place", reason: "no keys, indexes or foreign keys to rebuild" });
      continue;
    }
    paths.set(nameKey(name), { kind: "rebuild", keys: rebuiltKeys, indexes: rebuiltIndexes, foreignKeys: rebuiltFks, kept });
  }

  const fkList = [...fks.values()];
  const drop: DdlStatement[] = [
    ...fkList.map((fk): DdlStatement => ({ kind: "drop-constraint", table: fk.table, name: fk.constraint.name })),
    ...keys.map((k): DdlStatement => ({ kind: "drop-constraint", table: k.table, name: k.constraint.name })),
    ...indexes.map((i): DdlStatement => ({ kind: "drop-index", table: i.table, name: i.index.name })),
  ];
  const rebuild: DdlStatement[] = [
    ...keys.map((k): DdlStatement => ({ kind: "add-constraint", table: k.table, constraint: k.constraint })),
    ...indexes.map((i): DdlStatement => ({ kind: "create-index", table: i.table, name: i.index.name, definition: i.index.definition })),
    ...fkList.map((fk): DdlStatement => ({ kind: "add-constraint", table: fk.table, constraint: fk.constraint })),
    ...keys.flatMap((k) => lostProperties(k.table, k.constraint.name, k.constraint.index, { kind: "constraint", table: k.table, name: k.constraint.name }, k.constraint.comment)),
    ...indexes.flatMap((i) => lostProperties(i.table, i.index.name, i.index.properties, { kind: "index", name: { schema: i.table.schema, name: i.index.name } }, i.index.comment)),
    ...fkList.flatMap((fk): DdlStatement[] =>
      fk.constraint.comment === null ? [] : [{ kind: "comment", on: { kind: "constraint", table: fk.table, name: fk.constraint.name }, text: fk.constraint.comment }],
    ),
  ];
  return { drop, rebuild, paths };
}

function inPlaceReason(table: Table): string | null {
  if (table.owned !== true) return "the target role does not own it (dropping and rebuilding indexes needs the owner)";
  if (table.partitioned) return "partitioned: its partitions' indexes hang on the parent's";
  if (table.partitioning.parent) return `a partition of ${displayName(table.partitioning.parent)}: its indexes hang on the parent's`;
  const deferred = table.triggers.find((t) => (t.enabled === "O" || t.enabled === "A") && /^CREATE CONSTRAINT TRIGGER .* INITIALLY DEFERRED /s.test(t.definition));
  if (deferred) return `its deferred constraint trigger ${deferred.name} leaves events pending until COMMIT, and ALTER TABLE refuses a table with pending events`;
  const elsewhere = [
    ...table.constraints.filter(isKey).map((c) => ({ name: c.name, properties: c.index })),
    ...table.indexes.map((i) => ({ name: i.name, properties: i.properties })),
  ].find((i) => i.properties?.tablespace);
  if (elsewhere) return `index ${elsewhere.name} lives in tablespace ${elsewhere.properties!.tablespace}`;
  return null;
}

/** Why one key or index stays in place, or null when it is dropped and rebuilt. */
function keptBecause(properties: IndexProperties | undefined, blocker: DroppedFk | undefined): string | null {
  if (!properties) return "its properties are unknown";
  if (!properties.valid) return "invalid: left as it is";
  if (properties.hasDependents) return "another object depends on it";
  if (blocker) return `foreign key ${blocker.constraint.name} on ${displayName(blocker.table)} depends on it and the target role does not own that table`;
  return null;
}

/** Every FK of the target, by the table it points at (nameKey), in catalog order. */
function referencingFks(all: readonly Table[]): Map<string, DroppedFk[]> {
  const byParent = new Map<string, DroppedFk[]>();
  for (const t of all) {
    for (const constraint of t.constraints) {
      if (constraint.kind !== "foreign" || !constraint.references) continue;
      const key = nameKey(constraint.references);
      byParent.set(key, [...(byParent.get(key) ?? []), { table: t.name, constraint }]);
    }
  }
  return byParent;
}

function lostProperties(
  table: QualifiedName,
  index: string,
  properties: IndexProperties | undefined,
  commentOn: Extract<DdlStatement, { kind: "comment" }>["on"],
  comment: string | null,
): DdlStatement[] {
  const statements: DdlStatement[] = [];
  if (comment !== null) statements.push({ kind: "comment", on: commentOn, text: comment });
  // A key's own comment is the constraint's; its index may carry one too.
  if (properties?.comment != null) statements.push({ kind: "comment", on: { kind: "index", name: { schema: table.schema, name: index } }, text: properties.comment });
  for (const s of properties?.statistics ?? []) statements.push({ kind: "index-statistics", table, index, column: s.column, target: s.target });
  if (properties?.clustered) statements.push({ kind: "cluster-on", table, index });
  if (properties?.replicaIdentity) statements.push({ kind: "replica-identity-index", table, index });
  return statements;
}

function isKey(c: Constraint): boolean {
  return c.kind === "primary" || c.kind === "unique" || c.kind === "exclusion";
}

function fkKey(table: QualifiedName, name: string): string {
  return `${nameKey(table)}\u0000${name}`;
}

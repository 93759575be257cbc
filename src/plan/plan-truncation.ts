/**
 * What one TRUNCATE empties. PostgreSQL refuses to truncate a table referenced by a table outside
 * the statement; pgferry never adds CASCADE silently: an unselected referencing table makes the
 * plan refuse, unless --cascade, which empties it too and says so.
 */
import type { Catalog, Table } from "../model/catalog.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { TableAction, TruncateTarget } from "../model/plan.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";

export interface Truncation {
  readonly truncate: readonly TruncateTarget[];
  readonly cascaded: readonly TableAction[];
  readonly diagnostics: readonly Diagnostic[];
  /** Truncated tables a merged table references (each also refused in `diagnostics`). */
  readonly conflicts: readonly MergeConflict[];
}

/** A merged-by-key table's foreign key to a table the TRUNCATE would empty. */
export interface MergeConflict {
  /** The truncated table (or the partition of it the TRUNCATE reaches). */
  readonly truncated: QualifiedName;
  readonly mergedBy: QualifiedName;
  readonly constraint: string;
}

/**
 * @param merged selected tables whose rows are merged, not truncated: one that references a
 *   truncated table makes the plan refuse (TRUNCATE cannot leave it out, and must not empty it).
 * @param unmergeable why a truncated table could not be merged instead, added to that refusal.
 */
export function planTruncation(
  refreshed: readonly QualifiedName[],
  target: Catalog,
  selectedKeys: ReadonlySet<string>,
  cascade: boolean,
  merged: ReadonlySet<string> = new Set(),
  unmergeable: ReadonlyMap<string, string> = new Map(),
): Truncation {
  const truncate = new Map(refreshed.map((t) => [nameKey(t), t]));
  const cascaded: TableAction[] = [];
  const diagnostics: Diagnostic[] = [];
  const conflicts: MergeConflict[] = [];
  const targetByKey = new Map(target.tables.map((t) => [nameKey(t.name), t]));
  const queue = [...refreshed];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    // An FK to a partitioned table reaches each partition (through cloned constraints PostgreSQL
    // keeps per partition): truncating a partition needs the tables referencing its ancestors too.
    const referenced = new Set([nameKey(parent), ...ancestorsOf(parent, targetByKey).map(nameKey)]);
    for (const table of target.tables) {
      if (truncate.has(nameKey(table.name)) || isPartitionOfTruncated(table.partitioning.parent, truncate)) continue;
      const fk = table.constraints.find((c) => c.kind === "foreign" && c.references && referenced.has(nameKey(c.references)));
      if (!fk) continue;
      const why = `references ${displayName(fk.references!)}${nameKey(fk.references!) === nameKey(parent) ? "" : ` (parent of ${displayName(parent)})`} through foreign key "${fk.name}"`;
      if (merged.has(nameKey(table.name))) {
        const instead = unmergeable.get(nameKey(parent));
        diagnostics.push({
          level: "error",
          table: table.name,
          message: `${displayName(table.name)} is merged by key (upsert, insert-missing or preserved columns) but ${why}, which is refreshed with TRUNCATE${instead ? ` (and cannot be written as upsert + delete-missing instead: ${instead})` : ""}: give both the same mode`,
        });
        conflicts.push({ truncated: parent, mergedBy: table.name, constraint: fk.name });
        continue;
      }
      if (selectedKeys.has(nameKey(table.name))) continue;
      if (cascade) {
        truncate.set(nameKey(table.name), table.name);
        cascaded.push({ kind: "truncate-cascade", table: table.name, reason: `emptied by --cascade: ${why}` });
        queue.push(table.name);
      } else {
        diagnostics.push({
          level: "error",
          table: table.name,
          message: `${displayName(table.name)} is not selected but ${why}: select it too, or pass --cascade to empty it`,
        });
      }
    }
  }
  const partitioned = new Set(target.tables.filter((t) => t.partitioned).map((t) => nameKey(t.name)));
  return { truncate: [...truncate.values()].map((table) => ({ table, only: !partitioned.has(nameKey(table)) })), cascaded, diagnostics, conflicts };
}

function ancestorsOf(table: QualifiedName, byKey: ReadonlyMap<string, Table>): QualifiedName[] {
  const found: QualifiedName[] = [];
  for (let p = byKey.get(nameKey(table))?.partitioning.parent ?? null; p; p = byKey.get(nameKey(p))?.partitioning.parent ?? null) found.push(p);
  return found;
}

function isPartitionOfTruncated(parent: QualifiedName | null, truncate: ReadonlyMap<string, QualifiedName>): boolean {
  return parent !== null && truncate.has(nameKey(parent));
}

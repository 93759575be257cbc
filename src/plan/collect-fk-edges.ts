/**
 * Which foreign keys bind the rows of a loaded table. Many real schemas declare FKs only on the
 * partitions of a partitioned table (Pagila's payment, GitLab's CI tables), or only on the
 * partitioned parent of a partition that is loaded on its own. The rows of a table are bound by
 * the FKs declared on it, on its partitioned ancestors (PostgreSQL clones those onto each
 * partition; the catalog lists them on the ancestor only) and on its partitions, at any depth
 * (its rows live there). Pure; shared by the sync planner and syncRows.
 */
import type { Constraint, Table } from "../model/catalog.js";
import { nameKey, type QualifiedName } from "../model/qualified-name.js";
import type { FkEdge } from "./fk-graph.js";

/** One catalog's tables with their partition tree. */
export interface PartitionTree {
  readonly table: (name: QualifiedName) => Table | undefined;
  /** Partitioned ancestors, nearest first. */
  readonly ancestors: (name: QualifiedName) => QualifiedName[];
  /** Direct partitions. */
  readonly partitions: (name: QualifiedName) => readonly QualifiedName[];
}

export interface BindingForeignKey {
  /** A foreign key (its `references` is set). */
  readonly constraint: Constraint;
  /** The table it is declared on: the bound table, an ancestor or a partition of it. */
  readonly declaredOn: QualifiedName;
}

export function buildPartitionTree(tables: readonly Table[]): PartitionTree {
  const byKey = new Map(tables.map((t) => [nameKey(t.name), t]));
  const children = new Map<string, QualifiedName[]>();
  for (const t of tables) {
    const parent = t.partitioning.parent;
    if (!parent) continue;
    const siblings = children.get(nameKey(parent));
    if (siblings) siblings.push(t.name);
    else children.set(nameKey(parent), [t.name]);
  }
  return {
    table: (name) => byKey.get(nameKey(name)),
    ancestors: (name) => {
      const found: QualifiedName[] = [];
      const seen = new Set([nameKey(name)]);
      for (let parent = byKey.get(nameKey(name))?.partitioning.parent ?? null; parent && !seen.has(nameKey(parent)); parent = byKey.get(nameKey(parent))?.partitioning.parent ?? null) {
        seen.add(nameKey(parent));
        found.push(parent);
      }
      return found;
    },
    partitions: (name) => children.get(nameKey(name)) ?? [],
  };
}

/** The FKs that bind the rows of `name`: declared on it, on its ancestors or on its partitions. */
export function bindingForeignKeys(name: QualifiedName, tree: PartitionTree): BindingForeignKey[] {
  const declaredOn = [...tree.ancestors(name).reverse(), name, ...descendants(name, tree)];
  return declaredOn.flatMap((on) =>
    (tree.table(on)?.constraints ?? []).filter((c) => c.kind === "foreign" && c.references !== null).map((constraint) => ({ constraint, declaredOn: on })),
  );
}

/**
 * FK edges between loaded tables, from both sides, once each; an edge is enforced during the
 * load when the target has it. A loaded table is a selected one without a selected ancestor (a
 * partition of a selected table is loaded through it); an FK binding its rows (see
 * bindingForeignKeys) orders it after every loaded table holding rows of the referenced table.
 */
export function collectFkEdges(sourceTables: readonly Table[], targetTables: readonly Table[], selectedKeys: ReadonlySet<string>): FkEdge[] {
  const edges = new Map<string, FkEdge>();
  const add = (tables: readonly Table[], enforced: boolean) => {
    const tree = buildPartitionTree(tables);
    for (const t of tables) {
      if (!selectedKeys.has(nameKey(t.name)) || tree.ancestors(t.name).some((a) => selectedKeys.has(nameKey(a)))) continue;
      for (const { constraint: c, declaredOn } of bindingForeignKeys(t.name, tree)) {
        for (const parent of loadedHolders(c.references!, tree, selectedKeys)) {
          const key = [nameKey(declaredOn), c.name, nameKey(t.name), nameKey(parent)].join("\u0000");
          const where = nameKey(declaredOn) === nameKey(t.name) ? {} : { declaredOn };
          if (enforced || !edges.has(key)) edges.set(key, { child: t.name, ...where, parent, constraint: c.name, enforced, deferrable: c.deferrable });
        }
      }
    }
  };
  add(sourceTables, false);
  add(targetTables, true);
  return [...edges.values()];
}

/** The outermost selected ancestor a partition's rows are loaded through, else the table itself. */
export function loadedThrough(name: QualifiedName, tree: PartitionTree, selectedKeys: ReadonlySet<string>): QualifiedName {
  return tree.ancestors(name).filter((a) => selectedKeys.has(nameKey(a))).at(-1) ?? name;
}

/**
 * The loaded tables that hold rows of `name`: the one it is loaded through, else its outermost
 * selected partitions (each loaded on its own), else the table itself (not loaded: no edge).
 */
function loadedHolders(name: QualifiedName, tree: PartitionTree, selectedKeys: ReadonlySet<string>): QualifiedName[] {
  const through = loadedThrough(name, tree, selectedKeys);
  if (selectedKeys.has(nameKey(through))) return [through];
  const selectedBelow = (n: QualifiedName): QualifiedName[] => tree.partitions(n).flatMap((p) => (selectedKeys.has(nameKey(p)) ? [p] : selectedBelow(p)));
  const below = selectedBelow(name);
  return below.length > 0 ? below : [name];
}

function descendants(name: QualifiedName, tree: PartitionTree): QualifiedName[] {
  return tree.partitions(name).flatMap((p) => [p, ...descendants(p, tree)]);
}

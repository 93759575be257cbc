/**
 * Load order from foreign keys: parents before children. Strongly connected components (Tarjan)
 * find cycles; tables in one cycle are loaded together and the FKs inside it need a strategy.
 * Self-references need none: PostgreSQL checks a non-deferred FK at the end of each statement,
 * so one COPY may hold a child row before its parent row.
 */
import { nameKey, type QualifiedName } from "../model/qualified-name.js";

export interface FkEdge {
  /**
   * The table whose load must wait for the parent: for an FK declared on a partition, the selected
   * partitioned table its rows are loaded through; for one declared on a partitioned table that is
   * not selected, each of its selected partitions (see collect-fk-edges).
   */
  readonly child: QualifiedName;
  /** Where the constraint is declared, when not on `child` (a partition or an ancestor of it). */
  readonly declaredOn?: QualifiedName;
  readonly parent: QualifiedName;
  readonly constraint: string;
  /** The constraint exists on the target during the load (so the order matters to it). */
  readonly enforced: boolean;
  readonly deferrable: boolean;
}

export interface FkOrder {
  /** Tables, parents first; ties broken by name so plans are stable. */
  readonly order: readonly QualifiedName[];
  /** Enforced edges the order cannot satisfy (inside cycles): they must be deferred or dropped. */
  readonly brokenEdges: readonly FkEdge[];
  /** Each cycle's tables (components of more than one table). */
  readonly cycles: readonly (readonly QualifiedName[])[];
}

export function orderByForeignKeys(tables: readonly QualifiedName[], edges: readonly FkEdge[]): FkOrder {
  const nodes = [...tables].sort(compareNames);
  const known = new Set(nodes.map(nameKey));
  const relevant = edges.filter((e) => known.has(nameKey(e.child)) && known.has(nameKey(e.parent)) && nameKey(e.child) !== nameKey(e.parent));
  const parentsOf = new Map<string, QualifiedName[]>(nodes.map((n) => [nameKey(n), []]));
  for (const edge of relevant) parentsOf.get(nameKey(edge.child))?.push(edge.parent);

  const components = stronglyConnected(nodes, parentsOf);
  const componentOf = new Map<string, number>();
  components.forEach((members, index) => members.forEach((m) => componentOf.set(nameKey(m), index)));
  // Tarjan emits a component only after every component it reaches (its parents): already parents-first.
  const order = components.flatMap((members, index) =>
    orderComponent(members, relevant.filter((e) => componentOf.get(nameKey(e.child)) === index && componentOf.get(nameKey(e.parent)) === index)),
  );
  const position = new Map(order.map((n, i) => [nameKey(n), i]));
  const brokenEdges = relevant.filter((e) => e.enforced && position.get(nameKey(e.child))! < position.get(nameKey(e.parent))!);
  return { order, brokenEdges, cycles: components.filter((c) => c.length > 1) };
}

/**
 * Order one cycle's tables so that only deferrable edges are broken when possible: a topological
 * sort over the enforced, non-deferrable edges (Kahn). When a cycle of those remains, the table
 * with the fewest unmet parents goes next (greedy feedback-arc choice): its unmet edges get
 * dropped and re-added.
 */
function orderComponent(members: readonly QualifiedName[], edges: readonly FkEdge[]): QualifiedName[] {
  const sorted = [...members].sort(compareNames);
  if (members.length === 1) return sorted;
  const hard = edges.filter((e) => e.enforced && !e.deferrable);
  const waiting = new Map(sorted.map((m) => [nameKey(m), new Set(hard.filter((e) => nameKey(e.child) === nameKey(m)).map((e) => nameKey(e.parent)))]));
  const order: QualifiedName[] = [];
  while (order.length < sorted.length) {
    const remaining = sorted.filter((m) => waiting.has(nameKey(m)));
    const ready = remaining.reduce((best, m) => (waiting.get(nameKey(m))!.size < waiting.get(nameKey(best))!.size ? m : best));
    order.push(ready);
    waiting.delete(nameKey(ready));
    for (const parents of waiting.values()) parents.delete(nameKey(ready));
  }
  return order;
}

function stronglyConnected(nodes: readonly QualifiedName[], parentsOf: Map<string, QualifiedName[]>): QualifiedName[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: QualifiedName[] = [];
  const components: QualifiedName[][] = [];

  // Iterative Tarjan: a deep FK chain must not overflow the call stack.
  for (const root of nodes) {
    if (index.has(nameKey(root))) continue;
    const work: { node: QualifiedName; next: number }[] = [{ node: root, next: 0 }];
    visit(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const key = nameKey(frame.node);
      const parents = [...(parentsOf.get(key) ?? [])].sort(compareNames);
      if (frame.next < parents.length) {
        const parent = parents[frame.next]!;
        frame.next += 1;
        const pk = nameKey(parent);
        if (!index.has(pk)) {
          visit(parent);
          work.push({ node: parent, next: 0 });
        } else if (onStack.has(pk)) {
          low.set(key, Math.min(low.get(key)!, index.get(pk)!));
        }
        continue;
      }
      work.pop();
      const caller = work[work.length - 1];
      if (caller) low.set(nameKey(caller.node), Math.min(low.get(nameKey(caller.node))!, low.get(key)!));
      if (low.get(key) === index.get(key)) {
        const component: QualifiedName[] = [];
        let member: QualifiedName;
        do {
          member = stack.pop()!;
          onStack.delete(nameKey(member));
          component.push(member);
        } while (nameKey(member) !== key);
        components.push(component);
      }
    }
  }
  return components;

  function visit(node: QualifiedName): void {
    index.set(nameKey(node), counter);
    low.set(nameKey(node), counter);
    counter += 1;
    stack.push(node);
    onStack.add(nameKey(node));
  }
}

function compareNames(a: QualifiedName, b: QualifiedName): number {
  return a.schema === b.schema ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.schema < b.schema ? -1 : 1;
}

/**
 * Load order from foreign keys: parents before children. Strongly connected components (Tarjan)
 * find cycles; tables in one cycle are loaded together and the FKs inside it need a strategy.
 * Self-references need none: PostgreSQL checks a non-deferred FK at the end of each statement,
 * so one COPY may hold a child row before its parent row.
 */
import { nameKey, type QualifiedName } from "../model/qualified-name.js";

export interface FkEdge {
  readonly child: QualifiedName;
  readonly parent: QualifiedName;
  readonly constraint: string;
}

export interface FkOrder {
  /** Tables, parents first; ties broken by name so plans are stable. */
  readonly order: readonly QualifiedName[];
  /** Edges between different tables of one cycle. */
  readonly cycleEdges: readonly FkEdge[];
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
  const order = components.flatMap((members) => [...members].sort(compareNames));
  const cycleEdges = relevant.filter((e) => componentOf.get(nameKey(e.child)) === componentOf.get(nameKey(e.parent)));
  return { order, cycleEdges, cycles: components.filter((c) => c.length > 1) };
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

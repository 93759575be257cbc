/**
 * Which rows of each loaded table a subset keeps, as one SQL condition per table (its `where`),
 * so every read of source rows (COPY, counts, verification, dumps, merges) reads the subset. Pure.
 *
 * - Roots keep the rows their filter matches (then `percent`, by a hash of the key, then `limit`,
 *   by key order). Tables enabled by `children` keep the rows that reference kept rows (down from
 *   the roots, through each enabled table).
 * - Every kept row keeps its parents, through every foreign key and virtual foreign key, up to
 *   the top, cycles and self-references included.
 * - A table connected to a root through foreign keys (either way, at any distance) keeps only
 *   those rows: a table whose rows reference subset tables keeps none unless `children` names
 *   it or kept rows reference it, and a lookup table keeps the rows kept rows reference. Copying
 *   such a table whole could pull in every row it references, and theirs. A table connected to
 *   no root is copied whole (settings, tables of another part of the schema); so are its parents.
 */
import type { Table } from "../model/catalog.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";
import { renderClosure, type ClosureLink, type SubsetRelation } from "../sql/subset-sql.js";
import { quoteIdentList, quoteRelation } from "../sql/quote.js";
import { buildSubsetGraph, type SubsetEdge } from "./subset-graph.js";
import type { SubsetSpec } from "./subset-spec.js";
import { matchesPattern, parseTablePattern } from "./table-pattern.js";

/** A table's share of the subset, as the plan shows it and the copy applies it. */
export interface TableSubset {
  /** The full condition (the user's where included); null: the table is copied whole (within its where). */
  readonly where: string | null;
  /** Short form for the plan: `root: …, 10 %`, `parents of public.orders`, `copied whole (not related to the roots)`. */
  readonly summary: string;
  /** User SQL of the subset on this table, each checked on its own before the run: root filters, virtual FK conditions. */
  readonly checks: readonly { readonly what: string; readonly condition: string }[];
}

export interface SubsetPlanInput {
  readonly sourceTables: readonly Table[];
  /** The tables whose rows the run reads (not partitions read through a selected parent). */
  readonly loaded: readonly Table[];
  readonly selectedKeys: ReadonlySet<string>;
  readonly spec: SubsetSpec;
  /** The table's where filter (sync.where, tables, --where), or null. */
  readonly userWhere: (table: QualifiedName) => string | null;
}

/** Conditions longer than this are refused: a schema with very many FK paths into one table. */
const MAX_CONDITION_CHARS = 2_000_000;

export function planSubset(input: SubsetPlanInput): { byTable: Map<string, TableSubset>; diagnostics: Diagnostic[] } {
  const graph = buildSubsetGraph(input.sourceTables, input.loaded, input.selectedKeys, input.spec);
  const diagnostics: Diagnostic[] = [...graph.diagnostics];
  const byKey = new Map(input.loaded.map((t) => [nameKey(t.name), t]));
  const roots = new Map<string, string>();
  for (const [pattern, filter] of Object.entries(input.spec.roots)) {
    const matched = input.loaded.filter((t) => matchesPattern(parseTablePattern(pattern), t.name));
    if (matched.length === 0) diagnostics.push({ level: "error", message: `subset root "${pattern}" matches no selected table` });
    for (const t of matched) roots.set(nameKey(t.name), filter);
  }
  const edges = graph.edges;
  const childEnabled = childrenPredicate(input.spec.children);
  const related = reach([...roots.keys()], edges, "both", () => true);
  const downDomain = reach([...roots.keys()], edges, "down", (e) => childEnabled(e.child));
  const relation = (name: QualifiedName): SubsetRelation => {
    const table = byKey.get(nameKey(name))!;
    return { name, from: quoteRelation(name, !table.partitioned), columnTypes: new Map(table.columns.map((c) => [c.name, c.type])) };
  };
  const namesOf = (keys: ReadonlySet<string>) => input.loaded.filter((t) => keys.has(nameKey(t.name))).map((t) => t.name);

  const downLinks: ClosureLink[] = edges
    .filter((e) => downDomain.has(nameKey(e.child)) && downDomain.has(nameKey(e.parent)) && childEnabled(e.child))
    .map((e) => ({ near: e.child, far: e.parent, nearColumns: e.childColumns, farColumns: e.parentColumns, nearCondition: e.childCondition, farCondition: null }));
  const down = renderClosure({
    domain: namesOf(downDomain),
    links: downLinks,
    seed: (t) => (roots.has(nameKey(t)) ? renderRootSeed(byKey.get(nameKey(t))!, roots.get(nameKey(t))!, input.spec, input.userWhere(t)) : "FALSE"),
    own: input.userWhere,
    fixed: () => null,
    relation,
  });
  // A child kept only as the children of one parent's kept rows, through this FK, and that nothing
  // references, references only those kept rows: following the FK back up adds no row, only a scan.
  const onlyChildrenThrough = (e: SubsetEdge) =>
    !roots.has(nameKey(e.child)) &&
    downLinks.filter((l) => nameKey(l.near) === nameKey(e.child)).length === 1 &&
    downLinks.some((l) => nameKey(l.near) === nameKey(e.child) && nameKey(l.far) === nameKey(e.parent) && l.nearColumns.join() === e.childColumns.join() && l.farColumns.join() === e.parentColumns.join() && l.nearCondition === e.childCondition) &&
    !edges.some((other) => nameKey(other.parent) === nameKey(e.child));
  const upLinks: ClosureLink[] = edges
    .filter((e) => related.has(nameKey(e.parent)) && !onlyChildrenThrough(e))
    .map((e) => ({ near: e.parent, far: e.child, nearColumns: e.parentColumns, farColumns: e.childColumns, nearCondition: null, farCondition: e.childCondition }));
  const kept = renderClosure({
    domain: namesOf(related),
    links: upLinks,
    seed: (t) => down.get(nameKey(t)) ?? "FALSE",
    own: input.userWhere,
    fixed: input.userWhere,
    relation,
  });

  const byTable = new Map<string, TableSubset>();
  for (const table of input.loaded) {
    const key = nameKey(table.name);
    const checks = [
      ...(roots.has(key) ? [{ what: "subset root filter", condition: roots.get(key)! }] : []),
      ...edges.filter((e) => nameKey(e.child) === key && e.childCondition !== null).map((e) => ({ what: `${e.label}.where`, condition: e.childCondition! })),
    ];
    if (!related.has(key)) {
      byTable.set(key, { where: null, summary: "copied whole (no foreign key connects it to a subset root)", checks });
      continue;
    }
    const where = kept.get(key)!;
    if (where.length > MAX_CONDITION_CHARS) {
      diagnostics.push({ level: "error", table: table.name, message: `the subset condition grows past ${MAX_CONDITION_CHARS} characters (too many foreign-key paths lead here); make it a root` });
    }
    // Links from tables that keep nothing say nothing about this one.
    const live = (links: readonly ClosureLink[], sets: ReadonlyMap<string, string>) => links.filter((l) => sets.get(nameKey(l.far)) !== "FALSE");
    const summary = describe(table.name, roots.get(key), input.spec, live(downLinks, down), live(upLinks, kept)) ?? whyNoRows(table.name, edges, childEnabled);
    byTable.set(key, { where, summary, checks });
  }
  return { byTable, diagnostics };
}

/** The keys reached from `start` along edges (down: parent → child, both: either way) that `follow` allows. */
function reach(start: readonly string[], edges: readonly SubsetEdge[], direction: "down" | "both", follow: (e: SubsetEdge) => boolean): Set<string> {
  const found = new Set(start);
  const queue = [...start];
  while (queue.length > 0) {
    const key = queue.pop()!;
    for (const e of edges) {
      const steps = direction === "down" ? [[e.parent, e.child]] : [[e.parent, e.child], [e.child, e.parent]];
      for (const [from, to] of steps as [QualifiedName, QualifiedName][]) {
        if (nameKey(from) !== key || found.has(nameKey(to)) || !follow(e)) continue;
        found.add(nameKey(to));
        queue.push(nameKey(to));
      }
    }
  }
  return found;
}

function childrenPredicate(children: SubsetSpec["children"]): (table: QualifiedName) => boolean {
  if (children === true) return () => true;
  if (!children) return () => false;
  const patterns = children.map(parseTablePattern);
  return (table) => patterns.some((p) => matchesPattern(p, table));
}

/**
 * A root's own rows: its filter, then `percent` (a hash of the key, or of the whole row for a
 * keyless table: the same rows every run while the data and server settings are the same),
 * then `limit` (the first by key; a keyless table's by its row text, picked by tableoid and
 * ctid, which name one row version within the run's one snapshot).
 */
export function renderRootSeed(table: Table, filter: string, spec: SubsetSpec, own: string | null): string {
  const key = table.constraints.find((c) => c.kind === "primary")?.columns ?? null;
  const hashed = quoteIdentList(key ?? table.columns.map((c) => c.name));
  const conditions = [`(${filter})`];
  if (spec.percent !== undefined && spec.percent < 100) {
    conditions.push(`pg_catalog.abs(pg_catalog.hashtextextended(ROW(${hashed})::text, 0) % 10000) < ${Math.round(spec.percent * 100)}`);
  }
  if (spec.limit === undefined) return conditions.join(" AND ");
  const identity = key ? quoteIdentList(key) : "tableoid, ctid";
  const order = key ? quoteIdentList(key) : `ROW(${hashed})::text`;
  const within = own === null ? conditions : [`(${own})`, ...conditions];
  return `((${identity}) IN (SELECT ${identity} FROM ${quoteRelation(table.name, !table.partitioned)} WHERE ${within.join(" AND ")} ORDER BY ${order} LIMIT ${spec.limit}))`;
}

function describe(table: QualifiedName, root: string | undefined, spec: SubsetSpec, downLinks: readonly ClosureLink[], upLinks: readonly ClosureLink[]): string | null {
  const parts: string[] = [];
  if (root !== undefined) {
    const share = [spec.percent !== undefined && spec.percent < 100 ? `${spec.percent} %` : "", spec.limit !== undefined ? `first ${spec.limit} by key` : ""].filter(Boolean);
    parts.push(`root: ${shorten(root)}${share.length ? `, ${share.join(", ")}` : ""}`);
  }
  const names = (links: readonly ClosureLink[]) => [...new Set(links.filter((l) => nameKey(l.near) === nameKey(table)).map((l) => displayName(l.far)))].join(", ");
  const children = names(downLinks);
  if (children) parts.push(`children of ${children}`);
  const parents = names(upLinks);
  if (parents) parts.push(`parents of ${parents}`);
  return parts.length ? parts.join("; ") : null;
}

/** A connected table that keeps nothing, and what would change that. */
function whyNoRows(table: QualifiedName, edges: readonly SubsetEdge[], childEnabled: (t: QualifiedName) => boolean): string {
  if (!edges.some((e) => nameKey(e.child) === nameKey(table))) return "no rows (no kept row references it)";
  if (childEnabled(table)) return "no rows (the rows it references are kept as parents; children are followed down from the roots only)";
  return "no rows (list it in subset.children to keep its rows that reference kept rows)";
}

function shorten(sql: string): string {
  const oneLine = sql.replace(/\s+/g, " ").trim();
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}…` : oneLine;
}


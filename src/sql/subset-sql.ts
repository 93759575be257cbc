/**
 * A subset as SQL conditions on each table's rows, computed by the source inside the run's
 * snapshot (no temporary tables: the source transaction is read-only). A table's condition is
 * its own seed OR'ed with semi-joins on the tables its rows follow: `(cols) IN (SELECT farcols
 * FROM far WHERE <far's condition>)`. Tables in a cycle (or referencing themselves) share one
 * `WITH RECURSIVE`, whose UNION stops once no new key appears, however cyclic the rows. Pure.
 */
import { nameKey, sameName, type QualifiedName } from "../model/qualified-name.js";
import { orderByForeignKeys } from "../plan/fk-graph.js";
import { quoteIdent, quoteIdentList, quoteQualified } from "./quote.js";

/** How a table is read, and its columns' types (format_type). */
export interface SubsetRelation {
  readonly name: QualifiedName;
  /** The FROM text: `ONLY "s"."t"`, or a partitioned table with its partitions. */
  readonly from: string;
  readonly columnTypes: ReadonlyMap<string, string>;
}

/** A row of `near` is in the set when its nearColumns equal the farColumns of a `far` row in the set. */
export interface ClosureLink {
  readonly near: QualifiedName;
  readonly far: QualifiedName;
  readonly nearColumns: readonly string[];
  readonly farColumns: readonly string[];
  readonly nearCondition: string | null;
  readonly farCondition: string | null;
}

export interface ClosureInput {
  /** The tables whose sets are computed. */
  readonly domain: readonly QualifiedName[];
  /** Links whose near end is in the domain; a far end outside it has a fixed condition. */
  readonly links: readonly ClosureLink[];
  /** Rows in the set whatever the links say (SQL on the table's row, or FALSE). */
  readonly seed: (table: QualifiedName) => string;
  /** The user's own filter on the table (null: none): rows outside it are never in the set. */
  readonly own: (table: QualifiedName) => string | null;
  /** The condition of a far table outside the domain (null: every row). */
  readonly fixed: (table: QualifiedName) => string | null;
  readonly relation: (table: QualifiedName) => SubsetRelation;
}

/** nameKey → the table's full condition (its own filter included). */
export function renderClosure(input: ClosureInput): Map<string, string> {
  const inDomain = new Set(input.domain.map(nameKey));
  const links = input.links.filter((l) => inDomain.has(nameKey(l.near)));
  const order = orderByForeignKeys(
    input.domain,
    links.filter((l) => inDomain.has(nameKey(l.far))).map((l) => ({ child: l.near, parent: l.far, constraint: "", enforced: false, deferrable: false })),
  );
  const full = new Map<string, string>();
  const farCondition = (far: QualifiedName) => (inDomain.has(nameKey(far)) ? full.get(nameKey(far))! : (input.fixed(far) ?? "TRUE"));
  for (let i = 0; i < order.order.length; ) {
    const first = order.order[i]!;
    const members = order.cycles.find((c) => c.some((m) => sameName(m, first))) ?? [first];
    i += members.length;
    const inComponent = (name: QualifiedName) => members.some((m) => sameName(m, name));
    const internal = links.filter((l) => inComponent(l.near) && inComponent(l.far));
    // The seed and the links leaving the component: their far ends are computed already.
    const base = (table: QualifiedName) =>
      [input.seed(table), ...links.filter((l) => sameName(l.near, table) && !inComponent(l.far)).map((l) => semiJoin(l, input.relation(l.far).from, farCondition(l.far)))];
    // A recursion that starts from no row adds none.
    const seeded = members.some((m) => anyOf(base(m)) !== "FALSE");
    const recursive = internal.length > 0 && seeded ? renderRecursive(members, internal, (m) => withOwn(input.own(m), anyOf(base(m))), input) : null;
    for (const member of members) {
      const terms = [...base(member), ...(recursive?.get(nameKey(member)) ?? [])];
      full.set(nameKey(member), withOwn(input.own(member), anyOf(terms)));
    }
  }
  return full;
}

/** `(nearcols) IN (SELECT farcols FROM far WHERE …)`, with the link's conditions. */
function semiJoin(link: ClosureLink, farFrom: string, farCondition: string): string {
  if (farCondition === "FALSE") return "FALSE"; // the far table keeps nothing: no row of this one follows from it
  const farWhere = link.farCondition ? `(${farCondition}) AND (${link.farCondition})` : farCondition;
  const near = link.nearCondition ? ` AND (${link.nearCondition})` : "";
  return `((${quoteIdentList(link.nearColumns)}) IN (SELECT ${quoteIdentList(link.farColumns)} FROM ${farFrom} WHERE ${farWhere})${near})`;
}

const CTE = "pgferry_subset";

/**
 * One WITH RECURSIVE for a component: its rows carry a tag (the member) and, per internal link,
 * the far end's columns (NULL when the row is another member's, or fails the link's condition).
 * The recursive term names the CTE once, with each link's step in a LATERAL union (PostgreSQL
 * allows one reference to the recursive query). Returns, per member, its semi-joins on the CTE.
 */
function renderRecursive(members: readonly QualifiedName[], internal: readonly ClosureLink[], base: (m: QualifiedName) => string, input: ClosureInput): Map<string, string[]> {
  const tag = (name: QualifiedName) => members.findIndex((m) => sameName(m, name));
  const slots = internal.map((link, j) => link.farColumns.map((_, c) => `pgferry_l${j}_${c}`));
  const selectList = (member: QualifiedName) => {
    const values = internal.flatMap((link, j) =>
      link.farColumns.map((column, c) => {
        const slot = slots[j]![c]!;
        if (!sameName(link.far, member)) return `NULL::${input.relation(link.far).columnTypes.get(column)!} AS ${slot}`;
        return `${link.farCondition ? `CASE WHEN (${link.farCondition}) THEN ${quoteIdent(column)} END` : quoteIdent(column)} AS ${slot}`;
      }),
    );
    return [`${tag(member)} AS pgferry_tag`, ...values].join(", ");
  };
  const seeds = members.map((m) => `SELECT ${selectList(m)} FROM ${input.relation(m).from} WHERE ${base(m)}`).join(" UNION ALL ");
  const steps = internal.map((link, j) => {
    const nearColumns = link.nearColumns.map((c) => `${quoteQualified(link.near)}.${quoteIdent(c)}`).join(", ");
    const carried = slots[j]!.map((s) => `${CTE}.${s}`).join(", ");
    const conditions = [`${CTE}.pgferry_tag = ${tag(link.far)}`, `(${nearColumns}) = (${carried})`, input.own(link.near), link.nearCondition].filter((c): c is string => c !== null);
    return `SELECT ${selectList(link.near)} FROM ${input.relation(link.near).from} WHERE ${conditions.map((c) => `(${c})`).join(" AND ")}`;
  });
  const cte = `WITH RECURSIVE ${CTE} AS (SELECT * FROM (${seeds}) AS pgferry_seed UNION SELECT pgferry_step.* FROM ${CTE} CROSS JOIN LATERAL (${steps.join(" UNION ALL ")}) AS pgferry_step)`;
  const terms = new Map<string, string[]>();
  internal.forEach((link, j) => {
    const near = link.nearCondition ? ` AND (${link.nearCondition})` : "";
    const term = `((${quoteIdentList(link.nearColumns)}) IN (${cte} SELECT ${slots[j]!.join(", ")} FROM ${CTE} WHERE pgferry_tag = ${tag(link.far)})${near})`;
    terms.set(nameKey(link.near), [...(terms.get(nameKey(link.near)) ?? []), term]);
  });
  return terms;
}

function anyOf(terms: readonly string[]): string {
  const useful = terms.filter((t) => t !== "FALSE");
  return useful.length === 0 ? "FALSE" : useful.length === 1 ? useful[0]! : `(${useful.join(" OR ")})`;
}

function withOwn(own: string | null, condition: string): string {
  return own === null || condition === "FALSE" ? condition : `(${own}) AND ${condition}`;
}

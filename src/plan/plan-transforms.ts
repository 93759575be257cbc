/**
 * Which transform each column gets: explicit `tables.<pattern>.transform` first, then the first
 * matching `transform.rules` entry, then the parent's through every FK (a child column follows
 * its referenced column, so transformed keys still join). Refused here, before any work: an
 * unknown column, a kind that cannot write the column's type, a keyed kind without a secret, a
 * non-injective kind on a UNIQUE/PK/FK-referenced column, an FK whose two ends differ. Pure.
 */
import type { Column, Table } from "../model/catalog.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { ColumnTransform } from "../model/plan.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";
import { classifyColumn, lengthLimit } from "../transform/column-type-class.js";
import { describeSpec, sameMapping, type TransformRule, type TransformSpec } from "../transform/transform-spec.js";
import { findTransformer, isKeyed } from "../transform/transformer-registry.js";
import { matchesPattern, parseTablePattern, splitOutsideQuotes } from "./table-pattern.js";

export interface TransformInput {
  readonly rules: readonly TransformRule[];
  /** transform.secret is set (keyed kinds need it). */
  readonly secret: boolean;
  /** --strict-pii / transform.strict: refuse while a PII-named column of the run has no transform. */
  readonly strict?: boolean;
}

export interface ResolvedTransforms {
  /** By table (nameKey): the columns' transforms, `keep` left out. */
  readonly byTable: ReadonlyMap<string, readonly ColumnTransform[]>;
  /** By table (nameKey): every column with a transform, `keep` and FK-inherited ones included (PII coverage). */
  readonly covered: ReadonlyMap<string, ReadonlySet<string>>;
  readonly diagnostics: readonly Diagnostic[];
}

type Explicit = (table: QualifiedName) => Readonly<Record<string, TransformSpec>>;

/** Resolve every table's transforms (FKs need the parents' too); diagnostics only for the `reported` tables. */
export function resolveTransforms(tables: readonly Table[], explicit: Explicit, input: TransformInput, reported: ReadonlySet<string>): ResolvedTransforms {
  const diagnostics: Diagnostic[] = [];
  const report = (table: QualifiedName, message: string) => {
    if (reported.has(nameKey(table)) && !diagnostics.some((d) => d.message === message && d.table && nameKey(d.table) === nameKey(table))) diagnostics.push({ level: "error", table, message });
  };
  const rules = input.rules.map((rule, index) => ({ rule, index, ...parseRuleMatch(rule.match) }));
  const assigned = new Map<string, ColumnTransform>();
  const slot = (table: QualifiedName, column: string) => `${nameKey(table)}\u0000${column}`;
  const byName = new Map(tables.map((t) => [nameKey(t.name), t]));
  for (const table of tables) {
    const configured = explicit(table.name);
    for (const [column, spec] of Object.entries(configured)) {
      const found = table.columns.find((c) => c.name === column);
      if (!found) report(table.name, `a transform is configured for column "${column}", which the table does not have`);
      else assigned.set(slot(table.name, column), resolved(found, spec, "from tables:"));
    }
    for (const column of table.columns) {
      if (column.name in configured) continue;
      const rule = rules.find((r) => matchesPattern(r.table, table.name) && r.column.test(column.name));
      if (rule) assigned.set(slot(table.name, column.name), resolved(column, rule.rule, `from transform.rules[${rule.index}] ${JSON.stringify(rule.rule.match)}`));
    }
  }
  followForeignKeys(tables, byName, assigned, slot, report);
  const byTable = new Map<string, ColumnTransform[]>();
  const covered = new Map<string, Set<string>>();
  for (const table of tables) {
    const transforms = table.columns.flatMap((c) => assigned.get(slot(table.name, c.name)) ?? []);
    covered.set(nameKey(table.name), new Set(transforms.map((t) => t.column)));
    if (reported.has(nameKey(table.name))) checkTable(table, transforms, tables, input, report);
    const active = transforms.filter((t) => t.kind !== "keep").map((t) => (t.kind === "shift" ? { ...t, rowKey: rowKey(table, t) } : t));
    if (active.length) byTable.set(nameKey(table.name), active);
  }
  coverKeptKeys(tables, byName, covered);
  return { byTable, covered, diagnostics };
}

/** A column referencing a covered one is covered: with `keep` on the parent it holds the same reviewed values (and cannot be transformed alone). */
function coverKeptKeys(tables: readonly Table[], byName: ReadonlyMap<string, Table>, covered: Map<string, Set<string>>): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const child of tables) {
      const own = covered.get(nameKey(child.name))!;
      for (const fk of child.constraints) {
        const parent = fk.kind === "foreign" && fk.references ? byName.get(nameKey(fk.references)) : undefined;
        if (!parent) continue;
        fk.columns.forEach((column, i) => {
          if (own.has(column) || !covered.get(nameKey(parent.name))?.has(fk.referencedColumns[i]!)) return;
          own.add(column);
          changed = true;
        });
      }
    }
  }
}

function resolved(column: Column, spec: TransformSpec, origin: string): ColumnTransform {
  return { column: column.name, kind: spec.kind, params: spec.params, type: column.type, typeClass: classifyColumn(column), origin };
}

/** `*.email` → tables `*`, column `email`; `email` → any table; `public.users.email` → table `public.users`. */
function parseRuleMatch(match: string): { table: ReturnType<typeof parseTablePattern>; column: RegExp } {
  const parts = splitOutsideQuotes(match, ".");
  const columnPart = parts.pop()!;
  const quoted = /^".*"$/.test(columnPart);
  const text = quoted ? columnPart.slice(1, -1).replace(/""/g, '"') : columnPart;
  const escaped = text.replace(/[.+^${}()|[\]\\*?]/g, (ch) => (!quoted && ch === "*" ? ".*" : !quoted && ch === "?" ? "." : `\\${ch}`));
  return { table: parseTablePattern(parts.length ? parts.join(".") : "*"), column: new RegExp(`^${escaped}$`, "u") };
}

/**
 * A child column of an FK gets its referenced column's transform when it has none; when it has
 * one, it must be the same mapping; a transformed child of an untransformed parent is refused.
 * Repeated until nothing changes, so a transform travels down chains of FKs.
 */
function followForeignKeys(
  tables: readonly Table[],
  byName: ReadonlyMap<string, Table>,
  assigned: Map<string, ColumnTransform>,
  slot: (table: QualifiedName, column: string) => string,
  report: (table: QualifiedName, message: string) => void,
): void {
  for (let changed = true, rounds = 0; changed && rounds <= assigned.size + 1; rounds += 1) {
    changed = false;
    for (const child of tables) {
      for (const fk of child.constraints) {
        if (fk.kind !== "foreign" || !fk.references) continue;
        const parent = byName.get(nameKey(fk.references));
        if (!parent) continue;
        fk.columns.forEach((column, i) => {
          const referenced = fk.referencedColumns[i]!;
          const fromParent = active(assigned.get(slot(parent.name, referenced)));
          const own = assigned.get(slot(child.name, column));
          const where = `column "${column}" references ${displayName(parent.name)}.${referenced} (FK ${fk.name})`;
          if (!fromParent) {
            if (active(own)) report(child.name, `${where}, which is not transformed, but is itself transformed (${describeSpec(own!)}): configure the same transform on the parent column, or none`);
            return;
          }
          const childColumn = child.columns.find((c) => c.name === column);
          if (!own && childColumn) {
            assigned.set(slot(child.name, column), { ...resolved(childColumn, fromParent, `following ${displayName(parent.name)}.${referenced} through FK ${fk.name}`) });
            changed = true;
          } else if (own && !sameMapping(own, fromParent)) {
            report(child.name, `${where}, transformed by ${describeSpec(fromParent)}, but this column is transformed by ${describeSpec(own)}: they must be the same so the keys still join`);
          }
        });
      }
    }
  }
}

function active(t: ColumnTransform | undefined): ColumnTransform | undefined {
  return t && t.kind !== "keep" ? t : undefined;
}

function checkTable(table: Table, transforms: readonly ColumnTransform[], tables: readonly Table[], input: TransformInput, report: (table: QualifiedName, message: string) => void): void {
  const keyed: string[] = [];
  for (const t of transforms) {
    const transformer = findTransformer(t.kind);
    const column = table.columns.find((c) => c.name === t.column)!;
    const at = `column "${t.column}" (${t.type}, ${t.origin})`;
    if (isKeyed(transformer, t.params)) keyed.push(t.column);
    if (transformer.accepts !== "any" && !transformer.accepts.includes(t.typeClass)) {
      report(table.name, `${at}: kind ${t.kind} cannot write a column of type ${t.type}`);
      continue;
    }
    const misfit = transformer.fits?.(t.params, t.typeClass);
    if (misfit) report(table.name, `${at}: kind ${t.kind}: ${misfit}`);
    const longest = transformer.maxLength?.(t.params) ?? null;
    const limit = lengthLimit(t.type);
    if (longest !== null && limit !== null && longest > limit) report(table.name, `${at}: kind ${t.kind} writes up to ${longest} characters, more than the column holds`);
    if (t.kind === "null" && column.notNull) report(table.name, `${at}: kind null on a NOT NULL column`);
    if (t.kind === "default" && column.notNull && column.default === null && !column.identity) report(table.name, `${at}: kind default on a NOT NULL column without a default`);
    if (t.kind === "shift") {
      const by = (t.params["by"] as string[] | undefined) ?? table.constraints.find((c) => c.kind === "primary")?.columns ?? [];
      if (by.length === 0) report(table.name, `${at}: kind shift needs by: [columns] (the table has no primary key to key each row's offset)`);
      const unknown = by.filter((b) => !table.columns.some((c) => c.name === b));
      if (unknown.length) report(table.name, `${at}: kind shift: by names ${unknown.map((u) => `"${u}"`).join(", ")}, not columns of the table`);
    }
    const unique = uniqueReason(table, t.column, tables);
    if (unique && !transformer.injective(t.params)) {
      report(table.name, `${at}: kind ${t.kind} is not unique-safe (distinct values could become equal), but the column ${unique}: use hash (length 24+), email, uuid or keep`);
    }
  }
  if (keyed.length && !input.secret) {
    report(table.name, `column(s) ${keyed.map((c) => `"${c}"`).join(", ")} use keyed transforms, which need transform.secret (e.g. secret: \${PGFERRY_TRANSFORM_SECRET}); it is not set`);
  }
}

/** Why the column's values must stay distinct: a key, a unique constraint or index, or an FK pointing at it; null when nothing requires it. */
function uniqueReason(table: Table, column: string, tables: readonly Table[]): string | null {
  const constraint = table.constraints.find((c) => (c.kind === "primary" || c.kind === "unique") && c.columns.includes(column));
  if (constraint) return `is in ${constraint.kind === "primary" ? "the primary key" : "UNIQUE constraint"} ${constraint.name}`;
  const index = table.indexes.find((i) => /^CREATE UNIQUE INDEX/i.test(i.definition) && mentions(i.definition, column));
  if (index) return `is in unique index ${index.name}`;
  for (const other of tables) {
    const fk = other.constraints.find((c) => c.kind === "foreign" && c.references && nameKey(c.references) === nameKey(table.name) && c.referencedColumns.includes(column));
    if (fk) return `is referenced by FK ${fk.name} of ${displayName(other.name)}`;
  }
  return null;
}

/** The index's column list (after USING) names the column, quoted or not; conservative for expressions. */
function mentions(definition: string, column: string): boolean {
  const list = definition.slice(definition.indexOf(" USING ") + 1);
  const bare = new RegExp(`(^|[^\\w"])${column.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\w"])`, "u");
  return list.includes(`"${column.replace(/"/g, '""')}"`) || bare.test(list);
}

function rowKey(table: Table, t: ColumnTransform): readonly string[] {
  return (t.params["by"] as string[] | undefined) ?? table.constraints.find((c) => c.kind === "primary")?.columns ?? [];
}

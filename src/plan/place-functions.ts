/**
 * Where each created function goes in the run's order. Most come before the tables (their
 * defaults, checks and triggers call them; bodies are not checked, as with pg_restore). One whose
 * signature uses a created table's row type (`RETURNS SETOF customer`), or whose SQL-standard
 * body (BEGIN ATOMIC, 14+) names a created table, can only be created after that table; after
 * the views when it names a created view. An aggregate goes no earlier than its support functions. Pure.
 */
import type { Table, View } from "../model/catalog.js";
import type { DdlStatement } from "../model/ddl-statement.js";
import { nameKey } from "../model/qualified-name.js";

type CreateFunction = Extract<DdlStatement, { kind: "create-function" | "create-aggregate" }>;

export interface PlacedFunctions {
  readonly beforeTables: readonly CreateFunction[];
  readonly afterTables: readonly CreateFunction[];
  readonly afterViews: readonly CreateFunction[];
}

export function placeFunctions(statements: readonly CreateFunction[], created: readonly Table[], views: readonly View[]): PlacedFunctions {
  const tables = new Set(created.map((t) => nameKey(t.name)));
  const createdViews = new Set(views.map((v) => nameKey(v.name)));
  const level = new Map<string, number>();
  for (const { function: fn } of statements) {
    const relations = (fn.relations ?? []).map(nameKey);
    level.set(fn.key, relations.some((r) => createdViews.has(r)) ? 2 : relations.some((r) => tables.has(r)) ? 1 : 0);
  }
  // Statements come support functions first (planFunctions), so one pass carries levels up to aggregates.
  for (const { function: fn } of statements) {
    for (const support of fn.aggregate?.functions ?? []) level.set(fn.key, Math.max(level.get(fn.key) ?? 0, level.get(support) ?? 0));
  }
  const at = (n: number) => statements.filter((s) => level.get(s.function.key) === n);
  return { beforeTables: at(0), afterTables: at(1), afterViews: at(2) };
}

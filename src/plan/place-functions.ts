/**
 * Which created functions wait for the views: one whose signature or SQL-standard body (BEGIN
 * ATOMIC, 14+) names a created view can only be created after it, and views come after the data.
 * The others go with the pre-data, where plan/order-pre-data puts each after the types and tables
 * it names. An aggregate goes no earlier than its support functions. Pure.
 */
import type { View } from "../model/catalog.js";
import type { DdlStatement } from "../model/ddl-statement.js";
import { nameKey } from "../model/qualified-name.js";

type CreateFunction = Extract<DdlStatement, { kind: "create-function" | "create-aggregate" }>;

export interface PlacedFunctions {
  readonly beforeViews: readonly CreateFunction[];
  readonly afterViews: readonly CreateFunction[];
}

export function placeFunctions(statements: readonly CreateFunction[], views: readonly View[]): PlacedFunctions {
  const createdViews = new Set(views.map((v) => nameKey(v.name)));
  const late = new Set(statements.filter(({ function: fn }) => (fn.relations ?? []).some((r) => createdViews.has(nameKey(r)))).map((s) => s.function.key));
  // Statements come support functions first (planFunctions), so one pass carries lateness up to aggregates.
  for (const { function: fn } of statements) {
    if ((fn.aggregate?.functions ?? []).some((support) => late.has(support))) late.add(fn.key);
  }
  return { beforeViews: statements.filter((s) => !late.has(s.function.key)), afterViews: statements.filter((s) => late.has(s.function.key)) };
}

/**
 * Pre-data statements (types, functions, sequences, tables) in an order where each comes after
 * what it is built from: a function after the types and tables its signature names (`RETURNS
 * SETOF customer`), a domain after the functions its CHECKs call, a table after its types,
 * functions, sequences and partitioned parent. pg_restore gets the same from pg_dump's dependency
 * sort. Stable: among ready statements the given order wins; a cycle keeps the given order. Pure.
 */
import type { DdlStatement } from "../model/ddl-statement.js";
import { nameKey, type QualifiedName } from "../model/qualified-name.js";

/** Statements whose objects others can depend on; the rest keep their place after these. */
export function orderPreData(statements: readonly DdlStatement[]): DdlStatement[] {
  const provides = new Map<string, number>();
  statements.forEach((statement, index) => {
    for (const id of providedIds(statement)) if (!provides.has(id)) provides.set(id, index);
  });
  const needs = statements.map((statement, index) =>
    [...new Set(requiredIds(statement).flatMap((id) => (provides.has(id) && provides.get(id) !== index ? [provides.get(id)!] : [])))],
  );
  const placed = new Set<number>();
  const ordered: DdlStatement[] = [];
  while (placed.size < statements.length) {
    let next = statements.findIndex((_, i) => !placed.has(i) && needs[i]!.every((n) => placed.has(n)));
    // A cycle (which PostgreSQL itself could not create in one pass): the first waiting statement goes.
    if (next < 0) next = statements.findIndex((_, i) => !placed.has(i));
    placed.add(next);
    ordered.push(statements[next]!);
  }
  return ordered;
}

const typeId = (name: QualifiedName) => `type\u0000${nameKey(name)}`;
const relationId = (name: QualifiedName) => `relation\u0000${nameKey(name)}`;
const functionId = (key: string) => `function\u0000${key}`;

function providedIds(statement: DdlStatement): string[] {
  switch (statement.kind) {
    case "create-enum":
    case "create-domain":
    case "create-composite":
    case "create-range":
      return [typeId(statement.type.name)];
    case "create-function":
    case "create-aggregate":
      return [functionId(statement.function.key)];
    case "create-sequence":
      return [relationId(statement.sequence.name)];
    case "create-collation":
      return [`collation\u0000${nameKey(statement.collation.name)}`];
    case "create-table":
      // Its row type too: a function may take or return it.
      return [relationId(statement.table.name), typeId(statement.table.name)];
    default:
      return [];
  }
}

function requiredIds(statement: DdlStatement): string[] {
  switch (statement.kind) {
    case "create-domain":
      return [...(statement.type.baseUserType ? [typeId(statement.type.baseUserType)] : []), ...(statement.type.functions ?? []).map(functionId)];
    case "create-composite":
      return statement.type.attributes.flatMap((a) => (a.userType ? [typeId(a.userType)] : []));
    case "create-range":
      return [...(statement.type.subtypeUserType ? [typeId(statement.type.subtypeUserType)] : []), ...(statement.type.subtypeDiff?.key ? [functionId(statement.type.subtypeDiff.key)] : [])];
    case "create-function":
    case "create-aggregate": {
      const fn = statement.function;
      return [
        ...(fn.types ?? []).map(typeId),
        ...(fn.relations ?? []).map(relationId),
        ...(fn.aggregate?.functions ?? []).map(functionId),
      ];
    }
    case "create-table": {
      const table = statement.table;
      return [
        ...table.columns.flatMap((c) => (c.userType ? [typeId(c.userType)] : [])),
        ...table.functions.map(functionId),
        ...table.sequences.map(relationId),
        ...(table.partitioning.parent ? [relationId(table.partitioning.parent)] : []),
      ];
    }
    case "add-column":
      return [relationId(statement.table), ...(statement.column.userType ? [typeId(statement.column.userType)] : [])];
    case "column-property":
      return [relationId(statement.table)];
    case "create-operator":
      // Its functions may wait for a table whose row type they take.
      return [statement.operator.function, statement.operator.restrict, statement.operator.join].flatMap((f) => (f?.key ? [functionId(f.key)] : []));
    default:
      return [];
  }
}

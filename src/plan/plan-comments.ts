/** COMMENT ON statements for every created object that has a comment on the source. Pure. */
import type { FunctionDef, Sequence, Table, View } from "../model/catalog.js";
import type { CommentTarget, DdlStatement } from "../model/ddl-statement.js";

export interface CommentedObjects {
  readonly tables: readonly Table[];
  readonly views: readonly View[];
  readonly sequences: readonly Sequence[];
  /** Planned type statements (create-enum, create-domain, create-composite, create-range). */
  readonly types: readonly DdlStatement[];
  readonly functions: readonly FunctionDef[];
}

export function planComments(objects: CommentedObjects): DdlStatement[] {
  const statements: DdlStatement[] = [];
  const add = (on: CommentTarget, text: string | null) => {
    if (text !== null) statements.push({ kind: "comment", on, text });
  };
  for (const type of objects.types) {
    if (type.kind === "create-enum" || type.kind === "create-domain" || type.kind === "create-composite" || type.kind === "create-range") add({ kind: "type", name: type.type.name }, type.type.comment);
  }
  for (const fn of objects.functions) add({ kind: "function", function: fn }, fn.comment);
  for (const sequence of objects.sequences) add({ kind: "sequence", name: sequence.name }, sequence.comment);
  for (const table of objects.tables) {
    add({ kind: "table", name: table.name }, table.comment);
    for (const column of table.columns) add({ kind: "column", table: table.name, column: column.name }, column.comment);
    for (const constraint of table.constraints) {
      add({ kind: "constraint", table: table.name, name: constraint.name }, constraint.comment);
      // The index behind a key has the key's name and may carry a comment of its own.
      add({ kind: "index", name: { schema: table.name.schema, name: constraint.name } }, constraint.index?.comment ?? null);
    }
    for (const index of table.indexes) add({ kind: "index", name: { schema: table.name.schema, name: index.name } }, index.comment);
    for (const trigger of table.triggers) add({ kind: "trigger", table: table.name, name: trigger.name }, trigger.comment);
  }
  for (const view of objects.views) {
    add({ kind: view.materialized ? "materialized-view" : "view", name: view.name }, view.comment);
    for (const index of view.indexes) add({ kind: "index", name: { schema: view.name.schema, name: index.name } }, index.comment);
  }
  return statements;
}

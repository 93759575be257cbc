/** DDL for objects around tables: extensions, composite types, views, triggers and comments. Pure. */
import type { CompositeType, Trigger, View } from "../model/catalog.js";
import type { CommentTarget } from "../model/ddl-statement.js";
import type { QualifiedName } from "../model/qualified-name.js";
import { quoteIdent, quoteLiteral, quoteQualified } from "../sql/quote.js";

export function renderCreateExtension(name: string, schema: string): string {
  return `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(name)} WITH SCHEMA ${quoteIdent(schema)}`;
}

export function renderCreateComposite(type: CompositeType): string {
  const attributes = type.attributes.map((a) => `${quoteIdent(a.name)} ${a.type}${a.collation ? ` COLLATE ${quoteQualified(a.collation)}` : ""}`);
  return `CREATE TYPE ${quoteQualified(type.name)} AS (${attributes.join(", ")})`;
}

/** A materialized view is created empty; REFRESH fills it once its tables hold their data. */
export function renderCreateView(view: View): string {
  const query = view.definition.trim().replace(/;$/, "");
  // reloptions come back as name=value; values are identifiers or booleans, never user text.
  const options = view.options.length ? ` WITH (${view.options.join(", ")})` : "";
  return view.materialized
    ? `CREATE MATERIALIZED VIEW ${quoteQualified(view.name)}${options} AS\n${query}\nWITH NO DATA`
    : `CREATE VIEW ${quoteQualified(view.name)}${options} AS\n${query}`;
}

/** pg_get_triggerdef, then the trigger's state when it is not the default (enabled on origin). */
export function renderCreateTrigger(table: QualifiedName, trigger: Trigger): string[] {
  const state = { O: null, D: "DISABLE TRIGGER", R: "ENABLE REPLICA TRIGGER", A: "ENABLE ALWAYS TRIGGER" }[trigger.enabled];
  const create = trigger.definition;
  return state ? [create, `ALTER TABLE ${quoteQualified(table)} ${state} ${quoteIdent(trigger.name)}`] : [create];
}

export function renderComment(on: CommentTarget, text: string): string {
  return `COMMENT ON ${commentTarget(on)} IS ${quoteLiteral(text)}`;
}

function commentTarget(on: CommentTarget): string {
  switch (on.kind) {
    case "table":
      return `TABLE ${quoteQualified(on.name)}`;
    case "view":
      return `VIEW ${quoteQualified(on.name)}`;
    case "materialized-view":
      return `MATERIALIZED VIEW ${quoteQualified(on.name)}`;
    case "sequence":
      return `SEQUENCE ${quoteQualified(on.name)}`;
    case "index":
      return `INDEX ${quoteQualified(on.name)}`;
    case "type":
      return `TYPE ${quoteQualified(on.name)}`;
    case "column":
      return `COLUMN ${quoteQualified(on.table)}.${quoteIdent(on.column)}`;
    case "constraint":
      return `CONSTRAINT ${quoteIdent(on.name)} ON ${quoteQualified(on.table)}`;
    case "trigger":
      return `TRIGGER ${quoteIdent(on.name)} ON ${quoteQualified(on.table)}`;
    case "function":
      // Identity arguments (pg_get_function_identity_arguments) are server-deparsed type lists.
      return `${on.function.kind === "p" ? "PROCEDURE" : "FUNCTION"} ${quoteQualified(on.function.name)}(${on.function.identityArguments})`;
  }
}

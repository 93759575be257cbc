/** DDL for objects around tables: extensions, composite types, views, triggers and comments. Pure. */
import type { Aggregate, CompositeType, FinalModify, FunctionDef, Trigger, View } from "../model/catalog.js";
import type { CommentTarget } from "../model/ddl-statement.js";
import type { QualifiedName } from "../model/qualified-name.js";
import { quoteIdent, quoteLiteral, quoteQualified } from "../sql/quote.js";
import { schemaObjectCommentTarget } from "./render-schema-objects.js";

export function renderCreateExtension(name: string, schema: string): string {
  return `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(name)} WITH SCHEMA ${quoteIdent(schema)}`;
}

export function renderCreateComposite(type: CompositeType): string {
  const attributes = type.attributes.map((a) => `${quoteIdent(a.name)} ${a.type}${a.collation ? ` COLLATE ${quoteQualified(a.collation)}` : ""}`);
  return `CREATE TYPE ${quoteQualified(type.name)} AS (${attributes.join(", ")})`;
}

const MODIFY: Record<FinalModify, string> = { r: "READ_ONLY", s: "SHAREABLE", w: "READ_WRITE" };
const PARALLEL = { s: "SAFE", r: "RESTRICTED", u: null } as const;

/**
 * CREATE AGGREGATE from its pg_aggregate row, with the options that differ from the defaults (as
 * pg_dump writes them). The signature and type names are server-deparsed (pg_get_function_arguments,
 * format_type); functions are quoted, initial values are literals.
 */
export function renderCreateAggregate(fn: FunctionDef, agg: Aggregate): string {
  const defaultModify: FinalModify = agg.aggKind === "n" ? "r" : "w";
  const options: (string | null)[] = [
    `SFUNC = ${quoteQualified(agg.transition)}`,
    `STYPE = ${agg.stateType}`,
    agg.stateSpace ? `SSPACE = ${agg.stateSpace}` : null,
    agg.initialValue !== null ? `INITCOND = ${quoteLiteral(agg.initialValue)}` : null,
    agg.final ? `FINALFUNC = ${quoteQualified(agg.final)}` : null,
    agg.finalExtra ? "FINALFUNC_EXTRA" : null,
    agg.finalModify !== defaultModify ? `FINALFUNC_MODIFY = ${MODIFY[agg.finalModify]}` : null,
    agg.combine ? `COMBINEFUNC = ${quoteQualified(agg.combine)}` : null,
    agg.serial ? `SERIALFUNC = ${quoteQualified(agg.serial)}` : null,
    agg.deserial ? `DESERIALFUNC = ${quoteQualified(agg.deserial)}` : null,
    agg.movingTransition ? `MSFUNC = ${quoteQualified(agg.movingTransition)}` : null,
    agg.movingInverse ? `MINVFUNC = ${quoteQualified(agg.movingInverse)}` : null,
    agg.movingStateType ? `MSTYPE = ${agg.movingStateType}` : null,
    agg.movingStateSpace ? `MSSPACE = ${agg.movingStateSpace}` : null,
    agg.movingInitialValue !== null ? `MINITCOND = ${quoteLiteral(agg.movingInitialValue)}` : null,
    agg.movingFinal ? `MFINALFUNC = ${quoteQualified(agg.movingFinal)}` : null,
    agg.movingFinalExtra ? "MFINALFUNC_EXTRA" : null,
    agg.movingTransition && agg.movingFinalModify !== defaultModify ? `MFINALFUNC_MODIFY = ${MODIFY[agg.movingFinalModify]}` : null,
    agg.sortOperator ? `SORTOP = ${renderOperator(agg.sortOperator)}` : null,
    agg.aggKind === "h" ? "HYPOTHETICAL" : null,
    PARALLEL[agg.parallel] ? `PARALLEL = ${PARALLEL[agg.parallel]}` : null,
  ];
  const signature = agg.arguments === "" ? "*" : agg.arguments;
  const body = options.filter((o): o is string => o !== null).map((o) => `    ${o}`);
  return `CREATE AGGREGATE ${quoteQualified(fn.name)}(${signature}) (\n${body.join(",\n")}\n)`;
}

/** OPERATOR(schema.op): operator names are symbols, never quoted, so anything else is refused. */
function renderOperator(op: { readonly schema: string; readonly name: string }): string {
  if (!/^[+\-*/<>=~!@#%^&|`?]+$/.test(op.name)) throw new Error(`not an operator name: ${JSON.stringify(op.name)}`);
  return `OPERATOR(${quoteIdent(op.schema)}.${op.name})`;
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
      if (on.function.kind === "a") return `AGGREGATE ${quoteQualified(on.function.name)}(${on.function.identityArguments || "*"})`;
      return `${on.function.kind === "p" ? "PROCEDURE" : "FUNCTION"} ${quoteQualified(on.function.name)}(${on.function.identityArguments})`;
    case "schema":
      return `SCHEMA ${quoteIdent(on.schema)}`;
    case "policy":
      return `POLICY ${quoteIdent(on.name)} ON ${quoteQualified(on.table)}`;
    case "rule":
      return `RULE ${quoteIdent(on.name)} ON ${quoteQualified(on.table)}`;
    case "statistics":
      return `STATISTICS ${quoteQualified(on.name)}`;
    default:
      return schemaObjectCommentTarget(on);
  }
}

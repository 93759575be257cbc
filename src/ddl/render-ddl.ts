/** DdlStatement → SQL text. Pure; identifiers through quoteIdent, server-deparsed fragments as they are. */
import type { DdlStatement } from "../model/ddl-statement.js";
import { quoteIdent, quoteQualified } from "../sql/quote.js";
import { renderAddColumn, renderAddIdentity, renderCreateTable } from "./render-create-table.js";
import { renderCreateDomain, renderCreateEnum, renderCreateRange } from "./render-types.js";
import { renderComment, renderCreateAggregate, renderCreateComposite, renderCreateExtension, renderCreateTrigger, renderCreateView } from "./render-objects.js";
import { renderCreateSequence } from "./render-sequence.js";
import { renderTableProperty } from "./render-table-properties.js";
import { isSchemaObjectStatement, renderSchemaObjectCommands, type SchemaObjectStatement } from "./render-schema-objects.js";
import { renderPrivilegeStatement } from "./render-privileges.js";

/** The SQL text of a statement, as plans and logs show it. */
export function renderDdl(statement: DdlStatement): string {
  return renderDdlCommands(statement).join(";\n");
}

/**
 * The statement as single SQL commands, each to be sent on its own through the extended protocol
 * (which refuses several commands in one string, so text from a catalog or a snapshot manifest
 * can never smuggle in another).
 */
export function renderDdlCommands(statement: DdlStatement): string[] {
  if (statement.kind === "create-trigger") return renderCreateTrigger(statement.table, statement.trigger);
  if (isSchemaObjectStatement(statement)) return renderSchemaObjectCommands(statement);
  return [renderSingleDdl(statement)];
}

function renderSingleDdl(statement: Exclude<DdlStatement, { kind: "create-trigger" } | SchemaObjectStatement>): string {
  switch (statement.kind) {
    case "create-schema":
      return `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(statement.schema)}`;
    case "create-extension":
      return renderCreateExtension(statement.name, statement.schema);
    case "create-composite":
      return renderCreateComposite(statement.type);
    case "create-function":
      return statement.function.definition;
    case "create-aggregate":
      return renderCreateAggregate(statement.function, statement.function.aggregate);
    case "create-view":
      return renderCreateView(statement.view);
    case "refresh-materialized-view":
      return `REFRESH MATERIALIZED VIEW ${quoteQualified(statement.name)}`;
    case "comment":
      return renderComment(statement.on, statement.text);
    case "create-enum":
      return renderCreateEnum(statement.type);
    case "create-domain":
      return renderCreateDomain(statement.type);
    case "create-range":
      return renderCreateRange(statement.type);
    case "create-sequence":
      return renderCreateSequence(statement.sequence);
    case "create-table":
      return renderCreateTable(statement.table, statement.identitySequences);
    case "add-column":
      return renderAddColumn(statement.table, statement.column);
    case "add-constraint":
      return `ALTER TABLE ${quoteQualified(statement.table)} ADD CONSTRAINT ${quoteIdent(statement.constraint.name)} ${statement.constraint.definition}`;
    case "drop-constraint":
      return `ALTER TABLE ${quoteQualified(statement.table)} DROP CONSTRAINT ${quoteIdent(statement.name)}`;
    case "create-index":
      return statement.definition;
    case "drop-index":
      return `DROP INDEX ${quoteQualified({ schema: statement.table.schema, name: statement.name })}`;
    case "cluster-on":
      return `ALTER TABLE ${quoteQualified(statement.table)} CLUSTER ON ${quoteIdent(statement.index)}`;
    case "replica-identity-index":
      return `ALTER TABLE ${quoteQualified(statement.table)} REPLICA IDENTITY USING INDEX ${quoteIdent(statement.index)}`;
    case "index-statistics":
      return `ALTER INDEX ${quoteQualified({ schema: statement.table.schema, name: statement.index })} ALTER COLUMN ${integer(statement.column)} SET STATISTICS ${integer(statement.target)}`;
    case "sequence-owned-by":
      return `ALTER SEQUENCE ${quoteQualified(statement.sequence)} OWNED BY ${quoteQualified(statement.table)}.${quoteIdent(statement.column)}`;
    case "defer-constraint":
      // SET CONSTRAINTS takes a constraint name qualified by schema only, not by table.
      return `SET CONSTRAINTS ${quoteIdent(statement.table.schema)}.${quoteIdent(statement.name)} DEFERRED`;
    case "set-schema":
      return `ALTER TABLE ${quoteQualified(statement.table)} SET SCHEMA ${quoteIdent(statement.schema)}`;
    case "set-default":
      return `ALTER TABLE ${quoteQualified(statement.table)} ALTER COLUMN ${quoteIdent(statement.column)} SET DEFAULT ${statement.expression}`;
    case "add-identity":
      return renderAddIdentity(statement.table, statement.column, statement.identity, statement.sequence);
    case "column-property":
    case "replica-identity":
    case "row-security":
    case "create-policy":
    case "create-rule":
    case "rule-enabled":
    case "create-statistics":
    case "statistics-target":
      return renderTableProperty(statement);
    case "set-owner":
    case "grant":
    case "revoke":
    case "grant-default":
    case "revoke-default":
      return renderPrivilegeStatement(statement);
    default:
      return assertNever(statement);
  }
}

/** A one-line summary for plans and logs. */
export function describeDdl(statement: DdlStatement): string {
  const sql = renderDdl(statement);
  const firstLine = sql.split("\n")[0] ?? sql;
  return firstLine.length > 140 ? `${firstLine.slice(0, 137)}...` : firstLine;
}

/** A number from the catalog written into DDL (which takes no parameters): an integer or nothing. */
function integer(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
  return String(value);
}

function assertNever(value: never): never {
  throw new Error(`unhandled DDL statement ${JSON.stringify(value)}`);
}

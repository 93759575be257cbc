/**
 * ALTER TABLE / CREATE POLICY / CREATE RULE / CREATE STATISTICS text for the properties of a created
 * table. Pure; identifiers through quoteIdent, expressions and definitions as the server deparsed them.
 */
import type { ColumnStorage, Policy } from "../model/catalog.js";
import type { DdlStatement } from "../model/ddl-statement.js";
import { quoteIdent, quoteQualified } from "../sql/quote.js";

export type TablePropertyStatement = Extract<
  DdlStatement,
  { kind: "column-property" | "replica-identity" | "row-security" | "create-policy" | "create-rule" | "rule-enabled" | "create-statistics" | "statistics-target" }
>;

const STORAGE: Record<ColumnStorage, string> = { plain: "PLAIN", external: "EXTERNAL", main: "MAIN", extended: "EXTENDED" };
const COMMANDS: Record<Policy["command"], string> = { all: "ALL", select: "SELECT", insert: "INSERT", update: "UPDATE", delete: "DELETE" };
const RULE_ENABLED = { D: "DISABLE", R: "ENABLE REPLICA", A: "ENABLE ALWAYS" } as const;

export function renderTableProperty(statement: TablePropertyStatement): string {
  switch (statement.kind) {
    case "column-property": {
      // ONLY: on an INHERITS parent these would recurse into the children, which carry their own.
      const column = `ALTER TABLE ONLY ${quoteQualified(statement.table)} ALTER COLUMN ${quoteIdent(statement.column)}`;
      const p = statement.property;
      if (p.kind === "statistics") return `${column} SET STATISTICS ${integer(p.target)}`;
      if (p.kind === "storage") return `${column} SET STORAGE ${STORAGE[p.storage]}`;
      if (p.kind === "compression") return `${column} SET COMPRESSION ${quoteIdent(p.method)}`;
      if (p.kind === "default") return `${column} SET DEFAULT ${p.expression}`;
      return `${column} SET NOT NULL`;
    }
    case "replica-identity":
      return `ALTER TABLE ONLY ${quoteQualified(statement.table)} REPLICA IDENTITY ${statement.identity === "full" ? "FULL" : "NOTHING"}`;
    case "row-security":
      return `ALTER TABLE ${quoteQualified(statement.table)} ${statement.action === "enable" ? "ENABLE" : "FORCE"} ROW LEVEL SECURITY`;
    case "create-policy":
      return renderCreatePolicy(statement.table, statement.policy);
    case "create-rule":
      return statement.rule.definition;
    case "rule-enabled":
      return `ALTER TABLE ${quoteQualified(statement.table)} ${RULE_ENABLED[statement.enabled]} RULE ${quoteIdent(statement.name)}`;
    case "create-statistics":
      return statement.statistics.definition;
    case "statistics-target":
      return `ALTER STATISTICS ${quoteQualified(statement.name)} SET STATISTICS ${integer(statement.target)}`;
  }
}

function renderCreatePolicy(table: Parameters<typeof quoteQualified>[0], policy: Policy): string {
  // PUBLIC is a keyword, not a role: polroles holds 0 for it.
  const roles = policy.roles.map((r) => (r === "public" ? "PUBLIC" : quoteIdent(r))).join(", ");
  const parts = [
    `CREATE POLICY ${quoteIdent(policy.name)} ON ${quoteQualified(table)}`,
    `AS ${policy.permissive ? "PERMISSIVE" : "RESTRICTIVE"}`,
    `FOR ${COMMANDS[policy.command]}`,
    `TO ${roles || "PUBLIC"}`,
  ];
  if (policy.using !== null) parts.push(`USING (${policy.using})`);
  if (policy.withCheck !== null) parts.push(`WITH CHECK (${policy.withCheck})`);
  return parts.join(" ");
}

function integer(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
  return String(value);
}

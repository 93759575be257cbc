/** ALTER … OWNER TO, GRANT, REVOKE and ALTER DEFAULT PRIVILEGES as SQL text. Pure. */
import type { DdlStatement } from "../model/ddl-statement.js";
import type { DefaultAclObjectType, PrivilegeObjectKind, PrivilegeTarget } from "../model/privileges.js";
import { quoteIdent, quoteQualified } from "../sql/quote.js";

type PrivilegeStatement = Extract<DdlStatement, { kind: "set-owner" | "grant" | "revoke" | "grant-default" | "revoke-default" }>;

/** Privilege keywords as aclexplode() prints them; anything else is refused, never pasted into SQL. */
const PRIVILEGES = new Set(["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN", "USAGE", "CREATE", "EXECUTE"]);

const ALTER_KEYWORD: Record<PrivilegeObjectKind, string> = {
  schema: "SCHEMA",
  table: "TABLE",
  view: "VIEW",
  "materialized view": "MATERIALIZED VIEW",
  sequence: "SEQUENCE",
  "foreign table": "FOREIGN TABLE",
  function: "FUNCTION",
  procedure: "PROCEDURE",
  aggregate: "AGGREGATE",
  type: "TYPE",
  domain: "DOMAIN",
};

// GRANT names every relation but a sequence with TABLE, and an aggregate with FUNCTION.
const GRANT_KEYWORD: Record<PrivilegeObjectKind, string> = {
  ...ALTER_KEYWORD,
  view: "TABLE",
  "materialized view": "TABLE",
  "foreign table": "TABLE",
  aggregate: "FUNCTION",
};

const DEFAULT_OBJECTS: Record<DefaultAclObjectType, string> = { r: "TABLES", S: "SEQUENCES", f: "FUNCTIONS", T: "TYPES", n: "SCHEMAS" };

export function renderPrivilegeStatement(statement: PrivilegeStatement): string {
  switch (statement.kind) {
    case "set-owner":
      return `ALTER ${ALTER_KEYWORD[statement.object.kind]} ${objectName(statement.object, "alter")} OWNER TO ${quoteIdent(statement.owner)}`;
    case "grant":
      return `GRANT ${privilegeList(statement.privileges, statement.column)} ON ${grantOn(statement.object)} TO ${grantee(statement.grantee)}${statement.grantOption ? " WITH GRANT OPTION" : ""}`;
    case "revoke":
      return `REVOKE ${statement.grantOptionOnly ? "GRANT OPTION FOR " : ""}${privilegeList(statement.privileges, statement.column)} ON ${grantOn(statement.object)} FROM ${grantee(statement.grantee)}`;
    case "grant-default":
      return `${defaultsFor(statement.role, statement.schema)} GRANT ${privilegeList(statement.privileges, null)} ON ${DEFAULT_OBJECTS[statement.objectType]} TO ${grantee(statement.grantee)}${statement.grantOption ? " WITH GRANT OPTION" : ""}`;
    case "revoke-default":
      return `${defaultsFor(statement.role, statement.schema)} REVOKE ${statement.grantOptionOnly ? "GRANT OPTION FOR " : ""}${privilegeList(statement.privileges, null)} ON ${DEFAULT_OBJECTS[statement.objectType]} FROM ${grantee(statement.grantee)}`;
  }
}

function defaultsFor(role: string, schema: string): string {
  return `ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteIdent(role)} IN SCHEMA ${quoteIdent(schema)}`;
}

function grantOn(object: PrivilegeTarget): string {
  return `${GRANT_KEYWORD[object.kind]} ${objectName(object, "grant")}`;
}

/** Routines carry server-deparsed argument lists: identity arguments for ALTER, argument types for GRANT. */
function objectName(object: PrivilegeTarget, use: "alter" | "grant"): string {
  if (object.kind === "schema") return quoteIdent(object.name.name);
  const name = quoteQualified(object.name);
  if (!object.signature) return name;
  return `${name}(${use === "alter" ? object.signature.identity : object.signature.types})`;
}

function privilegeList(privileges: readonly string[], column: string | null): string {
  if (privileges.length === 0) throw new Error("GRANT/REVOKE without privileges");
  return privileges
    .map((p) => {
      if (!PRIVILEGES.has(p)) throw new Error(`unknown privilege "${p}"`);
      return column === null ? p : `${p} (${quoteIdent(column)})`;
    })
    .join(", ");
}

function grantee(role: string | null): string {
  return role === null ? "PUBLIC" : quoteIdent(role);
}

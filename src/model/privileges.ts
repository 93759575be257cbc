/**
 * Owners and privileges of one database's objects, read only for `--privileges` runs (and
 * `diff --privileges`). Kept apart from Catalog: snapshots and ordinary runs never carry them.
 */
import type { QualifiedName } from "./qualified-name.js";

/** One privilege of one grantee, as aclexplode() lists it (grantors are not kept). */
export interface AclEntry {
  /** A role name; null for PUBLIC. */
  readonly grantee: string | null;
  /** SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER, MAINTAIN, USAGE, CREATE, EXECUTE. */
  readonly privilege: string;
  readonly grantable: boolean;
}

export type PrivilegeObjectKind =
  | "schema"
  | "table"
  | "view"
  | "materialized view"
  | "sequence"
  | "foreign table"
  | "function"
  | "procedure"
  | "aggregate"
  | "type"
  | "domain";

/** What an ALTER … OWNER TO, GRANT or REVOKE names. */
export interface PrivilegeTarget {
  readonly kind: PrivilegeObjectKind;
  /** A schema is `{ schema: name, name }`. */
  readonly name: QualifiedName;
  /**
   * Routines: pg_get_function_identity_arguments (how ALTER FUNCTION/AGGREGATE names it) and
   * oidvectortypes(proargtypes) (how GRANT … ON FUNCTION names it), both deparsed by the server.
   */
  readonly signature?: { readonly identity: string; readonly types: string };
}

/** An object's owner and effective ACL (acldefault() when the catalog's ACL is NULL). */
export interface PrivilegedObject extends PrivilegeTarget {
  /** How the planner finds it: see privilegeKey. */
  readonly key: string;
  readonly owner: string;
  readonly acl: readonly AclEntry[];
  /** Column privileges (pg_attribute.attacl) of a relation, only columns that have some. */
  readonly columns: readonly { readonly name: string; readonly acl: readonly AclEntry[] }[];
  /** A sequence owned by a table column: its owner follows the table's (ALTER SEQUENCE … OWNER TO refuses). */
  readonly ownedByTable?: QualifiedName;
}

/** pg_default_acl.defaclobjtype: r tables (and views), S sequences, f functions, T types, n schemas. */
export type DefaultAclObjectType = "r" | "S" | "f" | "T" | "n";

/** ALTER DEFAULT PRIVILEGES FOR ROLE role [IN SCHEMA schema] … (pg_default_acl). */
export interface DefaultAcl {
  readonly role: string;
  /** null for the role's database-wide entry. */
  readonly schema: string | null;
  readonly objectType: DefaultAclObjectType;
  readonly acl: readonly AclEntry[];
}

export interface CatalogPrivileges {
  /** current_user of the introspecting session: the owner of what a run creates. */
  readonly currentRole: string;
  readonly superuser: boolean;
  /** The owner of the current database (pg_database.datdba): what pg_database_owner (14+) stands for. */
  readonly databaseOwner: string;
  /** Every role of the cluster (pg_roles). */
  readonly roles: readonly string[];
  /** Roles the current role may become (SET ROLE; member of, before PostgreSQL 16), itself included. */
  readonly settableRoles: readonly string[];
  readonly objects: readonly PrivilegedObject[];
  readonly defaults: readonly DefaultAcl[];
}

/** The one key an object is found by, from a plan's statements or from the catalog. */
export function privilegeKey(kind: PrivilegeObjectKind, name: QualifiedName, identityArguments?: string): string {
  return `${keyGroup(kind)}:${name.schema}\u0000${name.name}${identityArguments === undefined ? "" : `(${identityArguments})`}`;
}

function keyGroup(kind: PrivilegeObjectKind): string {
  if (kind === "schema") return "schema";
  if (kind === "function" || kind === "procedure" || kind === "aggregate") return "routine";
  if (kind === "type" || kind === "domain") return "type";
  return "relation";
}

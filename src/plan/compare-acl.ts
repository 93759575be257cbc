/**
 * ACLs as sets of (grantee, privilege, grantable): role mapping, the default ACL PostgreSQL gives
 * a new object, the effect of ALTER … OWNER TO, and the GRANTs/REVOKEs that turn one into another. Pure.
 */
import type { AclEntry, CatalogPrivileges, DefaultAcl, DefaultAclObjectType, PrivilegeObjectKind } from "../model/privileges.js";

/** Source role → target role (pgferry.yml `roles:`, --role-map); unmapped roles keep their name. */
export type RoleMap = Readonly<Record<string, string>>;

export function mapRole(roles: RoleMap, role: string): string {
  return Object.hasOwn(roles, role) ? roles[role]! : role;
}

/** The predefined role (PostgreSQL 14+) that owns `public` from 15 on and stands for the database's owner. */
const DATABASE_OWNER_ROLE = "pg_database_owner";

/** The role map, plus pg_database_owner → the database's owner on a target older than 14 (which lacks that role). */
export function effectiveRoleMap(roles: RoleMap, target: Pick<CatalogPrivileges, "roles" | "databaseOwner">): RoleMap {
  if (target.roles.includes(DATABASE_OWNER_ROLE) || Object.hasOwn(roles, DATABASE_OWNER_ROLE)) return roles;
  return { ...roles, [DATABASE_OWNER_ROLE]: target.databaseOwner };
}

export function mapAcl(acl: readonly AclEntry[], roles: RoleMap): AclEntry[] {
  return merged(acl.map((e) => (e.grantee === null ? e : { ...e, grantee: mapRole(roles, e.grantee) })));
}

/** Entries of the same grantee and privilege become one (two source roles mapped to one target role). */
export function merged(acl: readonly AclEntry[]): AclEntry[] {
  const byKey = new Map<string, AclEntry>();
  for (const e of acl) {
    const seen = byKey.get(entryKey(e));
    byKey.set(entryKey(e), seen ? { ...seen, grantable: seen.grantable || e.grantable } : e);
  }
  return [...byKey.values()];
}

/**
 * ALTER … OWNER TO rewrites the ACL: the old owner's entries become the new owner's
 * (PostgreSQL's aclnewowner), merged with what the new owner already had.
 */
export function withNewOwner(acl: readonly AclEntry[], oldOwner: string, newOwner: string): AclEntry[] {
  return merged(acl.map((e) => (e.grantee === oldOwner ? { ...e, grantee: newOwner } : e)));
}

/** Which pg_default_acl object type applies to an object of this kind. */
export function defaultAclType(kind: PrivilegeObjectKind): DefaultAclObjectType {
  switch (kind) {
    case "schema":
      return "n";
    case "sequence":
      return "S";
    case "function":
    case "procedure":
    case "aggregate":
      return "f";
    case "type":
    case "domain":
      return "T";
    default:
      return "r";
  }
}

/**
 * The ACL PostgreSQL gives an object `owner` creates in `schema` (get_user_default_acl): the kind's
 * built-in default (acldefault), replaced by the owner's database-wide default privileges when it
 * has some, plus its default privileges in that schema.
 */
export function createdObjectAcl(kind: PrivilegeObjectKind, owner: string, schema: string, defaults: readonly DefaultAcl[], serverVersion: number): AclEntry[] {
  const type = defaultAclType(kind);
  const own = (privileges: readonly string[]): AclEntry[] => privileges.map((privilege) => ({ grantee: owner, privilege, grantable: false }));
  const builtIn: Record<DefaultAclObjectType, AclEntry[]> = {
    // MAINTAIN is a table privilege from PostgreSQL 17 on.
    r: own(["INSERT", "SELECT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", ...(serverVersion >= 170000 ? ["MAINTAIN"] : [])]),
    S: own(["USAGE", "SELECT", "UPDATE"]),
    f: [...own(["EXECUTE"]), { grantee: null, privilege: "EXECUTE", grantable: false }],
    T: [...own(["USAGE"]), { grantee: null, privilege: "USAGE", grantable: false }],
    n: own(["USAGE", "CREATE"]),
  };
  const global = defaults.find((d) => d.role === owner && d.schema === null && d.objectType === type);
  const inSchema = type === "n" ? undefined : defaults.find((d) => d.role === owner && d.schema === schema && d.objectType === type);
  return merged([...(global ? global.acl : builtIn[type]), ...(inSchema?.acl ?? [])]);
}

/**
 * The part of createdObjectAcl that comes from the owner's default privileges in `schema`. A table
 * a parallel load (--jobs) creates in its load schema and moves into place does not get them, so
 * the planner cannot count on them (see plan-privileges).
 */
export function schemaDefaultAcl(kind: PrivilegeObjectKind, owner: string, schema: string, defaults: readonly DefaultAcl[]): AclEntry[] {
  const type = defaultAclType(kind);
  return type === "n" ? [] : [...(defaults.find((d) => d.role === owner && d.schema === schema && d.objectType === type)?.acl ?? [])];
}

/** One GRANT or REVOKE: privileges of one grantee with the same grant option. */
export interface AclChange {
  readonly grantee: string | null;
  readonly privileges: readonly string[];
  /** grant: WITH GRANT OPTION; revoke: only the grant option (GRANT OPTION FOR). */
  readonly option: boolean;
}

/** What turns `have` into `want`. */
export function diffAcl(want: readonly AclEntry[], have: readonly AclEntry[]): { readonly grant: AclChange[]; readonly revoke: AclChange[] } {
  const haveByKey = new Map(have.map((e) => [entryKey(e), e]));
  const wantByKey = new Map(want.map((e) => [entryKey(e), e]));
  const grant: AclEntry[] = [];
  const revoke: AclEntry[] = [];
  for (const w of want) {
    const h = haveByKey.get(entryKey(w));
    if (!h || (w.grantable && !h.grantable)) grant.push(w);
    else if (h.grantable && !w.grantable) revoke.push({ ...h, grantable: true });
  }
  for (const h of have) if (!wantByKey.has(entryKey(h))) revoke.push({ ...h, grantable: false });
  return { grant: grouped(grant), revoke: grouped(revoke) };
}

/** Entries as changes, one per grantee and option, in a stable order. */
function grouped(entries: readonly AclEntry[]): AclChange[] {
  const byKey = new Map<string, { grantee: string | null; privileges: string[]; option: boolean }>();
  for (const e of entries) {
    const key = `${e.grantee ?? ""}\u0000${e.grantable}`;
    const change = byKey.get(key) ?? { grantee: e.grantee, privileges: [], option: e.grantable };
    change.privileges.push(e.privilege);
    byKey.set(key, change);
  }
  return [...byKey.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, c]) => ({ ...c, privileges: [...c.privileges].sort() }));
}

function entryKey(e: AclEntry): string {
  return `${e.grantee === null ? "" : `r:${e.grantee}`}\u0000${e.privilege}`;
}

/** An ACL entry as people read it: `SELECT to app_ro`, `EXECUTE to PUBLIC (with grant option)`. */
export function describeAclChange(c: AclChange, verb: "grant" | "revoke"): string {
  const who = c.grantee === null ? "PUBLIC" : c.grantee;
  return `${c.privileges.join(", ")} ${verb === "grant" ? "to" : "from"} ${who}${c.option ? (verb === "grant" ? " with grant option" : " (grant option only)") : ""}`;
}

/** Server versions of the two sides, for privileges only one of them has. */
export interface SideVersions {
  readonly sourceVersion: number;
  readonly targetVersion: number;
}

/**
 * MAINTAIN is a table privilege from PostgreSQL 17 on: an older target cannot be granted it, and
 * a 17+ target's owner has it by default where an older source's owner could not.
 */
export function comparableAcls(want: readonly AclEntry[], have: readonly AclEntry[], owner: string, versions: SideVersions): { want: AclEntry[]; have: AclEntry[] } {
  return {
    want: versions.targetVersion >= 170000 ? [...want] : want.filter((e) => e.privilege !== "MAINTAIN"),
    have: versions.sourceVersion < 170000 ? have.filter((e) => !(e.privilege === "MAINTAIN" && e.grantee === owner)) : [...have],
  };
}

/**
 * Owners, ACLs and default privileges of one database's user objects (for --privileges). ACLs are
 * read with aclexplode(coalesce(acl, acldefault(…))): a NULL ACL means the kind's default, which
 * acldefault() spells out (both exist in every supported version, 12+).
 */
import { qualifiedName } from "../model/qualified-name.js";
import { privilegeKey, type AclEntry, type CatalogPrivileges, type DefaultAcl, type DefaultAclObjectType, type PrivilegedObject, type PrivilegeObjectKind } from "../model/privileges.js";
import type { SqlSession } from "../pg/session.js";
import { deepFreeze } from "../model/deep-freeze.js";
import { NOT_EXTENSION_MEMBER, USER_SCHEMA } from "./catalog-filters.js";

/** An ACL array as JSON entries; grantee 0 is PUBLIC. */
const EXPLODE = (acl: string) => `coalesce((SELECT jsonb_agg(jsonb_build_object(
    'grantee', CASE WHEN x.grantee = 0 THEN NULL ELSE pg_get_userbyid(x.grantee) END,
    'privilege', x.privilege_type, 'grantable', x.is_grantable)) FROM aclexplode(${acl}) x), '[]'::jsonb)`;
const EFFECTIVE = (acl: string, kind: string, owner: string) => EXPLODE(`coalesce(${acl}, acldefault(${kind}::"char", ${owner}))`);

interface ObjectRow {
  readonly kind: string;
  readonly schema: string;
  readonly name: string;
  readonly identity: string | null;
  readonly types: string | null;
  readonly owner: string;
  readonly acl: AclEntry[];
  readonly columns: { name: string; acl: AclEntry[] }[] | null;
  readonly owned_by_schema: string | null;
  readonly owned_by_name: string | null;
}

const RELATION_KINDS: Record<string, PrivilegeObjectKind> = { r: "table", p: "table", v: "view", m: "materialized view", S: "sequence", f: "foreign table" };
const ROUTINE_KINDS: Record<string, PrivilegeObjectKind> = { f: "function", w: "function", p: "procedure", a: "aggregate" };

export async function introspectPrivileges(session: SqlSession): Promise<CatalogPrivileges> {
  const saved = await session.query<{ path: string }>("SELECT current_setting('search_path') AS path, set_config('search_path', 'pg_catalog', false)");
  try {
    return deepFreeze(await readPrivileges(session));
  } finally {
    await session.query("SELECT set_config('search_path', $1, false)", [saved[0]?.path ?? "\"$user\", public"]);
  }
}

async function readPrivileges(session: SqlSession): Promise<CatalogPrivileges> {
  const [version] = await session.query<{ num: string }>("SELECT current_setting('server_version_num') AS num");
  // PostgreSQL 16 split membership into INHERIT and SET options: ALTER … OWNER TO needs SET.
  const mode = Number(version?.num) >= 160000 ? "SET" : "MEMBER";
  const [me] = await session.query<{ role: string; superuser: boolean; database_owner: string; roles: string[]; settable: string[] }>(
    `SELECT current_user AS role, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
            (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()) AS database_owner,
            array(SELECT rolname::text FROM pg_roles ORDER BY 1) AS roles,
            array(SELECT rolname::text FROM pg_roles WHERE pg_has_role(current_user, oid, $1) ORDER BY 1) AS settable`,
    [mode],
  );
  if (!me) throw new Error("cannot read the current role from pg_roles");
  const rows = await session.query<ObjectRow & Record<string, unknown>>(OBJECTS_SQL);
  const defaults = await session.query<{ role: string; schema: string | null; objtype: DefaultAclObjectType; acl: AclEntry[] } & Record<string, unknown>>(
    `SELECT pg_get_userbyid(d.defaclrole) AS role, n.nspname AS schema, d.defaclobjtype::text AS objtype, ${EXPLODE("d.defaclacl")} AS acl
       FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace ORDER BY 1, 2, 3`,
  );
  return {
    currentRole: me.role,
    superuser: me.superuser,
    databaseOwner: me.database_owner,
    roles: me.roles,
    settableRoles: me.settable,
    objects: rows.map(toObject),
    defaults: defaults.map((d): DefaultAcl => ({ role: d.role, schema: d.schema, objectType: d.objtype, acl: dedupe(d.acl) })),
  };
}

function toObject(row: ObjectRow): PrivilegedObject {
  const [group, code] = row.kind.split(":") as [string, string];
  const kind: PrivilegeObjectKind =
    group === "relation" ? RELATION_KINDS[code]! : group === "routine" ? ROUTINE_KINDS[code]! : group === "type" ? (code === "d" ? "domain" : "type") : "schema";
  const name = qualifiedName(row.schema, row.name);
  const signature = row.identity !== null && row.types !== null ? { identity: row.identity, types: row.types } : undefined;
  return {
    kind,
    name,
    ...(signature ? { signature } : {}),
    key: privilegeKey(kind, name, signature?.identity),
    owner: row.owner,
    acl: dedupe(row.acl),
    columns: (row.columns ?? []).map((c) => ({ name: c.name, acl: dedupe(c.acl) })),
    ...(row.owned_by_schema !== null && row.owned_by_name !== null ? { ownedByTable: qualifiedName(row.owned_by_schema, row.owned_by_name) } : {}),
  };
}

/** One entry per grantee and privilege: grants of several grantors merge (grantable if any is). */
function dedupe(acl: readonly AclEntry[]): AclEntry[] {
  const byKey = new Map<string, AclEntry>();
  for (const entry of acl) {
    const key = `${entry.grantee ?? ""}\u0000${entry.privilege}`;
    const seen = byKey.get(key);
    byKey.set(key, seen ? { ...seen, grantable: seen.grantable || entry.grantable } : entry);
  }
  return [...byKey.values()].sort((a, b) => `${a.grantee ?? ""}\u0000${a.privilege}`.localeCompare(`${b.grantee ?? ""}\u0000${b.privilege}`));
}

const OBJECTS_SQL = `
  SELECT 'relation:' || c.relkind::text AS kind, n.nspname AS schema, c.relname AS name, NULL AS identity, NULL AS types,
         pg_get_userbyid(c.relowner) AS owner,
         ${EFFECTIVE("c.relacl", "CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END", "c.relowner")} AS acl,
         (SELECT jsonb_agg(jsonb_build_object('name', a.attname, 'acl', ${EXPLODE("a.attacl")}) ORDER BY a.attnum)
            FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL) AS columns,
         ot_n.nspname AS owned_by_schema, ot.relname AS owned_by_name
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_depend od ON c.relkind = 'S' AND od.classid = 'pg_class'::regclass AND od.objid = c.oid
                           AND od.refclassid = 'pg_class'::regclass AND od.deptype IN ('a', 'i')
    LEFT JOIN pg_class ot ON ot.oid = od.refobjid
    LEFT JOIN pg_namespace ot_n ON ot_n.oid = ot.relnamespace
   WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${USER_SCHEMA("n.nspname")} AND ${NOT_EXTENSION_MEMBER("pg_class", "c.oid")}
  UNION ALL
  SELECT 'routine:' || p.prokind::text, n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), oidvectortypes(p.proargtypes),
         pg_get_userbyid(p.proowner), ${EFFECTIVE("p.proacl", "'f'", "p.proowner")}, NULL, NULL, NULL
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE ${USER_SCHEMA("n.nspname")} AND ${NOT_EXTENSION_MEMBER("pg_proc", "p.oid")}
  UNION ALL
  SELECT 'type:' || t.typtype::text, n.nspname, t.typname, NULL, NULL,
         pg_get_userbyid(t.typowner), ${EFFECTIVE("t.typacl", "'T'", "t.typowner")}, NULL, NULL, NULL
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
     AND ${USER_SCHEMA("n.nspname")} AND ${NOT_EXTENSION_MEMBER("pg_type", "t.oid")}
  UNION ALL
  SELECT 'schema:', n.nspname, n.nspname, NULL, NULL, pg_get_userbyid(n.nspowner), ${EFFECTIVE("n.nspacl", "'n'", "n.nspowner")}, NULL, NULL, NULL
    FROM pg_namespace n
   WHERE ${USER_SCHEMA("n.nspname")} AND ${NOT_EXTENSION_MEMBER("pg_namespace", "n.oid")}
   ORDER BY 1, 2, 3, 4`;

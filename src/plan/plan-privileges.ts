/**
 * --privileges: make the owners and ACLs of the run's objects, and the default privileges of its
 * schemas, on the target equal to the source's (roles renamed through the role map). Pure: from
 * both sides' CatalogPrivileges to ALTER … OWNER TO / REVOKE / GRANT / ALTER DEFAULT PRIVILEGES
 * statements, run last, after the data. Refuses (error diagnostics) when a role is missing on the
 * target, or when the target role may not change an object's owner or grants.
 */
import type { DdlStatement } from "../model/ddl-statement.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { privilegeKey, type AclEntry, type CatalogPrivileges, type DefaultAclObjectType, type PrivilegedObject, type PrivilegeTarget } from "../model/privileges.js";
import { displayName } from "../model/qualified-name.js";
import type { RunObjects } from "./collect-run-objects.js";
import { comparableAcls, createdObjectAcl, diffAcl, effectiveRoleMap, mapAcl, mapRole, merged, schemaDefaultAcl, withNewOwner, type AclChange, type RoleMap } from "./compare-acl.js";

export interface PrivilegePlanInput {
  readonly source: CatalogPrivileges;
  readonly target: CatalogPrivileges;
  readonly sourceVersion: number;
  readonly targetVersion: number;
  readonly roles: RoleMap;
  readonly run: RunObjects;
}

export interface PrivilegePlan {
  readonly statements: readonly DdlStatement[];
  readonly diagnostics: readonly Diagnostic[];
}

/** What the run does to one object: its owner change (if any) and its grants and revokes. */
interface ObjectChanges {
  readonly object: PrivilegedObject;
  readonly ownerBefore: string;
  readonly ownerAfter: string;
  readonly statements: DdlStatement[];
}

export function planPrivileges(given: PrivilegePlanInput): PrivilegePlan {
  const input = { ...given, roles: effectiveRoleMap(given.roles, given.target) };
  const { source, target, roles } = input;
  const sourceByKey = new Map(source.objects.map((o) => [o.key, o]));
  const targetByKey = new Map(target.objects.map((o) => [o.key, o]));
  const runKeys = new Set(input.run.keys);
  const objects = [
    ...input.run.keys.flatMap((key) => (sourceByKey.has(key) ? [sourceByKey.get(key)!] : [])),
    // In a schema synced whole, the objects an earlier run created (or that were there) are the run's too.
    ...source.objects.filter((o) => !runKeys.has(o.key) && input.run.wholeSchemas.has(o.name.schema) && targetByKey.has(o.key)),
  ];
  const needs = new Map<string, string[]>();
  const need = (role: string | null, why: string) => {
    if (role === null) return;
    needs.set(role, [...(needs.get(role) ?? []), why]);
  };

  // Owners first: an owned sequence's owner follows its table's (ALTER SEQUENCE … OWNER TO refuses it).
  const ownerAfter = new Map<string, string>();
  for (const o of objects) if (!o.ownedByTable) ownerAfter.set(o.key, mapRole(roles, o.owner));
  const changes: ObjectChanges[] = objects.map((o) => {
    const existing = targetByKey.get(o.key);
    const before = existing?.owner ?? target.currentRole;
    const owningTable = existing?.ownedByTable ?? o.ownedByTable;
    const after = owningTable ? (ownerAfter.get(privilegeKey("table", owningTable)) ?? before) : ownerAfter.get(o.key)!;
    const statements: DdlStatement[] = [];
    const object = targetOf(o);
    if (!owningTable) need(after, `owner of ${describe(o)}`);
    if (after !== before && !owningTable) statements.push({ kind: "set-owner", object, owner: after });
    const want = mapAcl(o.acl, roles);
    const have = withNewOwner(existing?.acl ?? createdAcl(o, want, target, input.targetVersion), before, after);
    const compared = comparableAcls(want, have, after, input);
    for (const e of compared.want) if (e.grantee !== after) need(e.grantee, `grantee on ${describe(o)}`);
    statements.push(...aclStatements(object, null, diffAcl(compared.want, compared.have)));
    const columns = input.run.columnsOf(o.key);
    const haveColumns = new Map((existing?.columns ?? []).map((c) => [c.name, c.acl]));
    const wantColumns = new Map(o.columns.map((c) => [c.name, mapAcl(c.acl, roles)]));
    for (const column of [...new Set([...wantColumns.keys(), ...haveColumns.keys()])].sort()) {
      if (columns && !columns.has(column)) continue;
      for (const e of wantColumns.get(column) ?? []) need(e.grantee, `grantee on ${describe(o)}.${column}`);
      statements.push(...aclStatements(object, column, diffAcl(wantColumns.get(column) ?? [], withNewOwner(haveColumns.get(column) ?? [], before, after))));
    }
    return { object: o, ownerBefore: before, ownerAfter: after, statements };
  });
  const defaults = planDefaultPrivileges(input, need);

  const missing = [...needs.keys()].filter((role) => !target.roles.includes(role)).sort();
  if (missing.length > 0) return { statements: [], diagnostics: [missingRoles(missing, needs)] };
  const diagnostics: Diagnostic[] = [];
  const refused = target.superuser ? [] : changes.filter((c) => c.statements.length > 0 && !(may(target, c.ownerAfter) && may(target, c.ownerBefore)));
  const refusedDefaults = target.superuser ? [] : [...new Set(defaults.map((d) => d.role))].filter((role) => !may(target, role));
  if (refused.length > 0 || refusedDefaults.length > 0) diagnostics.push(notAllowed(target.currentRole, refused, refusedDefaults));
  const ordered = [
    ...changes.flatMap((c) => c.statements.filter((s) => s.kind === "set-owner")),
    ...changes.flatMap((c) => c.statements.filter((s) => s.kind !== "set-owner")),
    ...defaults.map((d) => d.statement),
  ];
  const count = (kind: DdlStatement["kind"]) => ordered.filter((s) => s.kind === kind).length;
  diagnostics.push({
    level: "info",
    message: `privileges: ${count("set-owner")} owner change(s), ${count("grant")} grant(s), ${count("revoke")} revoke(s), ${count("grant-default") + count("revoke-default")} default privilege change(s) on ${objects.length} object(s)`,
  });
  return { statements: ordered, diagnostics };
}

/**
 * What a created object is taken to hold before its grants: its kind's default, without the
 * entries the target role's default privileges in its schema would add and the source wants
 * (granted again, which changes nothing when they are there), with those it does not want (revoked,
 * which changes nothing when they are not): a parallel load creates tables outside their schema.
 */
function createdAcl(o: PrivilegedObject, want: readonly AclEntry[], target: CatalogPrivileges, version: number): AclEntry[] {
  const base = createdObjectAcl(o.kind, target.currentRole, o.name.schema, target.defaults.filter((d) => d.schema === null), version);
  const key = (e: AclEntry) => `${e.grantee ?? ""}\u0000${e.privilege}`;
  const wanted = new Set(want.map(key));
  return merged([...base, ...schemaDefaultAcl(o.kind, target.currentRole, o.name.schema, target.defaults).filter((e) => !wanted.has(key(e)))]);
}

function targetOf(o: PrivilegedObject): PrivilegeTarget {
  return { kind: o.kind, name: o.name, ...(o.signature ? { signature: o.signature } : {}) };
}

function aclStatements(object: PrivilegeTarget, column: string | null, changes: { grant: readonly AclChange[]; revoke: readonly AclChange[] }): DdlStatement[] {
  return [
    ...changes.revoke.map((c): DdlStatement => ({ kind: "revoke", object, column, privileges: c.privileges, grantee: c.grantee, grantOptionOnly: c.option })),
    ...changes.grant.map((c): DdlStatement => ({ kind: "grant", object, column, privileges: c.privileges, grantee: c.grantee, grantOption: c.option })),
  ];
}

interface DefaultChange {
  readonly role: string;
  readonly statement: DdlStatement;
}

/** The schema-level default privileges (ALTER DEFAULT PRIVILEGES … IN SCHEMA) of the run's schemas. */
function planDefaultPrivileges(input: PrivilegePlanInput, need: (role: string | null, why: string) => void): DefaultChange[] {
  const schemas = new Set(input.run.schemas);
  const entries = (side: CatalogPrivileges, mapped: boolean) => {
    const byKey = new Map<string, { role: string; schema: string; objectType: DefaultAclObjectType; acl: AclEntry[] }>();
    for (const d of side.defaults) {
      if (d.schema === null || !schemas.has(d.schema) || d.objectType === "n") continue;
      const role = mapped ? mapRole(input.roles, d.role) : d.role;
      const key = `${role}\u0000${d.schema}\u0000${d.objectType}`;
      const acl = mapped ? mapAcl(d.acl, input.roles) : [...d.acl];
      byKey.set(key, { role, schema: d.schema, objectType: d.objectType, acl: merged([...(byKey.get(key)?.acl ?? []), ...acl]) });
    }
    return byKey;
  };
  const want = entries(input.source, true);
  const have = entries(input.target, false);
  const out: DefaultChange[] = [];
  for (const key of [...new Set([...want.keys(), ...have.keys()])].sort()) {
    const { role, schema, objectType } = (want.get(key) ?? have.get(key))!;
    const wanted = want.get(key)?.acl ?? [];
    need(role, `default privileges in schema ${schema}`);
    for (const e of wanted) need(e.grantee, `default privileges in schema ${schema}`);
    const { grant, revoke } = diffAcl(wanted, have.get(key)?.acl ?? []);
    const base = { role, schema, objectType };
    for (const c of revoke) out.push({ role, statement: { kind: "revoke-default", ...base, privileges: c.privileges, grantee: c.grantee, grantOptionOnly: c.option } });
    for (const c of grant) out.push({ role, statement: { kind: "grant-default", ...base, privileges: c.privileges, grantee: c.grantee, grantOption: c.option } });
  }
  return out;
}

function may(target: CatalogPrivileges, role: string): boolean {
  return target.superuser || target.settableRoles.includes(role);
}

function describe(o: PrivilegedObject): string {
  if (o.kind === "schema") return `schema ${o.name.name}`;
  return `${o.kind} ${displayName(o.name)}${o.signature ? `(${o.signature.identity})` : ""}`;
}

/** One line: every missing role, with (some of) the objects that need it. */
function missingRoles(missing: readonly string[], needs: ReadonlyMap<string, readonly string[]>): Diagnostic {
  const listed = missing.map((role) => {
    const why = [...new Set(needs.get(role) ?? [])];
    return `${role} (${why.slice(0, 3).join(", ")}${why.length > 3 ? `, and ${why.length - 3} more` : ""})`;
  });
  return {
    level: "error",
    message: `--privileges: role${missing.length > 1 ? "s" : ""} missing on the target: ${listed.join("; ")}; create ${missing.length > 1 ? "them" : "it"} on the target or map ${missing.length > 1 ? "them" : "it"} to existing roles under roles: in pgferry.yml (or --role-map SOURCE=TARGET)`,
  };
}

function notAllowed(role: string, refused: readonly ObjectChanges[], roles: readonly string[]): Diagnostic {
  const objects = refused.map((c) => `${describe(c.object)} (owner ${c.ownerBefore}${c.ownerAfter !== c.ownerBefore ? ` → ${c.ownerAfter}` : ""})`);
  const parts = [
    ...(objects.length ? [`${objects.slice(0, 5).join(", ")}${objects.length > 5 ? `, and ${objects.length - 5} more` : ""}`] : []),
    ...(roles.length ? [`default privileges of ${roles.join(", ")}`] : []),
  ];
  return {
    level: "error",
    message: `--privileges: the target role ${role} is not superuser and cannot SET ROLE to the owners of ${parts.join("; ")}; run as a superuser, or GRANT those roles to ${role}`,
  };
}

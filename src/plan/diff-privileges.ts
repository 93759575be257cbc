/**
 * `diff --privileges`: owners and grants of the objects both sides have, and default privileges,
 * with source roles renamed through the role map. Pure.
 */
import type { CatalogPrivileges, DefaultAcl, PrivilegedObject } from "../model/privileges.js";
import { qualifiedName } from "../model/qualified-name.js";
import type { DriftItem } from "../model/schema-diff.js";
import { comparableAcls, describeAclChange, diffAcl, effectiveRoleMap, mapAcl, mapRole, merged, type RoleMap, type SideVersions } from "./compare-acl.js";
import type { TableFilter } from "./diff-catalogs.js";

export function diffPrivileges(source: CatalogPrivileges, target: CatalogPrivileges, given: RoleMap, versions: SideVersions, filter?: TableFilter): DriftItem[] {
  const roles = effectiveRoleMap(given, target);
  const targetByKey = new Map(target.objects.map((o) => [o.key, o]));
  const chosen = (o: PrivilegedObject) => {
    if (!filter) return true;
    if (o.kind === "sequence") return o.ownedByTable ? filter(o.ownedByTable) : false;
    return o.kind === "table" || o.kind === "view" || o.kind === "materialized view" || o.kind === "foreign table" ? filter(o.name) : false;
  };
  const items: DriftItem[] = [];
  for (const s of source.objects.filter(chosen)) {
    const t = targetByKey.get(s.key);
    if (!t) continue; // an object on one side only is the schema diff's to report
    const owner = s.signature ? qualifiedName(s.name.schema, `${s.name.name}(${s.signature.identity})`) : s.name;
    const wantOwner = mapRole(roles, s.owner);
    if (wantOwner !== t.owner) items.push({ kind: "owner", owner, name: null, change: "differs", details: [`owner: ${wantOwner} → ${t.owner}`] });
    // Compare as if the target's owner were the source's: an owner difference is reported once, above.
    const have = (acl: PrivilegedObject["acl"]) => merged(acl.map((e) => (e.grantee === t.owner ? { ...e, grantee: wantOwner } : e)));
    const compared = comparableAcls(mapAcl(s.acl, roles), have(t.acl), wantOwner, versions);
    const details = aclDetails(compared.want, compared.have);
    if (details.length) items.push({ kind: "grants", owner, name: null, change: "differs", details });
    const targetColumns = new Map(t.columns.map((c) => [c.name, c.acl]));
    const sourceColumns = new Map(s.columns.map((c) => [c.name, c.acl]));
    for (const column of [...new Set([...sourceColumns.keys(), ...targetColumns.keys()])].sort()) {
      const columnDetails = aclDetails(mapAcl(sourceColumns.get(column) ?? [], roles), have(targetColumns.get(column) ?? []));
      if (columnDetails.length) items.push({ kind: "grants", owner, name: column, change: "differs", details: columnDetails });
    }
  }
  if (!filter) items.push(...diffDefaults(source.defaults, target.defaults, roles));
  return items;
}

function aclDetails(want: Parameters<typeof diffAcl>[0], have: Parameters<typeof diffAcl>[1]): string[] {
  const { grant, revoke } = diffAcl(want, have);
  return [...grant.map((c) => `missing on target: ${describeAclChange(c, "grant")}`), ...revoke.map((c) => `extra on target: ${describeAclChange(c, "revoke")}`)];
}

const OBJECT_TYPES: Record<DefaultAcl["objectType"], string> = { r: "tables", S: "sequences", f: "functions", T: "types", n: "schemas" };

function diffDefaults(source: readonly DefaultAcl[], target: readonly DefaultAcl[], roles: RoleMap): DriftItem[] {
  const keyed = (entries: readonly DefaultAcl[], mapped: boolean) => {
    const byKey = new Map<string, DefaultAcl>();
    for (const d of entries) {
      const role = mapped ? mapRole(roles, d.role) : d.role;
      const key = `${role}\u0000${d.schema ?? ""}\u0000${d.objectType}`;
      const acl = mapped ? mapAcl(d.acl, roles) : d.acl;
      byKey.set(key, { ...d, role, acl: merged([...(byKey.get(key)?.acl ?? []), ...acl]) });
    }
    return byKey;
  };
  const want = keyed(source, true);
  const have = keyed(target, false);
  return [...new Set([...want.keys(), ...have.keys()])].sort().flatMap((key): DriftItem[] => {
    const d = (want.get(key) ?? have.get(key))!;
    const details = aclDetails(want.get(key)?.acl ?? [], have.get(key)?.acl ?? []);
    const where = d.schema === null ? "(all schemas)" : d.schema;
    return details.length ? [{ kind: "default privileges", owner: qualifiedName(where, OBJECT_TYPES[d.objectType]), name: `for role ${d.role}`, change: "differs", details }] : [];
  });
}

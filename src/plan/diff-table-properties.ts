/**
 * The properties diff-catalogs compares besides definitions: column statistics targets, storage
 * and compression; index CLUSTER ON, REPLICA IDENTITY and statistics targets; a table's INHERITS
 * parents, replica identity, row-level security, policies, rules and extended statistics; schema
 * comments. A property a side does not know (a manifest from an older pgferry) is not compared. Pure.
 */
import type { Catalog, Column, IndexProperties, Policy, Table } from "../model/catalog.js";
import { displayName, type QualifiedName } from "../model/qualified-name.js";
import type { DriftItem, DriftObjectKind } from "../model/schema-diff.js";

export function columnPropertyDetails(source: Column, target: Column): string[] {
  return [
    ...known("statistics", source.statistics, target.statistics, (v) => (v == null ? "default" : String(v))),
    ...known("storage", source.storage, target.storage, (v) => v ?? "the type's"),
    ...known("compression", source.compression, target.compression, (v) => v ?? "default"),
  ];
}

export function indexPropertyDetails(source: IndexProperties | undefined, target: IndexProperties | undefined): string[] {
  if (!source || !target) return [];
  const statistics = (p: IndexProperties) => p.statistics.map((s) => `column ${s.column} ${s.target}`).join(", ") || "default";
  return [
    ...changed("clustered", String(source.clustered), String(target.clustered)),
    ...changed("replica identity", String(source.replicaIdentity), String(target.replicaIdentity)),
    ...changed("statistics", statistics(source), statistics(target)),
  ];
}

/** Table-level differences (for the table's own `differs` item) and its policies, rules and statistics. */
export function diffTableProperties(source: Table, target: Table, sameMajor: boolean): { details: string[]; items: DriftItem[] } {
  const names = (list: readonly QualifiedName[]) => list.map(displayName).join(", ") || "none";
  const rls = (t: Table) => (t.rowSecurity ? `${t.rowSecurity.enabled ? "enabled" : "disabled"}${t.rowSecurity.forced ? ", forced" : ""}` : undefined);
  const details = [
    ...known("inherits", source.inherits, target.inherits, (v) => names(v ?? [])),
    ...known("replica identity", source.replicaIdentity, target.replicaIdentity, (v) => v ?? "default"),
    ...known("row level security", rls(source), rls(target), (v) => v ?? ""),
  ];
  const items: DriftItem[] = [];
  const owner = source.name;
  const sub = <T>(kind: DriftObjectKind, a: readonly T[] | undefined, b: readonly T[] | undefined, key: (x: T) => string, compare: (x: T, y: T) => string[]) => {
    if (!a || !b) return;
    const byKey = new Map(b.map((y) => [key(y), y]));
    for (const x of a) {
      const y = byKey.get(key(x));
      if (!y) items.push({ kind, owner, name: key(x), change: "only-source", details: [] });
      else {
        const d = compare(x, y);
        if (d.length) items.push({ kind, owner, name: key(x), change: "differs", details: d });
      }
    }
    const inSource = new Set(a.map(key));
    for (const y of b) if (!inSource.has(key(y))) items.push({ kind, owner, name: key(y), change: "only-target", details: [] });
  };
  // Each major version deparses expressions its own way: compare them only within one.
  const text = (what: string, a: string | null, b: string | null) => (sameMajor ? changed(what, a ?? "none", b ?? "none") : []);
  sub("policy", source.policies, target.policies, (p) => p.name, (a, b) => [
    ...changed("as", permissive(a), permissive(b)),
    ...changed("for", a.command, b.command),
    ...changed("to", [...a.roles].sort().join(", "), [...b.roles].sort().join(", ")),
    ...text("using", a.using, b.using),
    ...text("with check", a.withCheck, b.withCheck),
  ]);
  sub("rule", source.rules, target.rules, (r) => r.name, (a, b) => [...text("definition", a.definition, b.definition), ...changed("enabled", a.enabled, b.enabled)]);
  sub("statistics", source.statistics, target.statistics, (s) => displayName(s.name), (a, b) => [
    ...text("definition", a.definition, b.definition),
    ...changed("statistics", a.target === null ? "default" : String(a.target), b.target === null ? "default" : String(b.target)),
  ]);
  return { details, items };
}

/** Comments of schemas on both sides (which schemas exist is compared elsewhere). */
export function diffSchemaComments(source: Catalog, target: Catalog): DriftItem[] {
  if (!source.schemaComments || !target.schemaComments) return [];
  const commentOf = (c: Catalog, schema: string) => c.schemaComments?.find((x) => x.schema === schema)?.comment ?? "none";
  return source.schemas
    .filter((schema) => target.schemas.includes(schema))
    .flatMap((schema): DriftItem[] => {
      const d = changed("comment", commentOf(source, schema), commentOf(target, schema));
      return d.length ? [{ kind: "schema", owner: { schema, name: schema }, name: null, change: "differs", details: d }] : [];
    });
}

function permissive(p: Policy): string {
  return p.permissive ? "permissive" : "restrictive";
}

/** Compared only when both sides know the property (undefined: read by an older pgferry). */
function known<T>(what: string, source: T | undefined, target: T | undefined, show: (v: T | undefined) => string): string[] {
  if (source === undefined || target === undefined) return [];
  return changed(what, show(source), show(target));
}

function changed(what: string, source: string, target: string): string[] {
  return source === target ? [] : [`${what}: ${source} → ${target}`];
}

/**
 * What ALTER TABLE and friends set on a table besides its columns, keys and indexes: INHERITS
 * parents, REPLICA IDENTITY, row-level security and its policies, rules, extended statistics,
 * and per-column statistics targets, storage and compression. Also schema comments and role names.
 */
import type { ColumnStorage, ExtendedStatistics, Policy, ReplicaIdentity, Rule, SchemaComment, Table } from "../model/catalog.js";
import { qualifiedName } from "../model/qualified-name.js";
import type { SqlSession } from "../pg/session.js";
import { USER_SCHEMA } from "./catalog-filters.js";

/** The Table fields read here. */
export type TableProperties = Required<Pick<Table, "inherits" | "replicaIdentity" | "rowSecurity" | "policies" | "rules" | "statistics">>;

/** The Column fields read here. */
export interface ColumnProperties {
  readonly statistics: number | null;
  readonly storage: ColumnStorage | null;
  readonly compression: string | null;
  readonly local: boolean;
}

interface NameRow {
  readonly schema: string;
  readonly name: string;
}

// pg_depend rows of a policy or rule on other tables and views (the table itself is left out).
const relationsOf = (classid: string, objid: string, self: string) => `
  COALESCE((SELECT json_agg(DISTINCT jsonb_build_object('schema', rn.nspname, 'name', rc.relname))
              FROM pg_depend d JOIN pg_class rc ON rc.oid = d.refobjid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
             WHERE d.classid = '${classid}'::regclass AND d.objid = ${objid} AND d.refclassid = 'pg_class'::regclass
               AND d.refobjid <> ${self} AND rc.relkind IN ('r', 'p', 'v', 'm', 'f')), '[]'::json)`;

const REPLICA_IDENTITIES: Record<string, ReplicaIdentity> = { d: "default", n: "nothing", f: "full", i: "index" };
const POLICY_COMMANDS: Record<string, Policy["command"]> = { "*": "all", r: "select", a: "insert", w: "update", d: "delete" };
const STORAGES: Record<string, ColumnStorage> = { p: "plain", e: "external", m: "main", x: "extended" };
const COMPRESSIONS: Record<string, string> = { p: "pglz", l: "lz4" };

/** Each table's properties, by table oid. */
export async function queryTableProperties(session: SqlSession, tableOids: readonly number[], versionNum: number): Promise<Map<number, TableProperties>> {
  const tables = await session.query<{ table_oid: number; replident: string; rls: boolean; force_rls: boolean; inherits: NameRow[] }>(
    `
    SELECT c.oid AS table_oid, c.relreplident::text AS replident, c.relrowsecurity AS rls, c.relforcerowsecurity AS force_rls,
           COALESCE((SELECT json_agg(json_build_object('schema', pn.nspname, 'name', p.relname) ORDER BY h.inhseqno)
                       FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
                      WHERE h.inhrelid = c.oid AND NOT c.relispartition), '[]'::json) AS inherits
      FROM pg_class c WHERE c.oid = ANY($1::oid[])`,
    [tableOids],
  );
  const policies = await session.query<{
    table_oid: number;
    name: string;
    permissive: boolean;
    cmd: string;
    roles: string[];
    using_expr: string | null;
    check_expr: string | null;
    relations: NameRow[];
    comment: string | null;
  }>(
    `
    SELECT p.polrelid AS table_oid, p.polname AS name, p.polpermissive AS permissive, p.polcmd::text AS cmd,
           ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'public' ELSE (SELECT rolname FROM pg_roles WHERE oid = r.oid) END
                   FROM unnest(p.polroles) WITH ORDINALITY AS r(oid, ord) ORDER BY r.ord)::text[] AS roles,
           pg_get_expr(p.polqual, p.polrelid) AS using_expr, pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr,
           ${relationsOf("pg_policy", "p.oid", "p.polrelid")} AS relations,
           obj_description(p.oid, 'pg_policy') AS comment
      FROM pg_policy p WHERE p.polrelid = ANY($1::oid[])
     ORDER BY p.polrelid, p.polname`,
    [tableOids],
  );
  // pg_get_ruledef ends the statement with a semicolon: cut, so it is sent as one command.
  const rules = await session.query<{ table_oid: number; name: string; definition: string; enabled: Rule["enabled"]; relations: NameRow[]; comment: string | null }>(
    `
    SELECT r.ev_class AS table_oid, r.rulename AS name, regexp_replace(pg_get_ruledef(r.oid), ';\\s*$', '') AS definition,
           r.ev_enabled::text AS enabled, ${relationsOf("pg_rewrite", "r.oid", "r.ev_class")} AS relations,
           obj_description(r.oid, 'pg_rewrite') AS comment
      FROM pg_rewrite r WHERE r.ev_class = ANY($1::oid[]) AND r.rulename <> '_RETURN'
     ORDER BY r.ev_class, r.rulename`,
    [tableOids],
  );
  // stxstattarget: 13+; -1 (13-16) or NULL (17+) is the default.
  const target = versionNum >= 130000 ? "CASE WHEN s.stxstattarget >= 0 THEN s.stxstattarget::int END" : "NULL::int";
  // stxexprs: 14+.
  const expressions = versionNum >= 140000 ? "s.stxexprs IS NOT NULL" : "false";
  const statistics = await session.query<{ table_oid: number; schema: string; name: string; definition: string; target: number | null; expressions: boolean; comment: string | null }>(
    `
    SELECT s.stxrelid AS table_oid, n.nspname AS schema, s.stxname AS name, pg_get_statisticsobjdef(s.oid) AS definition,
           ${target} AS target, ${expressions} AS expressions, obj_description(s.oid, 'pg_statistic_ext') AS comment
      FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
     WHERE s.stxrelid = ANY($1::oid[])
     ORDER BY s.stxrelid, n.nspname, s.stxname`,
    [tableOids],
  );
  const byOid = new Map<number, TableProperties>();
  const names = (rows: readonly NameRow[]) => rows.map((r) => qualifiedName(r.schema, r.name));
  const of = <R extends { table_oid: number }>(rows: readonly R[], oid: number) => rows.filter((r) => r.table_oid === oid);
  for (const t of tables) {
    byOid.set(t.table_oid, {
      inherits: names(t.inherits),
      replicaIdentity: REPLICA_IDENTITIES[t.replident] ?? "default",
      rowSecurity: { enabled: t.rls, forced: t.force_rls },
      policies: of(policies, t.table_oid).map(
        (p): Policy => ({
          name: p.name,
          permissive: p.permissive,
          command: POLICY_COMMANDS[p.cmd] ?? "all",
          roles: p.roles,
          using: p.using_expr,
          withCheck: p.check_expr,
          relations: names(p.relations),
          comment: p.comment,
        }),
      ),
      rules: of(rules, t.table_oid).map((r): Rule => ({ name: r.name, definition: r.definition, enabled: r.enabled, relations: names(r.relations), comment: r.comment })),
      statistics: of(statistics, t.table_oid).map(
        (s): ExtendedStatistics => ({ name: qualifiedName(s.schema, s.name), definition: s.definition, target: s.target, expressions: s.expressions, comment: s.comment }),
      ),
    });
  }
  return byOid;
}

/**
 * Column properties by table oid and column name. attstattarget is -1 (before 17) or NULL (17+)
 * when not set; attcompression exists from 14 ('' = the default_toast_compression setting).
 */
export async function queryColumnProperties(session: SqlSession, tableOids: readonly number[], versionNum: number): Promise<Map<number, Map<string, ColumnProperties>>> {
  const compression = versionNum >= 140000 ? "NULLIF(a.attcompression::text, '')" : "NULL::text";
  const rows = await session.query<{ table_oid: number; name: string; statistics: number | null; storage: string | null; compression: string | null; local: boolean }>(
    `
    SELECT a.attrelid AS table_oid, a.attname AS name,
           CASE WHEN a.attstattarget >= 0 THEN a.attstattarget::int END AS statistics,
           CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END AS storage,
           ${compression} AS compression, a.attislocal AS local
      FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
     WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped`,
    [tableOids],
  );
  const byOid = new Map<number, Map<string, ColumnProperties>>();
  for (const r of rows) {
    const columns = byOid.get(r.table_oid) ?? new Map<string, ColumnProperties>();
    columns.set(r.name, {
      statistics: r.statistics,
      storage: r.storage === null ? null : (STORAGES[r.storage] ?? null),
      compression: r.compression === null ? null : (COMPRESSIONS[r.compression] ?? null),
      local: r.local,
    });
    byOid.set(r.table_oid, columns);
  }
  return byOid;
}

export async function querySchemaComments(session: SqlSession): Promise<SchemaComment[]> {
  return session.query<SchemaComment & Record<string, unknown>>(`
    SELECT nspname AS schema, obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace
     WHERE ${USER_SCHEMA("nspname")} AND obj_description(oid, 'pg_namespace') IS NOT NULL
     ORDER BY 1`);
}

export async function queryRoles(session: SqlSession): Promise<string[]> {
  const rows = await session.query<{ name: string }>("SELECT rolname AS name FROM pg_roles ORDER BY 1");
  return rows.map((r) => r.name);
}

/** A table (as toTable builds it) with the properties read here. */
export function withTableProperties<T extends Pick<Table, "columns">>(table: T, properties: TableProperties | undefined, columns: ReadonlyMap<string, ColumnProperties> | undefined): T {
  return {
    ...table,
    ...(properties ?? {}),
    columns: table.columns.map((c) => {
      const p = columns?.get(c.name);
      return p ? { ...c, statistics: p.statistics, storage: p.storage, compression: p.compression, local: p.local } : c;
    }),
  };
}

/**
 * Which tables, views and types use a user collation, text search object, operator or operator
 * class/family, followed one step in pg_depend from the user's parts: a table's columns,
 * defaults and generated expressions, constraints (exclusion operators), indexes (collations,
 * operator classes, `'cfg'::regconfig` in an expression) and triggers; a view's rewrite rule; a
 * domain (its collation and checks) or composite type. tsvector_update_trigger names its
 * configuration in a trigger argument, which pg_depend does not record: read from tgargs.
 */
import type { SchemaObjectKind, SchemaObjectUsage } from "../model/schema-objects.js";
import { schemaObjectKey } from "../model/schema-objects.js";
import { qualifiedName } from "../model/qualified-name.js";
import type { SqlSession } from "../pg/session.js";

interface UsageRow {
  readonly user_kind: "table" | "view" | "type";
  readonly user_schema: string;
  readonly user_name: string;
  readonly object_kind: SchemaObjectKind;
  readonly object_schema: string;
  readonly object_name: string;
  /** Access method (operator class/family) or regoperator text (operator). */
  readonly object_extra: string | null;
}

// Built-in objects have oids below FirstNormalObjectId (16384).
const USAGES_SQL = `
  WITH refs AS (
    SELECT d.classid, d.objid, d.refclassid, d.refobjid FROM pg_depend d
     WHERE d.deptype IN ('n', 'a') AND d.refobjid >= 16384
       AND d.refclassid IN ('pg_collation'::regclass, 'pg_ts_config'::regclass, 'pg_ts_dict'::regclass,
                            'pg_operator'::regclass, 'pg_opclass'::regclass, 'pg_opfamily'::regclass)
       AND d.classid IN ('pg_class'::regclass, 'pg_attrdef'::regclass, 'pg_constraint'::regclass, 'pg_trigger'::regclass,
                         'pg_rewrite'::regclass, 'pg_type'::regclass)
    UNION
    SELECT 'pg_trigger'::regclass, t.oid, 'pg_ts_config'::regclass, cfg.oid
      FROM pg_trigger t
      JOIN pg_proc p ON p.oid = t.tgfoid AND p.proname = 'tsvector_update_trigger' AND p.pronamespace = 'pg_catalog'::regnamespace
      JOIN pg_ts_config cfg ON cfg.oid >= 16384
      JOIN pg_namespace cn ON cn.oid = cfg.cfgnamespace
     WHERE (string_to_array(encode(t.tgargs, 'escape'), '\\000'))[2] IN (cfg.oid::regconfig::text, cfg.cfgname::text, cn.nspname || '.' || cfg.cfgname)
  ), owners AS (
    SELECT r.refclassid, r.refobjid,
           CASE r.classid
             WHEN 'pg_class'::regclass THEN (SELECT COALESCE(i.indrelid, r.objid) FROM (SELECT 1) one LEFT JOIN pg_index i ON i.indexrelid = r.objid)
             WHEN 'pg_attrdef'::regclass THEN (SELECT ad.adrelid FROM pg_attrdef ad WHERE ad.oid = r.objid)
             WHEN 'pg_constraint'::regclass THEN (SELECT NULLIF(con.conrelid, 0) FROM pg_constraint con WHERE con.oid = r.objid)
             WHEN 'pg_trigger'::regclass THEN (SELECT t.tgrelid FROM pg_trigger t WHERE t.oid = r.objid)
             WHEN 'pg_rewrite'::regclass THEN (SELECT rw.ev_class FROM pg_rewrite rw WHERE rw.oid = r.objid)
           END AS rel,
           CASE r.classid
             WHEN 'pg_type'::regclass THEN r.objid
             WHEN 'pg_constraint'::regclass THEN (SELECT NULLIF(con.contypid, 0) FROM pg_constraint con WHERE con.oid = r.objid)
           END AS type
      FROM refs r
  ), users AS (
    SELECT o.refclassid, o.refobjid,
           CASE WHEN c.relkind IN ('r', 'p', 'f') THEN 'table' WHEN c.relkind IN ('v', 'm') THEN 'view' ELSE 'type' END AS user_kind,
           n.nspname AS user_schema, COALESCE(ct.typname, c.relname) AS user_name
      FROM owners o JOIN pg_class c ON c.oid = o.rel JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_type ct ON c.relkind = 'c' AND ct.oid = c.reltype
     WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'c')
    UNION
    SELECT o.refclassid, o.refobjid, 'type', n.nspname, t.typname
      FROM owners o JOIN pg_type t ON t.oid = o.type JOIN pg_namespace n ON n.oid = t.typnamespace
  )
  SELECT DISTINCT u.user_kind, u.user_schema, u.user_name, x.object_kind, x.object_schema, x.object_name, x.object_extra
    FROM users u
    CROSS JOIN LATERAL (
      SELECT 'collation' AS object_kind, n.nspname AS object_schema, c.collname AS object_name, NULL::text AS object_extra
        FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace WHERE u.refclassid = 'pg_collation'::regclass AND c.oid = u.refobjid
      UNION ALL
      SELECT 'text search configuration', n.nspname, c.cfgname, NULL
        FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace WHERE u.refclassid = 'pg_ts_config'::regclass AND c.oid = u.refobjid
      UNION ALL
      SELECT 'text search dictionary', n.nspname, d.dictname, NULL
        FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace WHERE u.refclassid = 'pg_ts_dict'::regclass AND d.oid = u.refobjid
      UNION ALL
      SELECT 'operator', n.nspname, o.oprname, o.oid::regoperator::text
        FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace WHERE u.refclassid = 'pg_operator'::regclass AND o.oid = u.refobjid
      UNION ALL
      SELECT 'operator class', n.nspname, c.opcname, am.amname::text
        FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace JOIN pg_am am ON am.oid = c.opcmethod
       WHERE u.refclassid = 'pg_opclass'::regclass AND c.oid = u.refobjid
      UNION ALL
      SELECT 'operator family', n.nspname, f.opfname, am.amname::text
        FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace JOIN pg_am am ON am.oid = f.opfmethod
       WHERE u.refclassid = 'pg_opfamily'::regclass AND f.oid = u.refobjid
    ) x
   ORDER BY 1, 2, 3, 4, 5, 6, 7`;

export async function queryObjectUsages(session: SqlSession): Promise<SchemaObjectUsage[]> {
  const rows = await session.query<UsageRow & Record<string, unknown>>(USAGES_SQL);
  return rows.map((r) => {
    const name = qualifiedName(r.object_schema, r.object_name);
    const key = r.object_kind === "operator" ? r.object_extra! : schemaObjectKey(name, r.object_kind.startsWith("operator ") ? r.object_extra! : undefined);
    return { object: { kind: r.object_kind, key }, user: { kind: r.user_kind, name: qualifiedName(r.user_schema, r.user_name) } };
  });
}

/**
 * Dependencies pg_depend records that the object queries do not read: the extensions a view's
 * rule uses (tablefunc's crosstab hides the tables it reads in a string, so the extension is
 * all pg_depend knows), the tables and views a function depends on (a row type in its
 * signature, a SQL-standard body), and the database's large objects.
 */
import type { SqlSession } from "../pg/session.js";

export interface ViewExtensionRow {
  readonly view_oid: number;
  readonly extension: string;
}

/** Extensions one of whose members (function, type, operator…) a view's _RETURN rule depends on; an array type through its element type. */
export async function queryViewExtensions(session: SqlSession, viewOids: readonly number[]): Promise<ViewExtensionRow[]> {
  return session.query<ViewExtensionRow & Record<string, unknown>>(
    `SELECT DISTINCT r.ev_class::int8::float8 AS view_oid, x.extname::text AS extension
       FROM pg_rewrite r
       JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
       LEFT JOIN pg_type ty ON d.refclassid = 'pg_type'::regclass AND ty.oid = d.refobjid
       JOIN pg_depend m ON m.classid = d.refclassid AND m.objid IN (d.refobjid, COALESCE(ty.typelem, 0)) AND m.deptype = 'e'
                       AND m.refclassid = 'pg_extension'::regclass
       JOIN pg_extension x ON x.oid = m.refobjid
      WHERE r.ev_class = ANY($1::oid[])
      ORDER BY 1, 2`,
    [viewOids],
  );
}

export interface FunctionRelationRow {
  readonly function_oid: number;
  readonly schema: string;
  readonly name: string;
}

/** Tables and views a function depends on: directly (a BEGIN ATOMIC body, 14+) or through their row type (or an array of it) in its signature. */
export async function queryFunctionRelations(session: SqlSession, functionOids: readonly number[]): Promise<FunctionRelationRow[]> {
  return session.query<FunctionRelationRow & Record<string, unknown>>(
    `SELECT DISTINCT d.objid::int8::float8 AS function_oid, n.nspname AS schema, c.relname AS name
       FROM pg_depend d
       LEFT JOIN pg_type ty ON d.refclassid = 'pg_type'::regclass AND ty.oid = d.refobjid
       LEFT JOIN pg_type el ON el.oid = ty.typelem
       JOIN pg_class c ON c.oid = CASE WHEN d.refclassid = 'pg_class'::regclass THEN d.refobjid
                                       ELSE COALESCE(NULLIF(ty.typrelid, 0), el.typrelid) END
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE d.classid = 'pg_proc'::regclass AND d.objid = ANY($1::oid[]) AND d.deptype = 'n' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      ORDER BY 1, 2, 3`,
    [functionOids],
  );
}

/**
 * How many large objects the database has (pg_largeobject_metadata is readable by every role)
 * and their size, when the role may read pg_largeobject (superuser, or granted SELECT).
 */
export async function queryLargeObjects(session: SqlSession): Promise<{ count: number; bytes: number | null }> {
  const [row] = await session.query<{ count: string; readable: boolean }>(
    "SELECT count(*)::text AS count, has_table_privilege('pg_catalog.pg_largeobject', 'SELECT') AS readable FROM pg_largeobject_metadata",
  );
  const count = Number(row?.count ?? 0);
  if (count === 0 || !row?.readable) return { count, bytes: count === 0 ? 0 : null };
  const [size] = await session.query<{ bytes: string }>("SELECT coalesce(sum(octet_length(data)), 0)::text AS bytes FROM pg_largeobject");
  return { count, bytes: Number(size?.bytes ?? 0) };
}

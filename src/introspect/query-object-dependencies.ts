/**
 * Dependencies pg_depend records that the object queries do not read: what functions and domains
 * are built from (a function's argument and result types: user enums, domains, composites, or a
 * table's row type, `RETURNS SETOF customer`; for SQL-standard bodies, `BEGIN ATOMIC`, 14+, the
 * tables and views they read; a domain's default and CHECKs' user functions), which pg_restore
 * orders by too; the extensions a view's rule uses (tablefunc's crosstab hides the tables it reads
 * in a string, so the extension is all pg_depend knows); and the database's large objects.
 */
import type { SqlSession } from "../pg/session.js";
import { USER_SCHEMA } from "./catalog-filters.js";

export interface FunctionDependencyRow {
  readonly function_oid: string;
  readonly schema: string;
  readonly name: string;
  /** A table or view (its row type or, in a SQL-standard body, its rows), else a type. */
  readonly relation: boolean;
}

export async function queryFunctionDependencies(session: SqlSession): Promise<FunctionDependencyRow[]> {
  // An array type counts as its element type; a composite type that is a relation's row type counts as the relation.
  return session.query<FunctionDependencyRow & Record<string, unknown>>(`
    SELECT DISTINCT d.objid::int8::text AS function_oid, n.nspname AS schema, COALESCE(rc.relname, t.typname) AS name, rc.oid IS NOT NULL AS relation
      FROM pg_depend d
      JOIN pg_type t0 ON t0.oid = d.refobjid
      JOIN pg_type t ON t.oid = CASE WHEN t0.typcategory = 'A' AND t0.typelem <> 0 THEN t0.typelem ELSE t0.oid END
      JOIN pg_namespace n ON n.oid = t.typnamespace
      LEFT JOIN pg_class rc ON rc.oid = t.typrelid AND rc.relkind IN ('r', 'p', 'v', 'm', 'f')
     WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_type'::regclass AND d.deptype = 'n'
       AND ${USER_SCHEMA("n.nspname")}
       -- Types pgferry creates (a multirange comes with its range; a base type needs C).
       AND t.typtype IN ('e', 'd', 'c', 'r')
    UNION
    SELECT d.objid::int8::text, n.nspname, c.relname, true
      FROM pg_depend d
      JOIN pg_class c ON c.oid = d.refobjid AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'n'
       AND ${USER_SCHEMA("n.nspname")}`);
}

export interface DomainFunctionRow {
  readonly schema: string;
  readonly name: string;
  readonly function_oid: string;
}

export async function queryDomainFunctions(session: SqlSession): Promise<DomainFunctionRow[]> {
  return session.query<DomainFunctionRow & Record<string, unknown>>(`
    SELECT DISTINCT n.nspname AS schema, t.typname AS name, d.refobjid::int8::text AS function_oid
      FROM pg_type t
      JOIN pg_namespace n ON n.oid = t.typnamespace
      LEFT JOIN pg_constraint c ON c.contypid = t.oid
      JOIN pg_depend d ON d.refclassid = 'pg_proc'::regclass AND d.deptype = 'n'
                      AND ((d.classid = 'pg_type'::regclass AND d.objid = t.oid) OR (d.classid = 'pg_constraint'::regclass AND d.objid = c.oid))
     WHERE t.typtype = 'd' AND ${USER_SCHEMA("n.nspname")}`);
}

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

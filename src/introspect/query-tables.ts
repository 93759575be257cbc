/** Ordinary and partitioned tables, with partitioning and size estimates. */
import type { SqlSession } from "../pg/session.js";
import { NOT_EXTENSION_MEMBER, USER_SCHEMA } from "./catalog-filters.js";

export interface TableRow {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  readonly partitioned: boolean;
  readonly partkey: string | null;
  readonly partbound: string | null;
  readonly parent_schema: string | null;
  readonly parent_name: string | null;
  readonly unlogged: boolean;
  readonly row_estimate: number | null;
  readonly size_bytes: number;
  readonly comment: string | null;
  readonly options: string[] | null;
  readonly unhandled: string[];
  readonly row_security_active: boolean;
  readonly owned: boolean;
}

// Extension member tables are left to the extension; temp and toast schemas are never synced.
// row_security_active (9.5+) says whether row-level security policies filter what this role
// reads from the table: RLS enabled and the role neither superuser, BYPASSRLS, nor the owner
// (or FORCE ROW LEVEL SECURITY, which binds the owner too). Such a table reads partially, silently.
// Sizes come from relpages (as of the last VACUUM/ANALYZE): no lock is taken, so reading the
// catalog never waits behind another session's TRUNCATE or migration.
export async function queryTables(session: SqlSession): Promise<TableRow[]> {
  return session.query<TableRow & Record<string, unknown>>(`
    SELECT c.oid AS oid, n.nspname AS schema, c.relname AS name,
           c.relkind = 'p' AS partitioned,
           CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey,
           CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partbound,
           pn.nspname AS parent_schema, pc.relname AS parent_name,
           c.relpersistence = 'u' AS unlogged,
           -- reltuples is -1 (14+) or 0 with relpages 0 (12-13) while a table was never vacuumed or analyzed.
           CASE WHEN c.reltuples < 0 OR (c.reltuples = 0 AND c.relpages = 0) THEN NULL ELSE c.reltuples::float8 END AS row_estimate,
           ((c.relpages + COALESCE(tc.relpages, 0))::float8 * current_setting('block_size')::int) AS size_bytes,
           obj_description(c.oid, 'pg_class') AS comment, c.reloptions::text[] AS options,
           -- Row-level security, policies, rules, extended statistics and INHERITS parents are carried
           -- (query-table-properties); nothing else is left to report here today.
           array_remove(ARRAY[
             NULL::text
           ], NULL)::text[] AS unhandled,
           row_security_active(c.oid) AS row_security_active,
           -- The role may ALTER it (owner, member of the owner, or superuser): drop and rebuild its indexes.
           pg_has_role(c.relowner, 'USAGE') AS owned
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid
      LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
      LEFT JOIN pg_class pc ON pc.oid = i.inhparent
      LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
     WHERE c.relkind IN ('r', 'p') AND NOT c.relpersistence = 't'
       AND ${USER_SCHEMA("n.nspname")} AND ${NOT_EXTENSION_MEMBER("pg_class", "c.oid")}
     ORDER BY n.nspname, c.relname`);
}

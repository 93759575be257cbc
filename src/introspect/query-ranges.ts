/** User-defined range types (CREATE TYPE … AS RANGE), from pg_range. */
import type { SqlSession } from "../pg/session.js";
import { NOT_EXTENSION_MEMBER, USER_SCHEMA } from "./catalog-filters.js";

export interface RangeRow {
  readonly schema: string;
  readonly name: string;
  readonly subtype: string;
  readonly subtype_user_schema: string | null;
  readonly subtype_user_name: string | null;
  readonly opclass_schema: string | null;
  readonly opclass_name: string | null;
  readonly collation_schema: string | null;
  readonly collation_name: string | null;
  readonly canonical: string | null;
  /** The subtype-difference function's oid as text, or null. */
  readonly diff_oid: string | null;
  readonly diff_schema: string | null;
  readonly diff_name: string | null;
  readonly multirange: string | null;
  readonly comment: string | null;
}

// The operator class is named only when it is not the subtype's default btree class, the
// collation only when it is not the subtype's own (as pg_dump does). Multiranges exist from 14.
export async function queryRanges(session: SqlSession, serverVersion: number): Promise<RangeRow[]> {
  const multirange = serverVersion >= 140000 ? "(SELECT mt.typname FROM pg_type mt WHERE mt.oid = r.rngmultitypid)" : "NULL::name";
  return session.query<RangeRow & Record<string, unknown>>(`
    SELECT n.nspname AS schema, t.typname AS name, format_type(r.rngsubtype, NULL) AS subtype,
           CASE WHEN st.oid >= 16384 THEN sn.nspname END AS subtype_user_schema, CASE WHEN st.oid >= 16384 THEN st.typname END AS subtype_user_name,
           CASE WHEN NOT oc.opcdefault THEN ocn.nspname END AS opclass_schema, CASE WHEN NOT oc.opcdefault THEN oc.opcname END AS opclass_name,
           CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation THEN con.nspname END AS collation_schema,
           CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation THEN co.collname END AS collation_name,
           NULLIF(r.rngcanonical::oid, 0)::regprocedure::text AS canonical,
           NULLIF(r.rngsubdiff::oid, 0)::int8::text AS diff_oid, dn.nspname AS diff_schema, dp.proname AS diff_name,
           ${multirange} AS multirange, obj_description(t.oid, 'pg_type') AS comment
      FROM pg_range r
      JOIN pg_type t ON t.oid = r.rngtypid
      JOIN pg_namespace n ON n.oid = t.typnamespace
      JOIN pg_type st ON st.oid = r.rngsubtype
      JOIN pg_namespace sn ON sn.oid = st.typnamespace
      JOIN pg_opclass oc ON oc.oid = r.rngsubopc
      JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
      LEFT JOIN pg_collation co ON co.oid = r.rngcollation
      LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
      LEFT JOIN pg_proc dp ON dp.oid = r.rngsubdiff
      LEFT JOIN pg_namespace dn ON dn.oid = dp.pronamespace
     WHERE ${USER_SCHEMA("n.nspname")} AND ${NOT_EXTENSION_MEMBER("pg_type", "t.oid")}
     ORDER BY 1, 2`);
}

/** Enums and domains (the user-defined types columns may use). */
import type { SqlSession } from "../pg/session.js";
import { NOT_EXTENSION_MEMBER, USER_SCHEMA } from "./catalog-filters.js";

export interface EnumRow {
  readonly schema: string;
  readonly name: string;
  readonly labels: string[];
  readonly comment: string | null;
}

export async function queryEnums(session: SqlSession): Promise<EnumRow[]> {
  return session.query<EnumRow & Record<string, unknown>>(`
    SELECT n.nspname AS schema, t.typname AS name,
           array_agg(e.enumlabel::text ORDER BY e.enumsortorder)::text[] AS labels,
           obj_description(t.oid, 'pg_type') AS comment
      FROM pg_type t
      JOIN pg_namespace n ON n.oid = t.typnamespace
      JOIN pg_enum e ON e.enumtypid = t.oid
     WHERE ${NOT_EXTENSION_MEMBER("pg_type", "t.oid")}
     GROUP BY n.nspname, t.typname, t.oid
     ORDER BY 1, 2`);
}

export interface DomainRow {
  readonly schema: string;
  readonly name: string;
  readonly base_type: string;
  readonly base_user_schema: string | null;
  readonly base_user_name: string | null;
  readonly not_null: boolean;
  readonly default_expr: string | null;
  readonly collation_schema: string | null;
  readonly collation_name: string | null;
  readonly checks: { name: string; definition: string }[];
  readonly comment: string | null;
}

export async function queryDomains(session: SqlSession): Promise<DomainRow[]> {
  return session.query<DomainRow & Record<string, unknown>>(`
    SELECT n.nspname AS schema, t.typname AS name, format_type(t.typbasetype, t.typtypmod) AS base_type,
           CASE WHEN ut.oid IS NOT NULL THEN un.nspname END AS base_user_schema, ut.typname AS base_user_name,
           t.typnotnull AS not_null, pg_get_expr(t.typdefaultbin, 'pg_type'::regclass) AS default_expr,
           CASE WHEN t.typcollation <> bt.typcollation AND t.typcollation <> 0 THEN cn.nspname END AS collation_schema,
           CASE WHEN t.typcollation <> bt.typcollation AND t.typcollation <> 0 THEN co.collname END AS collation_name,
           COALESCE((SELECT json_agg(json_build_object('name', c.conname, 'definition', pg_get_constraintdef(c.oid)) ORDER BY c.conname)
                       FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'), '[]'::json) AS checks,
           obj_description(t.oid, 'pg_type') AS comment
      FROM pg_type t
      JOIN pg_namespace n ON n.oid = t.typnamespace
      JOIN pg_type bt ON bt.oid = t.typbasetype
      LEFT JOIN pg_type ut ON ut.oid = CASE WHEN bt.oid >= 16384 AND bt.typelem = 0 THEN bt.oid
                                            WHEN bt.typelem >= 16384 THEN bt.typelem END
      LEFT JOIN pg_namespace un ON un.oid = ut.typnamespace
      LEFT JOIN pg_collation co ON co.oid = t.typcollation
      LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
     WHERE t.typtype = 'd' AND ${USER_SCHEMA("n.nspname")} AND ${NOT_EXTENSION_MEMBER("pg_type", "t.oid")}
     ORDER BY 1, 2`);
}

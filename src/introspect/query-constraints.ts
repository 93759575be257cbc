/** Primary, unique, check, foreign-key and exclusion constraints defined on each table itself. */
import type { SqlSession } from "../pg/session.js";
import { INDEX_PROPERTIES_SQL, type IndexPropertiesRow } from "./query-indexes.js";

/** The index properties are those of the index behind a primary key, unique or exclusion constraint. */
export interface ConstraintRow extends IndexPropertiesRow {
  readonly table_oid: number;
  readonly name: string;
  readonly type: "p" | "u" | "c" | "f" | "x";
  readonly definition: string;
  readonly deferrable: boolean;
  readonly deferred: boolean;
  readonly columns: string[];
  readonly ref_columns: string[];
  readonly ref_schema: string | null;
  readonly ref_name: string | null;
  readonly comment: string | null;
  /** COMMENT ON INDEX on the index behind a primary key, unique or exclusion constraint. */
  readonly index_comment: string | null;
}

// conparentid <> 0 marks a constraint a partition inherited from its parent (created through it);
// conislocal = false marks an inherited CHECK. NOT NULL rows (contype 'n', PostgreSQL 18) are columns' business.
// pg_get_constraintdef leaves a primary key's or unique constraint's storage parameters out (an
// exclusion constraint's are in): they are put where pg_dump puts them, before DEFERRABLE.
export async function queryConstraints(session: SqlSession, tableOids: readonly number[]): Promise<ConstraintRow[]> {
  return session.query<ConstraintRow & Record<string, unknown>>(
    `
    SELECT con.conrelid AS table_oid, con.conname AS name, con.contype::text AS type,
           CASE WHEN con.contype IN ('p', 'u') AND ixc.reloptions IS NOT NULL
                THEN regexp_replace(pg_get_constraintdef(con.oid), '( DEFERRABLE( INITIALLY DEFERRED)?)?$',
                       ' WITH (' || (SELECT string_agg(quote_ident(o.option_name) || '=' || quote_literal(o.option_value), ', ')
                                       FROM pg_options_to_table(ixc.reloptions) o) || ')\\1')
                ELSE pg_get_constraintdef(con.oid) END AS definition,
           con.condeferrable AS deferrable, con.condeferred AS deferred,
           ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY AS k(num, ord)
                   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
                  ORDER BY k.ord)::text[] AS columns,
           ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY AS k(num, ord)
                   JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
                  ORDER BY k.ord)::text[] AS ref_columns,
           fn.nspname AS ref_schema, fc.relname AS ref_name, obj_description(con.oid, 'pg_constraint') AS comment,
           CASE WHEN con.contype IN ('p', 'u', 'x') THEN obj_description(con.conindid, 'pg_class') END AS index_comment,
           ${INDEX_PROPERTIES_SQL("ix.indexrelid", "EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_constraint'::regclass AND d.refobjid = con.oid AND d.deptype = 'n')")}
      FROM pg_constraint con
      LEFT JOIN pg_index ix ON con.contype IN ('p', 'u', 'x') AND ix.indexrelid = con.conindid
      LEFT JOIN pg_class ixc ON ixc.oid = ix.indexrelid
      LEFT JOIN pg_class fc ON fc.oid = con.confrelid
      LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
     WHERE con.conrelid = ANY($1::oid[]) AND con.contype IN ('p', 'u', 'c', 'f', 'x')
       AND con.conparentid = 0 AND con.conislocal
     ORDER BY con.conrelid, con.contype, con.conname`,
    [tableOids],
  );
}

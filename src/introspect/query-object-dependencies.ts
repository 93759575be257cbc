/**
 * What functions and domains are built from, beyond what their definitions name in text:
 * a function's argument and result types (user enums, domains, composites, or a table's row type,
 * `RETURNS SETOF customer`) and, for SQL-standard bodies (`BEGIN ATOMIC`, 14+), the tables they
 * read; a domain's default and CHECKs' user functions. pg_restore orders the same objects this way.
 */
import type { SqlSession } from "../pg/session.js";

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
       AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
    UNION
    SELECT d.objid::int8::text, n.nspname, c.relname, true
      FROM pg_depend d
      JOIN pg_class c ON c.oid = d.refobjid AND c.relkind IN ('r', 'p')
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'n'
       AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'`);
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
     WHERE t.typtype = 'd' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'`);
}

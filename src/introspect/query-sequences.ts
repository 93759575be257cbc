/** Sequences, their current values, owners, and which tables use them. */
import type { SqlSession } from "../pg/session.js";
import { NOT_EXTENSION_MEMBER } from "./catalog-filters.js";

export interface SequenceRow {
  readonly schema: string;
  readonly name: string;
  readonly data_type: string;
  readonly start: string;
  readonly increment: string;
  readonly min: string;
  readonly max: string;
  readonly cache: string;
  readonly cycle: boolean;
  readonly last_value: string | null;
  readonly owner_schema: string | null;
  readonly owner_table: string | null;
  readonly owner_column: string | null;
  readonly identity: boolean;
  readonly readable: boolean;
  readonly comment: string | null;
}

// pg_sequences.last_value is NULL when the sequence was never read or is not readable by us.
export async function querySequences(session: SqlSession): Promise<SequenceRow[]> {
  return session.query<SequenceRow & Record<string, unknown>>(`
    SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS data_type,
           s.seqstart::text AS start, s.seqincrement::text AS increment, s.seqmin::text AS min,
           s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
           ps.last_value::text AS last_value,
           tn.nspname AS owner_schema, tc.relname AS owner_table, ta.attname AS owner_column,
           COALESCE(d.deptype = 'i', false) AS identity,
           has_sequence_privilege(c.oid, 'SELECT') OR has_sequence_privilege(c.oid, 'USAGE') AS readable,
           obj_description(c.oid, 'pg_class') AS comment
      FROM pg_sequence s
      JOIN pg_class c ON c.oid = s.seqrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_sequences ps ON ps.schemaname = n.nspname AND ps.sequencename = c.relname
      LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
                           AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
      LEFT JOIN pg_class tc ON tc.oid = d.refobjid
      LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace
      LEFT JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid
     WHERE ${NOT_EXTENSION_MEMBER("pg_class", "c.oid")}
     ORDER BY n.nspname, c.relname`);
}

export interface TableSequenceRow {
  readonly table_oid: number;
  readonly schema: string;
  readonly name: string;
}

/** Sequences a table owns (serial, identity) or calls from a column default (nextval). */
export async function queryTableSequences(session: SqlSession, tableOids: readonly number[]): Promise<TableSequenceRow[]> {
  return session.query<TableSequenceRow & Record<string, unknown>>(
    `
    SELECT DISTINCT t.table_oid AS table_oid, sn.nspname AS schema, sc.relname AS name
      FROM (
        SELECT ad.adrelid AS table_oid, d.refobjid AS seq_oid
          FROM pg_attrdef ad
          JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass
        UNION
        SELECT d.refobjid, d.objid
          FROM pg_depend d
         WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
      ) t
      JOIN pg_class sc ON sc.oid = t.seq_oid AND sc.relkind = 'S'
      JOIN pg_namespace sn ON sn.oid = sc.relnamespace
     WHERE t.table_oid = ANY($1::oid[])
     ORDER BY 1, 2, 3`,
    [tableOids],
  );
}

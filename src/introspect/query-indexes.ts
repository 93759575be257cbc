/** Indexes that do not back a constraint (those come with the constraint). */
import type { SqlSession } from "../pg/session.js";

/** Null for a constraint that has no index (check, foreign key). */
export interface IndexPropertiesRow {
  readonly clustered: boolean | null;
  readonly replica_identity: boolean | null;
  readonly valid: boolean | null;
  readonly tablespace: string | null;
  readonly statistics: IndexStatisticsRow[] | null;
  readonly has_dependents: boolean | null;
}

export interface IndexRow extends IndexPropertiesRow {
  readonly table_oid: number;
  readonly name: string;
  readonly definition: string;
  /** The definition from `USING` on, when it could be split off exactly (see Index.using). */
  readonly using_clause: string | null;
  readonly comment: string | null;
}

/** An index column's statistics target set by ALTER INDEX … ALTER COLUMN n SET STATISTICS. */
export interface IndexStatisticsRow {
  readonly column: number;
  readonly target: number;
}

/**
 * What ALTER INDEX and ALTER TABLE set on an index besides its definition: CLUSTER ON, REPLICA
 * IDENTITY USING INDEX, a tablespace, per-column statistics targets; and whether anything
 * other than a foreign key depends on it (such an index cannot be dropped and rebuilt).
 * `attstattarget` is -1 (before 17) or NULL (17+) when not set.
 */
export const INDEX_PROPERTIES_SQL = (indexOid: string, otherDependents = "false") => `
  ix.indisclustered AS clustered, ix.indisreplident AS replica_identity, ix.indisvalid AS valid,
  (SELECT spcname FROM pg_tablespace WHERE oid = ixc.reltablespace) AS tablespace,
  COALESCE((SELECT json_agg(json_build_object('column', a.attnum, 'target', a.attstattarget) ORDER BY a.attnum)
              FROM pg_attribute a WHERE a.attrelid = ${indexOid} AND a.attstattarget >= 0), '[]'::json) AS statistics,
  EXISTS (SELECT 1 FROM pg_depend d
           WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = ${indexOid} AND d.deptype = 'n'
             AND d.classid <> 'pg_constraint'::regclass) OR ${otherDependents} AS has_dependents`;

// An index attached to a partitioned parent's index (relispartition) is created through the parent.
export async function queryIndexes(session: SqlSession, tableOids: readonly number[]): Promise<IndexRow[]> {
  return session.query<IndexRow & Record<string, unknown>>(
    `
    SELECT i.indrelid AS table_oid, ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition,
           CASE WHEN left(pg_get_indexdef(i.indexrelid), length(head.text)) = head.text
                THEN substr(pg_get_indexdef(i.indexrelid), length(head.text) + 1) END AS using_clause,
           obj_description(i.indexrelid, 'pg_class') AS comment,
           ${INDEX_PROPERTIES_SQL("ix.indexrelid")}
      FROM pg_index i
      JOIN pg_class ic ON ic.oid = i.indexrelid
      JOIN pg_index ix ON ix.indexrelid = i.indexrelid
      JOIN pg_class ixc ON ixc.oid = i.indexrelid
      JOIN pg_class tc ON tc.oid = i.indrelid
      JOIN pg_namespace tn ON tn.oid = tc.relnamespace
      -- What pg_get_indexdef prints before USING (search_path is pg_catalog here, so names are qualified).
      CROSS JOIN LATERAL (SELECT 'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || quote_ident(ic.relname)
                                 || ' ON ' || CASE WHEN tc.relkind = 'p' THEN 'ONLY ' ELSE '' END
                                 || quote_ident(tn.nspname) || '.' || quote_ident(tc.relname) || ' ' AS text) AS head
     WHERE i.indrelid = ANY($1::oid[]) AND NOT ic.relispartition
       AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                        WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))
     ORDER BY i.indrelid, ic.relname`,
    [tableOids],
  );
}

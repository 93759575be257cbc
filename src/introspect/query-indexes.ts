/** Indexes that do not back a constraint (those come with the constraint). */
import type { SqlSession } from "../pg/session.js";

export interface IndexRow {
  readonly table_oid: number;
  readonly name: string;
  readonly definition: string;
  /** The definition from `USING` on, when it could be split off exactly (see Index.using). */
  readonly using_clause: string | null;
  readonly comment: string | null;
}

// An index attached to a partitioned parent's index (relispartition) is created through the parent.
export async function queryIndexes(session: SqlSession, tableOids: readonly number[]): Promise<IndexRow[]> {
  return session.query<IndexRow & Record<string, unknown>>(
    `
    SELECT i.indrelid AS table_oid, ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition,
           CASE WHEN left(pg_get_indexdef(i.indexrelid), length(head.text)) = head.text
                THEN substr(pg_get_indexdef(i.indexrelid), length(head.text) + 1) END AS using_clause,
           obj_description(i.indexrelid, 'pg_class') AS comment
      FROM pg_index i
      JOIN pg_class ic ON ic.oid = i.indexrelid
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

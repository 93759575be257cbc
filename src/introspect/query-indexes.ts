/** Indexes that do not back a constraint (those come with the constraint). */
import type { SqlSession } from "../pg/session.js";

export interface IndexRow {
  readonly table_oid: number;
  readonly name: string;
  readonly definition: string;
  readonly comment: string | null;
}

// An index attached to a partitioned parent's index (relispartition) is created through the parent.
export async function queryIndexes(session: SqlSession, tableOids: readonly number[]): Promise<IndexRow[]> {
  return session.query<IndexRow & Record<string, unknown>>(
    `
    SELECT i.indrelid AS table_oid, ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition,
           obj_description(i.indexrelid, 'pg_class') AS comment
      FROM pg_index i
      JOIN pg_class ic ON ic.oid = i.indexrelid
     WHERE i.indrelid = ANY($1::oid[]) AND NOT ic.relispartition
       AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                        WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))
     ORDER BY i.indrelid, ic.relname`,
    [tableOids],
  );
}

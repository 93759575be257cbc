/** Which server and database a session is on: used to refuse a sync of a database into itself. */
import type { DatabaseIdentity } from "../model/catalog.js";
import type { SqlSession } from "../pg/session.js";
import { USER_SCHEMA } from "./catalog-filters.js";

export interface ServerInfo {
  readonly versionNum: number;
  readonly versionText: string;
  readonly identity: DatabaseIdentity;
}

export async function queryServerInfo(session: SqlSession): Promise<ServerInfo> {
  const rows = await session.query<{
    version_num: string;
    version_text: string;
    started: string;
    db_oid: number;
    db_name: string;
    can_read_control: boolean;
  }>(`
    SELECT current_setting('server_version_num') AS version_num, current_setting('server_version') AS version_text,
           extract(epoch FROM pg_postmaster_start_time())::text AS started, d.oid AS db_oid, d.datname AS db_name,
           has_function_privilege('pg_control_system()', 'EXECUTE') AS can_read_control
      FROM pg_database d WHERE d.datname = current_database()`);
  const row = rows[0];
  if (!row) throw new Error("cannot read the current database from pg_database");
  let systemIdentifier: string | null = null;
  if (row.can_read_control) {
    const control = await session.query<{ id: string }>("SELECT system_identifier::text AS id FROM pg_control_system()");
    systemIdentifier = control[0]?.id ?? null;
  }
  return {
    versionNum: Number(row.version_num),
    versionText: row.version_text,
    identity: Object.freeze({
      systemIdentifier,
      postmasterStart: row.started,
      databaseOid: row.db_oid,
      databaseName: row.db_name,
    }),
  };
}

/** Same cluster (system identifier, or same postmaster start instant) and same database. */
export function isSameDatabase(a: DatabaseIdentity, b: DatabaseIdentity): boolean {
  const sameCluster =
    a.systemIdentifier !== null && b.systemIdentifier !== null
      ? a.systemIdentifier === b.systemIdentifier && a.postmasterStart === b.postmasterStart
      : a.postmasterStart === b.postmasterStart;
  return sameCluster && a.databaseOid === b.databaseOid && a.databaseName === b.databaseName;
}

export async function querySchemas(session: SqlSession): Promise<string[]> {
  const rows = await session.query<{ name: string }>(
    `SELECT nspname AS name FROM pg_namespace WHERE ${USER_SCHEMA("nspname")} ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

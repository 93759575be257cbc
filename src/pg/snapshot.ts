/**
 * One consistent read of the source: the first session opens a REPEATABLE READ READ ONLY
 * transaction and exports its snapshot; workers import it, so every table is read as of the
 * same instant. The exporting transaction must stay open while workers use the snapshot.
 */
import { millisecondsSetting, type SqlSession } from "./session.js";

const SNAPSHOT_ID = /^[0-9A-F]+-[0-9A-F]+(-[0-9A-F]+)?$/i;

// A server-wide idle_in_transaction_session_timeout would end the exporting session while it
// waits for the workers; the session turns it off for itself. Text COPY output follows DateStyle,
// IntervalStyle and extra_float_digits: fixed here (as pg_dump does) so the target reads it back exactly.
// lock_timeout: a read that waits for a table lock (a migration on production, or our own TRUNCATE
// if both ends ever were one database) fails after the run's lock timeout instead of hanging.
async function beginReadOnlySnapshotTransaction(session: SqlSession, lockTimeoutSeconds: number): Promise<void> {
  await session.query(
    `SELECT set_config('idle_in_transaction_session_timeout', '0', false), set_config('statement_timeout', '0', false),
            set_config('DateStyle', 'ISO, MDY', false), set_config('IntervalStyle', 'postgres', false),
            set_config('extra_float_digits', '3', false), set_config('lock_timeout', $1, false)`,
    [millisecondsSetting(lockTimeoutSeconds)],
  );
  await session.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

export async function beginExportedSnapshot(session: SqlSession, lockTimeoutSeconds: number): Promise<string> {
  await beginReadOnlySnapshotTransaction(session, lockTimeoutSeconds);
  const rows = await session.query<{ id: string }>("SELECT pg_export_snapshot() AS id");
  const id = rows[0]?.id;
  if (!id || !SNAPSHOT_ID.test(id)) throw new Error(`unexpected snapshot id from pg_export_snapshot(): ${String(id)}`);
  return id;
}

export async function joinSnapshot(session: SqlSession, snapshotId: string, lockTimeoutSeconds: number): Promise<void> {
  if (!SNAPSHOT_ID.test(snapshotId)) throw new Error(`invalid snapshot id ${snapshotId}`);
  await beginReadOnlySnapshotTransaction(session, lockTimeoutSeconds);
  // SET TRANSACTION SNAPSHOT takes no bind parameter; the id is checked against SNAPSHOT_ID above.
  await session.query(`SET TRANSACTION SNAPSHOT '${snapshotId}'`);
}

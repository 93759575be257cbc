/**
 * Runs into one target never overlap: each takes a session-level advisory lock on its target
 * connection as soon as it connects, before reading anything. PostgreSQL releases it when that
 * connection ends, so a killed run never leaves it behind.
 */
import { LockedError } from "../errors.js";
import type { SqlSession } from "./session.js";

/** Two int4 keys: 'pgfr' and the lock's purpose. Advisory locks are per database. */
export const LOCK_CLASS = 0x70676672;
export const SYNC_LOCK = 1;

export async function lockTargetOrFail(session: SqlSession, targetLabel: string, purpose = SYNC_LOCK): Promise<void> {
  const rows = await session.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS locked", [LOCK_CLASS, purpose]);
  if (rows[0]?.locked) return;
  const holders = await session.query<{ pid: number; since: string | null; app: string | null }>(
    `SELECT l.pid, a.backend_start::text AS since, a.application_name AS app
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.classid = $1::int::oid AND l.objid = $2::int::oid AND l.granted
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [LOCK_CLASS, purpose],
  );
  const holder = holders[0];
  const who = holder ? ` (backend pid ${holder.pid}${holder.since ? `, since ${holder.since}` : ""})` : "";
  throw new LockedError(`another pgferry run is writing to ${targetLabel}${who}; try again when it has finished`);
}

/**
 * For short writes (syncRows): wait, inside the caller's transaction, until no other run holds
 * the target's lock, for at most the transaction's lock_timeout. Released at COMMIT or ROLLBACK.
 */
export async function waitForTargetLock(session: SqlSession, targetLabel: string, purpose = SYNC_LOCK): Promise<void> {
  try {
    await session.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_CLASS, purpose]);
  } catch (error) {
    if ((error as { code?: string }).code !== "55P03") throw error;
    throw new LockedError(`another pgferry run kept writing to ${targetLabel} longer than the lock timeout`, { cause: error });
  }
}

/**
 * Inside a transaction that holds the target's lock (waitForTargetLock): hold it for the session
 * too, so it outlives the COMMIT until the work after it is done or the session closes. A session
 * may hold both levels of one advisory lock, so this is granted at once.
 */
export async function holdTargetLock(session: SqlSession, purpose = SYNC_LOCK): Promise<void> {
  await session.query("SELECT pg_advisory_lock($1, $2)", [LOCK_CLASS, purpose]);
}

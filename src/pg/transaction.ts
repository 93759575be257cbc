/** The one way pgferry runs a short transaction of its own: BEGIN, the work, COMMIT, or ROLLBACK. */
import type { SqlSession } from "./session.js";

export interface TransactionOptions {
  /** REPEATABLE READ READ ONLY: one consistent read of several statements. */
  readonly readOnlySnapshot?: boolean;
  /**
   * Told when ROLLBACK itself failed on a session that still looked healthy (a broken one rolls
   * back on the server when its backend ends, so that failure is expected and not reported).
   */
  readonly onRollbackError?: (error: unknown) => void;
}

/**
 * BEGIN; `work`; COMMIT. When `work` (or COMMIT) fails: ROLLBACK, then rethrow the original error.
 * A ROLLBACK that fails (the connection is gone) never hides why the work failed.
 */
export async function withTransaction<T>(session: SqlSession, work: (session: SqlSession) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  await session.query(options.readOnlySnapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
  try {
    const result = await work(session);
    await session.query("COMMIT");
    return result;
  } catch (error) {
    await rollback(session, options);
    throw error;
  }
}

async function rollback(session: SqlSession, options: TransactionOptions): Promise<void> {
  // After a failed COMMIT the server has already ended the transaction: this ROLLBACK only warns.
  try {
    await session.query("ROLLBACK");
  } catch (error) {
    if (session.brokenBy === null) options.onRollbackError?.(error);
  }
}

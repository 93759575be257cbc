/** A statement that failed because its connection is gone, told apart from one the server refused. */
import { ConnectionError } from "../errors.js";
import { describePgError, isTransientConnectionError, sqlstateOf } from "./describe-pg-error.js";

/** Whether `error`, from a statement on `session`, means the connection was lost (not that the statement was wrong). */
export function isConnectionLoss(error: unknown, session: { readonly brokenBy: Error | null }): boolean {
  return session.brokenBy !== null || isTransientConnectionError(error);
}

/** A connection lost while doing something: a ConnectionError (exit 4) that names the side. */
export function connectionLostError(side: "source" | "target", doing: string, error: unknown): ConnectionError {
  const sqlstate = sqlstateOf(error);
  return new ConnectionError(`lost the connection to the ${side} while ${doing}: ${describePgError(error)}`, { cause: error, ...(sqlstate ? { sqlstate } : {}) });
}

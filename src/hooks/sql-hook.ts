/** The sql hook: the configured statements run on the target in one transaction. */
import { withTargetSession, type TargetAccess } from "../execute/target-protection.js";
import { connectionLostError, isConnectionLoss } from "../pg/connection-loss.js";
import { describePgError } from "../pg/describe-pg-error.js";
import type { SqlSession } from "../pg/session.js";
import { withTransaction } from "../pg/transaction.js";

export async function runSqlHook(access: TargetAccess, statements: readonly string[]): Promise<string> {
  return withTargetSession(access, (session) => runStatements(session, statements));
}

async function runStatements(session: SqlSession, statements: readonly string[]): Promise<string> {
  let changed = 0;
  await withTransaction(session, async () => {
    for (const [index, statement] of statements.entries()) {
      try {
        changed += await session.execute(statement);
      } catch (error) {
        if (isConnectionLoss(error, session)) throw connectionLostError("target", `running statement ${index + 1} of the sql hook`, error);
        throw new Error(`statement ${index + 1}: ${describePgError(error)}`, { cause: error });
      }
    }
  });
  return `${statements.length} statement${statements.length > 1 ? "s" : ""}, ${changed} row${changed === 1 ? "" : "s"} changed`;
}

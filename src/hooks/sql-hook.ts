/** The sql hook: the configured statements run on the target in one transaction. */
import { connect } from "../pg/connect.js";
import { describePgError } from "../pg/describe-pg-error.js";

export async function runSqlHook(targetUrl: string, statements: readonly string[]): Promise<string> {
  const session = await connect(targetUrl, { role: "target" });
  let changed = 0;
  try {
    await session.query("BEGIN");
    for (const [index, statement] of statements.entries()) {
      try {
        changed += await session.execute(statement);
      } catch (error) {
        throw new Error(`statement ${index + 1}: ${describePgError(error)}`, { cause: error });
      }
    }
    await session.query("COMMIT");
    return `${statements.length} statement${statements.length > 1 ? "s" : ""}, ${changed} row${changed === 1 ? "" : "s"} changed`;
  } catch (error) {
    await session.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await session.close();
  }
}

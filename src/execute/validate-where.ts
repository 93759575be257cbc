/**
 * Where filters are the user's own SQL, run on the source. Each is checked with EXPLAIN before
 * anything is written, through the extended protocol (one statement only) and in a savepoint so
 * a bad filter does not end the snapshot transaction.
 */
import { ConfigError } from "../errors.js";
import type { SyncPlan } from "../model/plan.js";
import { displayName } from "../model/qualified-name.js";
import { describePgError, sqlstateOf } from "../pg/describe-pg-error.js";
import type { SqlSession } from "../pg/session.js";
import { renderSourceCount } from "./copy-sql.js";

export async function validateWhereFilters(plan: Pick<SyncPlan, "actions">, source: SqlSession): Promise<void> {
  for (const action of plan.actions) {
    if ((action.kind !== "create" && action.kind !== "refresh") || action.copy.where === null) continue;
    await source.query("SAVEPOINT pgferry_where");
    try {
      await source.querySingle(`EXPLAIN ${renderSourceCount(action)}`);
      await source.query("RELEASE SAVEPOINT pgferry_where");
    } catch (error) {
      await source.query("ROLLBACK TO SAVEPOINT pgferry_where");
      const sqlstate = sqlstateOf(error);
      throw new ConfigError(`where filter for ${displayName(action.table)} is not valid SQL here: ${describePgError(error)}`, {
        table: action.table,
        cause: error,
        ...(sqlstate ? { sqlstate } : {}),
      });
    }
  }
}

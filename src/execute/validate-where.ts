/**
 * Where filters are the user's own SQL, run on the source. Each is checked with EXPLAIN before
 * anything is written, through the extended protocol (one statement only) and in a savepoint so
 * a bad filter does not end the snapshot transaction.
 */
import { ConfigError } from "../errors.js";
import type { SyncPlan } from "../model/plan.js";
import { displayName } from "../model/qualified-name.js";
import { connectionLostError, isConnectionLoss } from "../pg/connection-loss.js";
import { describePgError, sqlstateOf } from "../pg/describe-pg-error.js";
import type { SqlSession } from "../pg/session.js";
import { renderSourceCount, renderSourceSelect, renderTargetFilterCheck, sourceRelation } from "../sql/copy-sql.js";
import { activeTransforms } from "../transform/render-transforms.js";
import { loadJsTransforms } from "./load-js-transform.js";

type CopyAction = Extract<SyncPlan["actions"][number], { kind: "create" | "refresh" }>;

async function checkOnTarget(action: CopyAction, target: SqlSession): Promise<void> {
  try {
    await target.querySingle(renderTargetFilterCheck(action));
  } catch (error) {
    if (isConnectionLoss(error, target)) throw connectionLostError("target", "checking where filters", error);
    const sqlstate = sqlstateOf(error);
    throw new ConfigError(`where filter for ${displayName(action.table)} is not valid SQL on the target (--delete-missing runs it there): ${describePgError(error)}`, {
      table: action.table,
      cause: error,
      ...(sqlstate ? { sqlstate } : {}),
    });
  }
}

/** Run one EXPLAIN on the source in a savepoint; a failure becomes a one-line ConfigError naming the table. */
async function explainOnSource(source: SqlSession, action: CopyAction, sql: string, what: string): Promise<void> {
  await source.query("SAVEPOINT pgferry_where");
  try {
    await source.querySingle(`EXPLAIN ${sql}`);
    await source.query("RELEASE SAVEPOINT pgferry_where");
  } catch (error) {
    if (isConnectionLoss(error, source)) throw connectionLostError("source", "checking where filters", error);
    await source.query("ROLLBACK TO SAVEPOINT pgferry_where");
    const sqlstate = sqlstateOf(error);
    throw new ConfigError(`${what} for ${displayName(action.table)} is not valid SQL here: ${describePgError(error)}`, {
      table: action.table,
      cause: error,
      ...(sqlstate ? { sqlstate } : {}),
    });
  }
}

export async function validateWhereFilters(plan: Pick<SyncPlan, "actions">, source: SqlSession, target?: SqlSession): Promise<void> {
  // js transforms' modules load before any row is read (a sync and a dump both check here).
  await loadJsTransforms(plan.actions.filter((a): a is CopyAction => a.kind === "create" || a.kind === "refresh"));
  // With a subset, each piece of user SQL alone first (where filters, root filters, virtual FK conditions), so a
  // bad one is named at its own table, not at the tables whose subset condition embeds it.
  for (const action of plan.actions) {
    if (action.kind !== "create" && action.kind !== "refresh" || !action.copy.subset) continue;
    const own = action.copy.subset.userWhere === null ? [] : [{ what: "where filter", condition: action.copy.subset.userWhere }];
    for (const check of [...own, ...action.copy.subset.checks]) {
      await explainOnSource(source, action, `SELECT 1 FROM ${sourceRelation(action)} WHERE (${check.condition})`, check.what);
    }
  }
  for (const action of plan.actions) {
    if (action.kind !== "create" && action.kind !== "refresh") continue;
    const transformed = activeTransforms(action.copy.transforms).length > 0;
    if (action.copy.where === null && !transformed) continue;
    // --delete-missing runs the filter on the target too: it must be valid there, as one statement.
    // (A table the subset narrows is refused with delete-missing by the plan: its condition is never run on the target.)
    if (target && action.copy.merge?.deleteMissing && !action.copy.merge.replace && !action.copy.subset?.narrowed) await checkOnTarget(action, target);
    await source.query("SAVEPOINT pgferry_where");
    try {
      // Transforms hold SQL too (a sql kind's expression, constants cast to the column's type): the whole SELECT is checked.
      await source.querySingle(`EXPLAIN ${transformed ? renderSourceSelect(action) : renderSourceCount(action)}`);
      await source.query("RELEASE SAVEPOINT pgferry_where");
    } catch (error) {
      if (isConnectionLoss(error, source)) throw connectionLostError("source", "checking where filters", error);
      await source.query("ROLLBACK TO SAVEPOINT pgferry_where");
      const sqlstate = sqlstateOf(error);
      const filter = action.copy.subset?.narrowed ? "subset condition" : "where filter";
      const what = action.copy.where === null ? "transforms" : transformed ? `${filter} or transforms` : filter;
      throw new ConfigError(`${what} for ${displayName(action.table)} ${action.copy.where === null ? "are" : "is"} not valid SQL here: ${describePgError(error)}`, {
        table: action.table,
        cause: error,
        ...(sqlstate ? { sqlstate } : {}),
      });
    }
  }
}

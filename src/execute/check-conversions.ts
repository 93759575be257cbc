/**
 * Ask the target, before anything is written, whether each planned conversion exists: every
 * staged column's expression is planned (EXPLAIN, never run) as an INSERT into its column, and
 * every configured fill value is cast to its column's type. A missing cast becomes a plan error
 * that names the table, the column and both types; a lost connection is a ConnectionError.
 */
import type { Diagnostic } from "../model/diagnostic.js";
import type { SyncPlan, TableAction } from "../model/plan.js";
import { conversionExpression } from "../plan/plan-conversion.js";
import { connectionLostError, isConnectionLoss } from "../pg/connection-loss.js";
import { describePgError } from "../pg/describe-pg-error.js";
import type { SqlSession } from "../pg/session.js";
import { quoteIdent, quoteQualified } from "../sql/quote.js";

type CopyAction = Extract<TableAction, { kind: "create" | "refresh" }>;

export async function checkConversions(plan: SyncPlan, target: SqlSession): Promise<Diagnostic[]> {
  const problems: Diagnostic[] = [];
  for (const action of plan.actions) {
    if ((action.kind !== "refresh" && action.kind !== "create") || !action.copy.staged) continue;
    problems.push(...(await checkColumns(action, target)), ...(await checkFills(action, target)));
  }
  return problems;
}

async function checkColumns(action: CopyAction, target: SqlSession): Promise<Diagnostic[]> {
  const problems: Diagnostic[] = [];
  for (const column of action.columns) {
    if (column.conversion !== "to-jsonb" && column.conversion !== "cast") continue;
    const name = quoteIdent(column.name);
    const expression = conversionExpression(column.conversion, name, column.targetType);
    try {
      await target.querySingle(`EXPLAIN INSERT INTO ${quoteQualified(action.table)} (${name}) SELECT ${expression} FROM (SELECT CAST(NULL AS ${column.stagingType}) AS ${name}) AS s`);
    } catch (error) {
      if (isConnectionLoss(error, target)) throw connectionLostError("target", "checking conversions", error);
      problems.push({
        level: "error",
        table: action.table,
        message: `column "${column.name}": no conversion from ${column.sourceType} (source) to ${column.targetType} (target): ${describePgError(error)}`,
      });
    }
  }
  return problems;
}

async function checkFills(action: CopyAction, target: SqlSession): Promise<Diagnostic[]> {
  const problems: Diagnostic[] = [];
  for (const fill of action.copy.fills) {
    try {
      await target.querySingle(`SELECT CAST($1::text AS ${fill.type}) AS v`, [fill.value]);
    } catch (error) {
      if (isConnectionLoss(error, target)) throw connectionLostError("target", "checking conversions", error);
      problems.push({ level: "error", table: action.table, message: `the configured value for column "${fill.column}" is not a valid ${fill.type}: ${describePgError(error)}` });
    }
  }
  return problems;
}

/**
 * A subset's row estimates: the source planner's estimate (EXPLAIN, nothing counted) of each
 * narrowed table's condition, in place of the table's whole-row estimate.
 */
import type { SyncPlan, TableAction } from "../model/plan.js";
import type { SqlSession } from "../pg/session.js";
import { sourceRelation } from "../sql/copy-sql.js";

type Explained = { "QUERY PLAN": [{ Plan: { "Plan Rows": number } }] };

export async function estimateSubsetRows<P extends Pick<SyncPlan, "actions">>(plan: P, source: SqlSession): Promise<P> {
  if (!plan.actions.some(narrowed)) return plan;
  const actions: TableAction[] = [];
  for (const action of plan.actions) {
    if (!narrowed(action) || (action.kind !== "create" && action.kind !== "refresh")) {
      actions.push(action);
      continue;
    }
    const [row] = await source.querySingle<Explained>(`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${sourceRelation(action)} WHERE (${action.copy.where})`);
    const rows = row?.["QUERY PLAN"][0].Plan["Plan Rows"];
    actions.push(rows === undefined ? action : { ...action, copy: { ...action.copy, estimatedRows: Math.round(rows) } });
  }
  return Object.freeze({ ...plan, actions: Object.freeze(actions) });
}

/** A table the subset narrows (not one it copies whole within the user's where). */
function narrowed(action: TableAction): boolean {
  return (action.kind === "create" || action.kind === "refresh") && action.copy.subset?.narrowed === true;
}

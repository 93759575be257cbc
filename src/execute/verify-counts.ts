/**
 * Verification before COMMIT: each table's row count on the target, read inside the target
 * transaction, must equal what the source produced in its snapshot (COPY's own row count).
 * A target count also catches rows dropped by triggers or routed elsewhere.
 */
import type { TableAction } from "../model/plan.js";
import { nameKey } from "../model/qualified-name.js";
import type { StepResult } from "../model/result.js";
import type { SqlSession } from "../pg/session.js";
import { quoteRelation } from "../sql/quote.js";

type CopyAction = Extract<TableAction, { kind: "create" | "refresh" }>;

export async function verifyTargetCounts(target: SqlSession, copies: readonly CopyAction[], results: ReadonlyMap<string, StepResult>): Promise<StepResult[]> {
  const mismatches: StepResult[] = [];
  for (const action of copies) {
    const result = results.get(nameKey(action.table));
    // A merged table keeps target-only rows: copyTable checked every source key instead.
    if (!result || result.status !== "ok" || (action.copy.merge && !action.copy.merge.replace)) continue;
    // ONLY for a plain table: rows of INHERITS children are theirs, not this table's.
    const relation = quoteRelation(action.table, !action.copy.intoPartitioned);
    const rows = await target.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${relation}`);
    const onTarget = Number(rows[0]?.n ?? -1);
    if (onTarget !== result.rows) {
      mismatches.push({ ...result, status: "failed", reason: `verification failed: source snapshot has ${result.rows} rows, target has ${onTarget}` });
    }
  }
  return mismatches;
}

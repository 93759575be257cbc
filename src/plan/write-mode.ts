/**
 * How a table's rows are written, as plans and reports name it: `create`, `refresh`, `upsert`,
 * `upsert + delete-missing`, `insert-missing`, `refresh (preserve)` for a refresh that keeps
 * the configured columns' target values (tables.<t>.preserve), or `refresh (upsert +
 * delete-missing)` for one written so because a merged table references it. Pure.
 */
import type { TableAction } from "../model/plan.js";

export function writeMode(action: TableAction): string | null {
  if (action.kind === "create") return "create";
  if (action.kind !== "refresh") return null;
  const merge = action.copy.merge;
  if (!merge) return "refresh";
  if (merge.replace) return merge.preserve.length > 0 ? "refresh (preserve)" : "refresh (upsert + delete-missing)";
  if (merge.mode === "insert-missing") return "insert-missing";
  return merge.deleteMissing ? "upsert + delete-missing" : "upsert";
}

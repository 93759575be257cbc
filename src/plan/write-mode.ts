/**
 * How a table's rows are written, as plans and reports name it: `create`, `refresh`, `upsert`,
 * `upsert + delete-missing`, `insert-missing`, or `refresh (preserve)` for a refresh that keeps
 * the configured columns' target values (tables.<t>.preserve). Pure.
 */
import type { TableAction } from "../model/plan.js";

export function writeMode(action: TableAction): string | null {
  if (action.kind === "create") return "create";
  if (action.kind !== "refresh") return null;
  const merge = action.copy.merge;
  if (!merge) return "refresh";
  if (merge.replace) return "refresh (preserve)";
  if (merge.mode === "insert-missing") return "insert-missing";
  return merge.deleteMissing ? "upsert + delete-missing" : "upsert";
}

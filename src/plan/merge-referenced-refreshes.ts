/**
 * A refreshed table that a merged-by-key table references cannot be emptied with TRUNCATE
 * (PostgreSQL refuses to leave the referencing table out, and emptying it would lose its kept
 * rows). Such a table is written as an upsert that deletes every row the source lacks instead:
 * it still ends equal to the source, and the plan says so. This is what a second run of a
 * config with `preserve` on a table that references others needs (the first run created them).
 * A table that cannot be merged (no key) keeps the refusal, with the reason. Pure.
 */
import type { Catalog } from "../model/catalog.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { MergeSpec, TableAction } from "../model/plan.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";
import { planTruncation, type Truncation } from "./plan-truncation.js";

export interface ReferencedRefreshInput {
  readonly target: Catalog;
  readonly selectedKeys: ReadonlySet<string>;
  readonly cascade: boolean;
  /** The table's merge as a refresh (mode refresh: upsert + delete what the source lacks). */
  readonly mergeFor: (table: QualifiedName) => { readonly merge: MergeSpec | null; readonly diagnostics: readonly Diagnostic[] };
}

export interface ReferencedRefreshes {
  readonly actions: readonly TableAction[];
  readonly truncation: Truncation;
  /** One note per table written as upsert + delete-missing instead of TRUNCATE. */
  readonly diagnostics: readonly Diagnostic[];
}

export function mergeReferencedRefreshes(actions: readonly TableAction[], input: ReferencedRefreshInput): ReferencedRefreshes {
  const current = [...actions];
  const unmergeable = new Map<string, string>();
  const notes: Diagnostic[] = [];
  // Each round merges or gives up on at least one more table, so this ends.
  for (;;) {
    const refreshed = current.filter((a) => a.kind === "refresh" && a.copy.merge === null).map((a) => a.table);
    const merged = new Set(current.flatMap((a) => (a.kind === "refresh" && a.copy.merge ? [nameKey(a.table)] : [])));
    const truncation = planTruncation(refreshed, input.target, input.selectedKeys, input.cascade, merged, unmergeable);
    let changed = false;
    for (const conflict of truncation.conflicts) {
      const key = nameKey(conflict.truncated);
      const index = current.findIndex((a) => a.kind === "refresh" && a.copy.merge === null && nameKey(a.table) === key);
      const action = current[index];
      // Cascaded (unselected) tables are emptied by request, never merged.
      if (!action || action.kind !== "refresh" || unmergeable.has(key)) continue;
      const planned = input.mergeFor(conflict.truncated);
      changed = true;
      if (!planned.merge) {
        unmergeable.set(key, planned.diagnostics.map((d) => d.message).join("; ") || "it has no usable key");
        continue;
      }
      current[index] = { ...action, copy: { ...action.copy, staged: true, merge: planned.merge } };
      notes.push({
        level: "info",
        table: conflict.truncated,
        message: `refreshed as upsert + delete-missing, not with TRUNCATE: ${displayName(conflict.mergedBy)} is merged by key and references it through foreign key "${conflict.constraint}" (the table still ends equal to the source)`,
      });
    }
    if (!changed) return { actions: current, truncation, diagnostics: notes };
  }
}

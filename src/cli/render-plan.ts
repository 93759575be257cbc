/** The dry-run view of a plan: endpoints, per-table action and columns, FK order and strategy. */
import { describeDdl } from "../ddl/render-ddl.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { SyncPlan, TableAction } from "../model/plan.js";
import { displayName } from "../model/qualified-name.js";
import { writeMode } from "../plan/write-mode.js";
import { formatBytes, formatCount } from "./format-units.js";
import { renderTextTable } from "./render-table.js";

export function renderPlan(plan: SyncPlan, sourceLabel: string, targetLabel: string): string {
  const lines = [`Source: ${sourceLabel}`, `Target: ${targetLabel}`, ""];
  const rows = plan.actions.map((a, i) => [String(i + 1), displayName(a.table), writeMode(a) ?? a.kind, ...estimates(a), detail(a)]);
  lines.push(renderTextTable(["#", "table", "action", "est. rows", "est. size", "columns / reason"], rows, new Set([0, 3, 4])));
  lines.push("", `Load order follows foreign keys (parents first). FK strategy: ${describeFkStrategy(plan)}.`);
  if (plan.truncate.length > 0) lines.push(`One TRUNCATE, inside the target transaction: ${plan.truncate.map((t) => `${t.only ? "ONLY " : ""}${displayName(t.table)}`).join(", ")}.`);
  lines.push(...renderRefreshPaths(plan));
  if (plan.preData.length > 0) lines.push("", "Before the data:", ...plan.preData.map((s) => `  ${describeDdl(s)}`));
  if (plan.postData.length > 0) lines.push("", "After the data:", ...plan.postData.map((s) => `  ${describeDdl(s)}`));
  if (plan.sequenceResets.length > 0) lines.push("", `Sequences set to the source's values: ${plan.sequenceResets.map((r) => displayName(r.sequence)).join(", ")}.`);
  if (plan.diagnostics.length > 0) lines.push("", ...renderDiagnostics(plan.diagnostics));
  return lines.join("\n");
}

export function renderDiagnostics(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.level}: ${d.table ? `${displayName(d.table)}: ` : ""}${d.message}`);
}

function estimates(action: TableAction): [string, string] {
  if (action.kind !== "create" && action.kind !== "refresh") return ["", ""];
  const rows = action.copy.estimatedRows;
  const estimate = rows === null ? "not analyzed" : `~${formatCount(rows)}`;
  const subset = action.copy.subset;
  const ofTable = subset?.narrowed && subset.tableRows !== null ? ` of ~${formatCount(subset.tableRows)}` : "";
  return [`${estimate}${ofTable}`, formatBytes(action.copy.estimatedBytes)];
}

function detail(action: TableAction): string {
  switch (action.kind) {
    case "create":
    case "refresh": {
      const subset = action.copy.subset;
      const userWhere = subset ? subset.userWhere : action.copy.where;
      const where = `${userWhere ? ` where ${userWhere}` : ""}${subset ? `; subset: ${subset.summary}` : ""}`;
      const kinds = new Map((action.copy.transforms ?? []).map((t) => [t.column, t.kind]));
      const named = (name: string) => (kinds.has(name) ? `${name} (transform ${kinds.get(name)})` : name);
      const columns = action.columns.map((c) => (c.conversion === "none" ? named(c.name) : `${named(c.name)} ${c.sourceType}→${c.targetType}${c.conversion === "to-jsonb" ? " (to_jsonb)" : ""}`));
      const fills = action.copy.fills.map((f) => `${f.column} := configured value`);
      const via = action.copy.staged ? `${action.copy.format}, through a staging table` : action.copy.format;
      return `${[...columns, ...fills].join(", ")} (${via})${where}`;
    }
    case "skip":
    case "truncate-cascade":
      return action.reason;
  }
}

/** Which refreshed tables load bare (indexes rebuilt after the load) and which keep their indexes, and why. */
function renderRefreshPaths(plan: SyncPlan): string[] {
  const lines: string[] = [];
  for (const action of plan.actions) {
    if (action.kind !== "refresh" || !action.path) continue;
    const path = action.path;
    if (path.kind === "in-place") {
      lines.push(`  ${displayName(action.table)}: loaded with its indexes in place (${path.reason})`);
      continue;
    }
    const rebuilt = [plural(path.keys, "key"), plural(path.indexes, "index", "indexes"), plural(path.foreignKeys, "foreign key")].filter(Boolean).join(", ");
    const kept = path.kept.length ? `; kept in place: ${path.kept.join("; ")}` : "";
    lines.push(`  ${displayName(action.table)}: loaded bare, then ${rebuilt || "nothing"} rebuilt${kept}`);
  }
  return lines.length ? ["", "Refreshed tables (in the one transaction):", ...lines] : [];
}

function plural(count: number, one: string, many = `${one}s`): string {
  return count === 0 ? "" : `${count} ${count === 1 ? one : many}`;
}

function describeFkStrategy(plan: SyncPlan): string {
  const s = plan.fkStrategy;
  if (s.kind === "ordered") return "ordered load, no constraint touched";
  const names = (refs: typeof s.deferred) => refs.map((c) => `${displayName(c.table)}.${c.name}`).join(", ");
  const parts = [];
  if (s.deferred.length) parts.push(`deferring ${names(s.deferred)} until commit`);
  if (s.dropped.length) parts.push(`dropping ${names(s.dropped)} before the load and adding them back (validated) after it, in the same transaction`);
  return `cycle: ${parts.join("; ")}`;
}

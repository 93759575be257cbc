/** Post-sync hooks in the plan (what would run) and in the report (what ran). */
import { describeHooks, type HookResult, type HookSpec } from "../hooks/hook-spec.js";
import { stripRowValues } from "../pg/describe-pg-error.js";
import { formatSeconds } from "./format-units.js";
import type { RenderOptions } from "./render-report.js";
import { renderTextTable } from "./render-table.js";

/** Appended to a plan: empty when there are no hooks. */
export function renderHookPlan(hooks: readonly HookSpec[]): string {
  if (hooks.length === 0) return "";
  return `\n\nHooks after a successful sync, in order:\n${describeHooks(hooks).map((l) => `  ${l}`).join("\n")}`;
}

/** Appended to a report: empty when no hook ran. */
export function renderHookResults(results: readonly HookResult[], options: RenderOptions = {}): string {
  if (results.length === 0) return "";
  const shown = (text: string) => (options.rowValues ? text : stripRowValues(text));
  const rows = results.map((r) => [r.name, r.kind, formatSeconds(r.seconds), r.status, shown(r.error ?? r.summary)]);
  const failed = results.find((r) => r.status === "failed");
  const verdict = failed ? `Hook "${failed.name}" failed; the synced data stays committed.` : `${results.length} hook(s) ran.`;
  return `\n\n${renderTextTable(["hook", "kind", "seconds", "status", "result"], rows, new Set([2]))}\n\n${verdict}`;
}

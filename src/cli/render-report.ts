/** The run report: a table for people, JSON for machines. */
import type { RowChanges, SyncReport } from "../model/result.js";
import { displayName } from "../model/qualified-name.js";
import { stripRowValues, withoutRowValues } from "../pg/describe-pg-error.js";
import { formatBytes, formatCount, formatSeconds } from "./format-units.js";
import { renderTextTable } from "./render-table.js";

export interface RenderOptions {
  /** Show row values in errors (`Key (email)=(alice@x.org)`): the terminal with --verbose only. */
  readonly rowValues?: boolean;
}

export function renderReport(report: SyncReport, options: RenderOptions = {}): string {
  const shown = (text: string) => (options.rowValues ? text : stripRowValues(text));
  const merged = report.steps.some((s) => s.changes);
  const rows = report.steps.map((s) => [
    displayName(s.table),
    s.mode ?? s.action,
    s.subset ? `${formatCount(s.rows)} ${s.subset.tableRows === null ? "kept" : `of ~${formatCount(s.subset.tableRows)}`}` : formatCount(s.rows),
    formatBytes(s.bytes),
    formatSeconds(s.seconds),
    ...(merged ? [describeChanges(s.changes)] : []),
    s.status,
    shown(s.reason ?? ""),
  ]);
  const header = ["table", "action", "rows", "size", "seconds", ...(merged ? ["inserted / updated / unchanged / deleted"] : []), "status", "reason"];
  const table = renderTextTable(header, rows, new Set([2, 3, 4]));
  const totals = reportTotals(report);
  const rate = report.seconds > 0 ? ` (${formatCount(totals.rows / report.seconds)} rows/s)` : "";
  const verdict = report.committed
    ? `Committed: ${totals.synced} table(s) synced, ${formatCount(totals.rows)} rows, ${formatBytes(totals.bytes)} in ${formatSeconds(report.seconds)} s${rate}; ${report.sequencesSet} sequence(s) set.`
    : report.commitUnknown
      ? `Outcome unknown: ${shown(report.error ?? "the connection broke during COMMIT")}`
      : `Nothing was changed on the target${report.error ? `: ${shown(report.error)}` : "."}`;
  return `${table}\n\n${verdict}`;
}

function describeChanges(changes: RowChanges | undefined): string {
  return changes ? [changes.inserted, changes.updated, changes.unchanged, changes.deleted].map(formatCount).join(" / ") : "";
}

export function reportTotals(report: SyncReport) {
  const copied = report.steps.filter((s) => s.action === "create" || s.action === "refresh");
  return {
    created: copied.filter((s) => s.action === "create" && s.status === "ok").length,
    synced: copied.filter((s) => s.status === "ok").length,
    failed: report.steps.filter((s) => s.status === "failed").length,
    rows: copied.reduce((sum, s) => sum + s.rows, 0),
    bytes: copied.reduce((sum, s) => sum + s.bytes, 0),
  };
}

/** The report for --json, without row values in errors (it is stored and forwarded by scripts). */
export function reportJson(report: SyncReport): object {
  const totals = reportTotals(report);
  return withoutRowValues({
    ok: report.ok,
    dryRun: report.dryRun,
    committed: report.committed,
    source: report.source,
    target: report.target,
    startedAt: report.startedAt,
    seconds: report.seconds,
    tablesCreated: totals.created,
    tablesSynced: totals.synced,
    tablesFailed: totals.failed,
    totalRows: totals.rows,
    totalBytes: totals.bytes,
    sequencesSet: report.sequencesSet,
    error: report.error ?? null,
    timings: report.timings ?? { firstCopySeconds: null, exclusiveLockSeconds: null },
    tables: report.steps.map((s) => ({
      table: { schema: s.table.schema, name: s.table.name },
      action: s.action,
      mode: s.mode ?? null,
      status: s.status,
      rows: s.rows,
      bytes: s.bytes,
      seconds: Number(s.seconds.toFixed(3)),
      reason: s.reason ?? null,
      ...(s.changes ? { changes: s.changes } : {}),
      ...(s.subset ? { subset: { summary: s.subset.summary, tableRowsEstimate: s.subset.tableRows } } : {}),
    })),
  });
}

/** Turning the measured runs into medians and ratios, one printed table per case, and the JSON result. */
import { BASELINES, RAW_ID, TRANSFORM_PLAIN_ID, TRANSFORM_TABLE, type BenchCase, type Contender } from "./contenders.js";
import type { SourceShape } from "./generate-data.js";
import type { MergeShape } from "./merge-data.js";
import type { RowChanges } from "./run-command.js";

export interface Measurement {
  readonly round: number;
  readonly seconds: number;
  readonly peakRssMb: number;
  /** pgferry runs (from --json): seconds from process start to the first COPY. */
  readonly firstCopySeconds: number | null;
  /**
   * Seconds the target's existing tables were held under ACCESS EXCLUSIVE: pgferry's --json for
   * pgferry; for the refresh peers the whole run (their tables are dropped and unusable until the end).
   */
  readonly exclusiveLockSeconds: number | null;
  /** Merge runs: the changes pgferry reported. */
  readonly changes: RowChanges | null;
  /** pgferry runs: each table's step seconds, from --json (the transform case reads its wide table's). */
  readonly tableSeconds?: Readonly<Record<string, number>> | null;
}

/** One row: a contender on one data set (mixed, narrow; merge for the merge case). */
export interface RowKey {
  readonly dataset: string;
  readonly contender: Contender;
}

export interface ContenderSummary {
  readonly id: string;
  readonly dataset: string;
  readonly label: string;
  readonly case: BenchCase;
  readonly runs: readonly Measurement[];
  readonly medianSeconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  /** pgferry only: the largest peak RSS of its runs. */
  readonly peakRssMb: number | null;
  /** Source rows (the data set's, or the merge source's) per second of the median. */
  readonly rowsPerSecond: number;
  readonly megabytesPerSecond: number;
  /** The case's baseline row (same data set), or null (merge has none). */
  readonly baselineId: string | null;
  /** The baseline's median ÷ this median: above 1 is faster than the baseline. */
  readonly speedupVsBaseline: number | null;
  /** empty: the raw pipe; refresh, pgferry rows: pgferry's sync into an empty database with the same flags. */
  readonly referenceId: string | null;
  /** This median ÷ the reference's median: 1.0 is the reference's speed, 1.1 is 10 % slower. */
  readonly timeVsReference: number | null;
  readonly firstCopySeconds: number | null;
  readonly exclusiveLockSeconds: number | null;
  readonly exclusiveLockNote: string | null;
  /** Merge rows: the changes of the last run, and inserted + updated + deleted per second of the median. */
  readonly changes: RowChanges | null;
  readonly changedRowsPerSecond: number | null;
  /** Transform case: the median seconds of the wide table's own step (its COPY), and ÷ the plain sync's. */
  readonly tableSeconds?: number | null;
  readonly tableVsReference?: number | null;
  readonly skipped?: string;
  readonly error?: string;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function medianOrNull(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? median(present) : null;
}

export function rowKeyId(dataset: string, contenderId: string): string {
  return `${dataset}/${contenderId}`;
}

export function summarize(
  rows: readonly RowKey[],
  runs: ReadonlyMap<string, Measurement[]>,
  errors: ReadonlyMap<string, string>,
  skipped: ReadonlyMap<string, string>,
  shapes: { readonly datasets: ReadonlyMap<string, SourceShape>; readonly merge: MergeShape | null },
): ContenderSummary[] {
  const medianOf = (dataset: string, id: string): number | null => {
    const key = rowKeyId(dataset, id);
    const r = runs.get(key);
    return r && r.length > 0 && !errors.has(key) ? median(r.map((m) => m.seconds)) : null;
  };
  return rows.map(({ dataset, contender: c }) => {
    const key = rowKeyId(dataset, c.id);
    const measured = runs.get(key) ?? [];
    const seconds = measured.map((m) => m.seconds);
    const med = seconds.length ? median(seconds) : NaN;
    const failed = errors.get(key);
    const baselineId = BASELINES[c.case]?.id ?? null;
    const baseline = baselineId ? medianOf(dataset, baselineId) : null;
    const referenceId = c.case === "empty" ? RAW_ID : c.case === "transform" ? TRANSFORM_PLAIN_ID : (c.emptyTwin ?? null);
    const reference = referenceId ? medianOf(dataset, referenceId) : null;
    const tableMedian = (ms: readonly Measurement[]) => medianOrNull(ms.map((m) => m.tableSeconds?.[TRANSFORM_TABLE] ?? null));
    const table = c.case === "transform" ? tableMedian(measured) : null;
    const tableReference = c.case === "transform" && !errors.has(rowKeyId(dataset, TRANSFORM_PLAIN_ID)) ? tableMedian(runs.get(rowKeyId(dataset, TRANSFORM_PLAIN_ID)) ?? []) : null;
    const shape = shapes.datasets.get(dataset);
    const sourceRows = c.case === "merge" ? (shapes.merge?.sourceRows ?? 0) : (shape?.rows ?? 0);
    const sourceBytes = c.case === "merge" ? (shapes.merge?.tableBytes ?? 0) : (shape?.tableBytes ?? 0);
    const last = measured.at(-1)?.changes ?? null;
    const changed = medianOrNull(measured.map((m) => (m.changes ? (m.changes.inserted + m.changes.updated + m.changes.deleted) / m.seconds : null)));
    const ok = !failed && measured.length > 0;
    return {
      id: c.id,
      dataset,
      label: c.label,
      case: c.case,
      runs: measured,
      medianSeconds: round(med, 2),
      minSeconds: round(Math.min(...seconds), 2),
      maxSeconds: round(Math.max(...seconds), 2),
      peakRssMb: c.isPgferry && measured.length ? round(Math.max(...measured.map((m) => m.peakRssMb)), 0) : null,
      rowsPerSecond: round(sourceRows / med, 0),
      megabytesPerSecond: round(sourceBytes / 1e6 / med, 1),
      baselineId,
      speedupVsBaseline: baseline !== null && ok ? round(baseline / med, 2) : null,
      referenceId,
      timeVsReference: reference !== null && ok ? round(med / reference, 2) : null,
      firstCopySeconds: roundOrNull(medianOrNull(measured.map((m) => m.firstCopySeconds)), 2),
      exclusiveLockSeconds: roundOrNull(medianOrNull(measured.map((m) => m.exclusiveLockSeconds)), 2),
      exclusiveLockNote: c.unavailableWholeRun ? `whole run: ${c.unavailableWholeRun}` : null,
      changes: last,
      changedRowsPerSecond: roundOrNull(changed, 0),
      ...(c.case === "transform" ? { tableSeconds: roundOrNull(table, 2), tableVsReference: table !== null && tableReference !== null && ok ? round(table / tableReference, 2) : null } : {}),
      ...(skipped.has(key) ? { skipped: skipped.get(key)! } : {}),
      ...(failed ? { error: failed } : {}),
    };
  });
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function roundOrNull(value: number | null, digits: number): number | null {
  return value === null ? null : round(value, digits);
}

const count = (n: number | null | undefined) => (n === null || n === undefined ? "" : Math.round(n).toLocaleString("en"));
const secs = (n: number | null) => (n === null ? "" : n.toFixed(2));

/** The printed result: one table per case that ran, each with the legend of its ratio columns. */
export function renderReport(summaries: readonly ContenderSummary[], merge: MergeShape | null): string {
  const parts: string[] = [];
  const of = (c: BenchCase) => summaries.filter((s) => s.case === c);
  const timing = (s: ContenderSummary) => [String(s.runs.length), s.medianSeconds.toFixed(2), s.minSeconds.toFixed(2), s.maxSeconds.toFixed(2)];
  const notRun = (s: ContenderSummary, width: number, lead: string[]) => {
    const row = [...lead, String(s.runs.length), s.skipped ? "skipped" : "failed", ...new Array<string>(width - lead.length - 2).fill("")];
    row[row.length - 1] = (s.skipped ?? s.error ?? "").slice(0, 70);
    return row;
  };
  const speedup = (s: ContenderSummary) => (s.speedupVsBaseline === null ? "" : `${s.speedupVsBaseline.toFixed(2)}×`);
  const vsRef = (s: ContenderSummary) => (s.timeVsReference === null ? "" : s.timeVsReference.toFixed(2));
  const rss = (s: ContenderSummary) => (s.peakRssMb === null ? "" : `${s.peakRssMb} MB`);

  const empty = of("empty");
  if (empty.length) {
    const header = ["data set", "contender", "runs", "median s", "min s", "max s", "× vs baseline", "÷ raw", "rows/s", "MB/s", "first COPY s", "peak RSS"];
    parts.push(
      [
        `empty: into an empty target database. × vs baseline = median of ${BASELINES.empty!.why} ÷ this row's (same data set; above 1 is faster);`,
        "÷ raw = this row's median ÷ the raw COPY pipe's (1.10 = 10 % slower than the raw pipe).",
        "",
        renderMarkdownTable(
          header,
          empty.map((s) =>
            s.error || s.skipped || !s.runs.length
              ? notRun(s, header.length, [s.dataset, s.label])
              : [s.dataset, s.label, ...timing(s), speedup(s), vsRef(s), count(s.rowsPerSecond), s.megabytesPerSecond.toFixed(1), secs(s.firstCopySeconds), rss(s)],
          ),
        ),
      ].join("\n"),
    );
  }

  const refresh = of("refresh");
  if (refresh.length) {
    const header = ["data set", "contender", "runs", "median s", "min s", "max s", "× vs baseline", "÷ empty sync", "rows/s", "MB/s", "excl. lock s", "first COPY s", "peak RSS"];
    parts.push(
      [
        "refresh: the target already holds a complete copy (the previous run's).",
        `× vs baseline = median of ${BASELINES.refresh!.why} ÷ this row's (same data set; the goal for pgferry: ≥ 1.5×);`,
        "÷ empty sync = this row's median ÷ pgferry's own sync (same flags) into an empty database (the goal: ≤ 1.2; blank unless the empty case ran);",
        "excl. lock s = seconds the target's tables were held under ACCESS EXCLUSIVE (pgferry: TRUNCATE to COMMIT, from --json);",
        "  for the pg_dump/pg_restore rows (*) it is the whole run: their tables are dropped first and unusable until the end.",
        "",
        renderMarkdownTable(
          header,
          refresh.map((s) =>
            s.error || s.skipped || !s.runs.length
              ? notRun(s, header.length, [s.dataset, s.label])
              : [
                  s.dataset,
                  s.label,
                  ...timing(s),
                  speedup(s),
                  vsRef(s),
                  count(s.rowsPerSecond),
                  s.megabytesPerSecond.toFixed(1),
                  s.exclusiveLockSeconds === null ? "" : `${s.exclusiveLockSeconds.toFixed(2)}${s.exclusiveLockNote ? " *" : ""}`,
                  secs(s.firstCopySeconds),
                  rss(s),
                ],
          ),
        ),
      ].join("\n"),
    );
  }

  const merges = of("merge");
  if (merges.length) {
    const header = ["contender", "runs", "median s", "min s", "max s", "inserted", "updated", "deleted", "changed rows/s", "source rows/s", "first COPY s", "excl. lock s", "peak RSS"];
    const shape = merge
      ? `${count(merge.baseRows)} rows on the target; the source changed ${count(merge.changedRows)}, deleted ${count(merge.deletedRows)}, added ${count(merge.newRows)}`
      : "";
    parts.push(
      [
        `merge: ${merge?.table ?? "merge.items"}, ${shape}; every run starts from the same target (a copy of a template database, untimed).`,
        "changed rows/s = (inserted + updated + deleted, as pgferry's --json reports them) ÷ seconds, median of the runs (the goal for upsert: ≥ 50,000);",
        "source rows/s = the source table's rows ÷ median seconds. The result is checked against the source and the template by checksum.",
        "",
        renderMarkdownTable(
          header,
          merges.map((s) =>
            s.error || s.skipped || !s.runs.length
              ? notRun(s, header.length, [s.label])
              : [
                  s.label,
                  ...timing(s),
                  count(s.changes?.inserted),
                  count(s.changes?.updated),
                  count(s.changes?.deleted),
                  count(s.changedRowsPerSecond),
                  count(s.rowsPerSecond),
                  secs(s.firstCopySeconds),
                  secs(s.exclusiveLockSeconds),
                  rss(s),
                ],
          ),
        ),
      ].join("\n"),
    );
  }
  const transforms = of("transform");
  if (transforms.length) {
    const header = ["data set", "contender", "runs", "median s", "min s", "max s", "÷ plain", `${TRANSFORM_TABLE} s`, `${TRANSFORM_TABLE} ÷ plain`, "rows/s", "peak RSS"];
    parts.push(
      [
        `transform: into an empty target database, with anonymization on ${TRANSFORM_TABLE}. ÷ plain = this row's median ÷ the same sync's without transforms`,
        `(the issue's goals: ≤ 1.3 for the SQL transforms, ≤ 2 for js); ${TRANSFORM_TABLE} s = the median of that table's own step (its COPY, from --json).`,
        "",
        renderMarkdownTable(
          header,
          transforms.map((s) =>
            s.error || s.skipped || !s.runs.length
              ? notRun(s, header.length, [s.dataset, s.label])
              : [s.dataset, s.label, ...timing(s), vsRef(s), secs(s.tableSeconds ?? null), s.tableVsReference == null ? "" : s.tableVsReference.toFixed(2), count(s.rowsPerSecond), rss(s)],
          ),
        ),
      ].join("\n"),
    );
  }
  return parts.join("\n\n");
}

export function renderMarkdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = rows.map((r) => r.map((c) => c.replace(/\|/g, "\\|")));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.map(line)].join("\n");
}

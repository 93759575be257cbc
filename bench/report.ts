/** Turning the measured runs into medians and ratios, a printed table and the JSON result. */
import { BASELINE_ID, RAW_ID, type BenchCase, type Contender } from "./contenders.js";
import type { SourceShape } from "./generate-data.js";

export interface Measurement {
  readonly round: number;
  readonly seconds: number;
  readonly peakRssMb: number;
}

export interface ContenderSummary {
  readonly id: string;
  readonly label: string;
  readonly case: BenchCase;
  readonly runs: readonly Measurement[];
  readonly medianSeconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  /** pgferry only: the largest peak RSS of its runs. */
  readonly peakRssMb: number | null;
  readonly rowsPerSecond: number;
  readonly megabytesPerSecond: number;
  /** The baseline's median ÷ this median: above 1 is faster than the baseline. */
  readonly speedupVsBaseline: number | null;
  /** This median ÷ the raw pipe's median: 1.0 is the raw pipe's speed, 1.1 is 10 % slower. */
  readonly timeVsRaw: number | null;
  readonly error?: string;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarize(contenders: readonly Contender[], runs: ReadonlyMap<string, Measurement[]>, errors: ReadonlyMap<string, string>, shape: SourceShape): ContenderSummary[] {
  const medianOf = (id: string): number | null => {
    const r = runs.get(id);
    return r && r.length > 0 && !errors.has(id) ? median(r.map((m) => m.seconds)) : null;
  };
  const raw = medianOf(RAW_ID);
  return contenders.map((c) => {
    const measured = runs.get(c.id) ?? [];
    const seconds = measured.map((m) => m.seconds);
    const med = seconds.length ? median(seconds) : NaN;
    // The refresh row is compared with the same references (what a team replaces: pg_dump | pg_restore into a new database).
    const baseline = medianOf(BASELINE_ID);
    const failed = errors.get(c.id);
    return {
      id: c.id,
      label: c.label,
      case: c.case,
      runs: measured,
      medianSeconds: round(med, 2),
      minSeconds: round(Math.min(...seconds), 2),
      maxSeconds: round(Math.max(...seconds), 2),
      peakRssMb: c.isPgferry && measured.length ? round(Math.max(...measured.map((m) => m.peakRssMb)), 0) : null,
      rowsPerSecond: round(shape.rows / med, 0),
      megabytesPerSecond: round(shape.tableBytes / 1e6 / med, 1),
      speedupVsBaseline: baseline !== null && !failed ? round(baseline / med, 2) : null,
      timeVsRaw: raw !== null && !failed ? round(med / raw, 2) : null,
      ...(failed ? { error: failed } : {}),
    };
  });
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function renderTable(summaries: readonly ContenderSummary[]): string {
  const header = ["case", "contender", "runs", "median s", "min s", "max s", "× vs baseline", "÷ raw", "rows/s", "MB/s", "peak RSS"];
  const rows = summaries.map((s) =>
    s.error
      ? [s.case, s.label, String(s.runs.length), "failed", "", "", "", "", "", "", s.error.slice(0, 60)]
      : [
          s.case,
          s.label,
          String(s.runs.length),
          s.medianSeconds.toFixed(2),
          s.minSeconds.toFixed(2),
          s.maxSeconds.toFixed(2),
          s.speedupVsBaseline === null ? "" : `${s.speedupVsBaseline.toFixed(2)}×`,
          s.timeVsRaw === null ? "" : s.timeVsRaw.toFixed(2),
          Math.round(s.rowsPerSecond).toLocaleString("en"),
          s.megabytesPerSecond.toFixed(1),
          s.peakRssMb === null ? "" : `${s.peakRssMb} MB`,
        ],
  );
  return renderMarkdownTable(header, rows);
}

export function renderMarkdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = rows.map((r) => r.map((c) => c.replace(/\|/g, "\\|")));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.map(line)].join("\n");
}

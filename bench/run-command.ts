/**
 * Run one contender's shell command and measure it: wall-clock seconds, and the peak RSS that
 * GNU time reports (the largest of the command's processes: for a pipe, its biggest member).
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CommandRun {
  readonly seconds: number;
  readonly peakRssMb: number;
  /** The command's standard output (the last 4 MB): pgferry's --json report. */
  readonly stdout: string;
}

export interface RowChanges {
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly deleted: number;
}

/** What the bench keeps of a pgferry run's --json report. */
export interface PgferryOutcome {
  /** Seconds from process start to the first COPY. */
  readonly firstCopySeconds: number | null;
  /** Seconds the target's existing tables were held under ACCESS EXCLUSIVE (TRUNCATE to COMMIT). */
  readonly exclusiveLockSeconds: number | null;
  /** Merge modes: the tables' changes, summed; null when no table reported any. */
  readonly changes: RowChanges | null;
  /** Each table's step seconds ("schema.name"), from the report's tables. */
  readonly tableSeconds: Readonly<Record<string, number>>;
}

/** Read pgferry's --json report (sync or restore) from a run's standard output; null when there is none. */
export function parsePgferryJson(stdout: string): PgferryOutcome | null {
  const text = stdout.trim();
  const start = text.indexOf("{");
  if (start < 0) return null;
  let report: {
    timings?: { firstCopySeconds?: unknown; exclusiveLockSeconds?: unknown };
    tables?: { table?: { schema?: string; name?: string }; seconds?: unknown; changes?: Partial<RowChanges> }[];
  };
  try {
    report = JSON.parse(text.slice(start)) as typeof report;
  } catch {
    return null;
  }
  const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const withChanges = (report.tables ?? []).filter((t) => t.changes);
  const sum = (key: keyof RowChanges) => withChanges.reduce((total, t) => total + (num(t.changes![key]) ?? 0), 0);
  return {
    firstCopySeconds: num(report.timings?.firstCopySeconds),
    exclusiveLockSeconds: num(report.timings?.exclusiveLockSeconds),
    changes: withChanges.length > 0 ? { inserted: sum("inserted"), updated: sum("updated"), unchanged: sum("unchanged"), deleted: sum("deleted") } : null,
    tableSeconds: Object.fromEntries((report.tables ?? []).flatMap((t) => (t.table && num(t.seconds) !== null ? [[`${t.table.schema}.${t.table.name}`, num(t.seconds)!]] : []))),
  };
}

export class CommandFailed extends Error {}

/** `bash -o pipefail -c command`, under /usr/bin/time; rejects with the end of stderr when it fails; keeps stdout. */
export async function runMeasured(command: string, options: { cwd: string; secrets: readonly string[]; env?: NodeJS.ProcessEnv }): Promise<CommandRun> {
  const dir = await mkdtemp(join(tmpdir(), "pgferry-bench-time-"));
  const timeFile = join(dir, "rss");
  const started = performance.now();
  let stdout = "";
  try {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn("/usr/bin/time", ["-f", "%M", "-o", timeFile, "bash", "-o", "pipefail", "-c", command], {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout = (stdout + chunk.toString("utf8")).slice(-4 * 1024 * 1024);
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr = (stderr + chunk.toString("utf8")).slice(-4000);
      });
      child.once("error", reject);
      child.once("close", (exitCode) => resolve({ code: exitCode, stderr }));
    });
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) {
      const tail = stderr.trim().split("\n").slice(-6).join(" | ");
      throw new CommandFailed(`exit ${code}: ${redact(tail, options.secrets)}`);
    }
    const kilobytes = Number((await readFile(timeFile, "utf8")).trim().split("\n").pop());
    return { seconds, peakRssMb: kilobytes / 1024, stdout };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function redact(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((out, secret) => out.split(secret).join("****"), text);
}

/** A value as one shell word. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

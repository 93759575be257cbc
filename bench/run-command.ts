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
}

export class CommandFailed extends Error {}

/** `bash -o pipefail -c command`, under /usr/bin/time; rejects with the end of stderr when it fails. */
export async function runMeasured(command: string, options: { cwd: string; secrets: readonly string[]; env?: NodeJS.ProcessEnv }): Promise<CommandRun> {
  const dir = await mkdtemp(join(tmpdir(), "pgferry-bench-time-"));
  const timeFile = join(dir, "rss");
  const started = performance.now();
  try {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn("/usr/bin/time", ["-f", "%M", "-o", timeFile, "bash", "-o", "pipefail", "-c", command], {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
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
    return { seconds, peakRssMb: kilobytes / 1024 };
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

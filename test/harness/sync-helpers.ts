/** Run pgferry in tests: the library call for integration tests, the built CLI for end-to-end tests. */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { runSync, type SyncOptions, type SyncOutcome } from "../../src/execute/run-sync.js";
import type { DatabasePair } from "./test-databases.js";

export interface QuickSync extends Partial<Omit<SyncOptions, "source" | "target" | "selection">> {
  readonly include?: string[];
  readonly exclude?: string[];
  readonly where?: Record<string, string>;
}

export async function syncPair(pair: Pick<DatabasePair, "sourceUrl" | "targetUrl">, options: QuickSync = {}): Promise<SyncOutcome> {
  const config = configSchema.parse({});
  const { include = [], exclude = [], where = {}, ...rest } = options;
  return runSync({
    source: resolveEndpoint(pair.sourceUrl, "source", config),
    target: resolveEndpoint(pair.targetUrl, "target", config),
    selection: { include, exclude, where },
    ...rest,
  });
}

export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Called with the child once it started (for kill tests). */
  readonly onSpawn?: (child: ReturnType<typeof spawn>) => void;
  /** Run as this user and group (a root test process checking file permissions). */
  readonly uid?: number;
  readonly gid?: number;
}

/** Run the built CLI as a user would (no TTY: stdin is closed). */
export function runCliProcess(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  const run = collectCliRun(child);
  options.onSpawn?.(child);
  return run;
}

/** A spawned child's exit code, signal and whole stdout and stderr, once it has closed. */
export function collectCliRun(child: ChildProcessByStdio<null, Readable, Readable>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The lines pgferry printed as errors: exactly one is expected for a bad input. */
export function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("pgferry: error:"));
}

/**
 * The command hook: a shell command (e.g. migrations) with the target's URL in DATABASE_URL.
 * Its output is streamed line by line through the caller's log (which redacts secrets, the URL
 * included), and a non-zero exit fails the hook.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface ShellCommandInput {
  readonly run: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutSeconds?: number;
  readonly signal?: AbortSignal;
  /** Each line the command prints (stderr only when stdout is captured). */
  readonly onLine: (line: string) => void;
  /** Collect stdout and resolve to it instead of streaming it as lines. */
  readonly captureStdout?: boolean;
}

export interface CommandHookInput extends ShellCommandInput {
  readonly targetUrl: string;
}

const KILL_GRACE_MS = 5000;

export async function runCommandHook(input: CommandHookInput): Promise<string> {
  await runShellCommand({ ...input, env: { ...input.env, DATABASE_URL: input.targetUrl } });
  return "exited with code 0";
}

/** Run `run` through the shell; rejects on a non-zero exit, a timeout or an abort. */
export async function runShellCommand(input: ShellCommandInput): Promise<string> {
  // Its own process group, so a timeout or Ctrl-C stops what the shell started too (a forked
  // grandchild would otherwise keep the pipes, and us, waiting).
  const child = spawn(input.run, { shell: true, cwd: input.cwd, env: input.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  };
  const chunks: Buffer[] = [];
  if (input.captureStdout) child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  else createInterface({ input: child.stdout }).on("line", input.onLine);
  createInterface({ input: child.stderr }).on("line", input.onLine);
  let stopReason: string | undefined;
  const stop = (reason: string) => {
    if (stopReason || child.exitCode !== null) return;
    stopReason = reason;
    killGroup("SIGTERM");
    setTimeout(() => killGroup("SIGKILL"), KILL_GRACE_MS).unref();
  };
  const timer = input.timeoutSeconds ? setTimeout(() => stop(`timed out after ${input.timeoutSeconds} s`), input.timeoutSeconds * 1000) : undefined;
  const onAbort = () => stop("interrupted");
  input.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code, signal) => resolve({ code, signal }));
    });
    if (stopReason) throw new Error(`command ${stopReason}`);
    if (code !== 0) throw new Error(code === null ? `command killed by ${signal}` : `command exited with code ${code}`);
    return Buffer.concat(chunks).toString("utf8");
  } finally {
    if (timer) clearTimeout(timer);
    input.signal?.removeEventListener("abort", onAbort);
  }
}

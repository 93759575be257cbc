/** What a command may touch of the process: passed in, so commands stay testable and only main.ts exits. */
export interface CliContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

export interface GlobalOptions {
  readonly config?: string;
  readonly verbose?: boolean;
}

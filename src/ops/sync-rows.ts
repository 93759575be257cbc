/**
 * syncRows: event-driven sync of chosen rows (by key or where condition) plus, transitively, the
 * rows they reference through foreign keys, upserted parents first in one target transaction.
 * Made to be called from application code, fire-and-forget: it resolves to a result and throws
 * only when asked to (`throwOnError`). It stays cheap by default: post-sync hooks run only when
 * given, and a history row (mode `rows`) is written only when `history` is given; then both run
 * through the job pipeline, after the commit, while the target's lock is still held.
 */
import { copyRowsWithParents, type RowsOptions, type SyncRowsTableResult } from "../execute/copy-rows-with-parents.js";
import type { HookResult, HookSpec } from "../hooks/hook-spec.js";
import type { HookContext } from "../hooks/run-hooks.js";
import { displayName } from "../model/qualified-name.js";
import { runJob, type RunSummary } from "./run-job.js";

export type { SyncRowsTableResult } from "../execute/copy-rows-with-parents.js";

export interface SyncRowsOptions extends RowsOptions {
  /** Reject the promise on failure instead of resolving to `{ ok: false }`. */
  readonly throwOnError?: boolean;
  /** Write a row to `<schema>.runs` on the target (mode `rows`), as the CLI does. Default: none. */
  readonly history?: { readonly schema: string };
  /** Post-sync hooks to run after the commit (e.g. `planHooks(config.hooks.after, redisUrl)`). Default: none. */
  readonly hooks?: readonly HookSpec[];
  /** Where hook commands and remap files run and what they inherit. Default: the process's folder and environment. */
  readonly hookContext?: Omit<HookContext, "target" | "session" | "signal">;
  /** A name for the history row's `job` column. Default null. */
  readonly job?: string;
  /** The history row could not be written (the rows stay committed). Default: ignored. */
  readonly onWarning?: (message: string) => void;
}

export interface SyncRowsResult {
  /** The rows committed and every hook succeeded. */
  readonly ok: boolean;
  /** The rows are in the target (a failed hook leaves them there). */
  readonly committed: boolean;
  /** Parents first, in the order they were written. */
  readonly tables: readonly SyncRowsTableResult[];
  readonly rows: number;
  readonly seconds: number;
  /** One per hook given ([] without hooks). */
  readonly hooks: readonly HookResult[];
  readonly error?: string;
}

export async function syncRows(options: SyncRowsOptions): Promise<SyncRowsResult> {
  const started = performance.now();
  const hooks = options.hooks ?? [];
  // Without hooks or history nothing follows the commit: the lock goes with the transaction.
  const afterCommit = hooks.length > 0 || options.history !== undefined;
  const outcome = await runJob<readonly SyncRowsTableResult[]>({
    job: options.job ?? null,
    target: options.target,
    source: options.source.label,
    mode: "rows",
    hooks,
    hookContext: options.hookContext ?? { cwd: process.cwd(), env: process.env },
    history: options.history ?? false,
    onWarning: options.onWarning ?? (() => undefined),
    run: (whileLocked) => copyRowsWithParents(options, afterCommit ? whileLocked : undefined),
    summarize: (tables) => summarizeRows(options, tables),
  });
  if (outcome.thrown !== undefined && options.throwOnError) throw outcome.thrown;
  const tables = outcome.result ?? [];
  return {
    ok: outcome.status === "ok",
    committed: outcome.result !== undefined,
    tables,
    rows: tables.reduce((n, t) => n + t.rows, 0),
    seconds: (performance.now() - started) / 1000,
    hooks: outcome.hooks,
    ...(outcome.error ? { error: outcome.error } : {}),
  };
}

function summarizeRows(options: SyncRowsOptions, tables: readonly SyncRowsTableResult[]): RunSummary {
  return {
    source: options.source.label,
    committed: true,
    ok: true,
    tables: tables.map((t) => displayName(t.table)),
    rows: tables.reduce((n, t) => n + t.rows, 0),
    report: { tables: tables.map((t) => ({ ...t, table: displayName(t.table) })) },
  };
}

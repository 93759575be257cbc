/**
 * Load shadow tables (plan/plan-parallel-loads) with `jobs` worker sessions at once: each worker
 * takes the next table (largest first), and in its own transaction creates the shadow, streams
 * the COPY into it and builds its keys and indexes, so one table's index builds overlap another
 * table's COPY. The run's transaction moves the shadows into place afterwards.
 */
import { describeDdl } from "../ddl/render-ddl.js";
import { runDdl } from "./run-ddl.js";
import { nameKey } from "../model/qualified-name.js";
import type { StepResult } from "../model/result.js";
import type { ParallelLoad } from "../plan/plan-parallel-loads.js";
import { LOAD_SCHEMA_PREFIX } from "../plan/plan-parallel-loads.js";
import { describePgError } from "../pg/describe-pg-error.js";
import type { SqlSession } from "../pg/session.js";
import { quoteIdent } from "../sql/quote.js";
import { renderCopyIn } from "./copy-sql.js";
import { classifyCopyFailure, streamCopy } from "./copy-table.js";
import type { SyncEventListener } from "./events.js";
import type { CopyAction, TableReader, TableReaders } from "./table-reader.js";
import { applyTargetSettings, type TargetSettings } from "./target-settings.js";

export interface ParallelLoadInput {
  readonly loads: readonly ParallelLoad[];
  readonly actions: ReadonlyMap<string, CopyAction>;
  readonly jobs: number;
  readonly openTarget: () => Promise<SqlSession>;
  readonly source: TableReaders;
  readonly settings: TargetSettings;
  readonly onEvent: SyncEventListener;
  readonly signal: AbortSignal;
}

/** Every table's result; rejects only when a connection was lost or the run was interrupted. */
export async function runParallelLoads(input: ParallelLoadInput): Promise<Map<string, StepResult>> {
  const queue = [...input.loads].sort((a, b) => actionOf(input, b).copy.estimatedBytes - actionOf(input, a).copy.estimatedBytes);
  const results = new Map<string, StepResult>();
  const stop = new AbortController();
  const abortAll = () => stop.abort();
  input.signal.addEventListener("abort", abortAll, { once: true });
  const worker = async () => {
    const target = await input.openTarget();
    let reader = await input.source.open();
    try {
      for (let load = queue.shift(); load && !stop.signal.aborted; load = queue.shift()) {
        const result = await loadShadow(load, actionOf(input, load), reader, target, input, stop.signal);
        results.set(nameKey(load.table), result);
        if (result.status === "failed") {
          await reader.close();
          reader = await input.source.open();
        }
      }
    } catch (error) {
      stop.abort(); // the other workers stop after (or during) their current table
      throw error;
    } finally {
      await reader.close().catch(() => undefined);
      await target.close().catch(() => undefined);
    }
  };
  try {
    const outcomes = await Promise.allSettled(Array.from({ length: Math.min(input.jobs, queue.length) }, worker));
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failure) throw failure.reason;
    if (input.signal.aborted) throw new Error("interrupted");
    return results;
  } finally {
    input.signal.removeEventListener("abort", abortAll);
  }
}

function actionOf(input: ParallelLoadInput, load: ParallelLoad): CopyAction {
  return input.actions.get(nameKey(load.table))!;
}

async function loadShadow(load: ParallelLoad, action: CopyAction, source: TableReader, target: SqlSession, input: ParallelLoadInput, signal: AbortSignal): Promise<StepResult> {
  const started = performance.now();
  input.onEvent({ kind: "table-start", table: action.table, estimatedBytes: action.copy.estimatedBytes, estimatedRows: action.copy.estimatedRows });
  let bytes = 0;
  await target.query("BEGIN");
  try {
    await applyTargetSettings(target, input.settings);
    await runDdl(target, load.create);
    const copied = await streamCopy(action, source, target, renderCopyIn({ ...action, table: load.loadTable }), (b) => {
      bytes = b;
      input.onEvent({ kind: "table-progress", table: action.table, bytes: b });
    }, signal);
    for (const statement of load.build) {
      input.onEvent({ kind: "log", level: "debug", message: describeDdl(statement) });
      await runDdl(target, statement);
    }
    await target.query("COMMIT");
    const seconds = (performance.now() - started) / 1000;
    input.onEvent({ kind: "table-done", table: action.table, rows: copied.rowsWritten, bytes: copied.bytes, seconds, ok: true });
    const mismatch = copied.rowsRead === copied.rowsWritten ? undefined : `source sent ${copied.rowsRead} rows, target stored ${copied.rowsWritten}`;
    return { table: action.table, action: action.kind, status: mismatch ? "failed" : "ok", rows: copied.rowsWritten, bytes: copied.bytes, seconds, ...(mismatch ? { reason: mismatch } : {}) };
  } catch (error) {
    const { cause, lost } = classifyCopyFailure(error, action.table, source, target);
    await target.query("ROLLBACK").catch(() => undefined);
    if (signal.aborted) throw new Error("interrupted", { cause });
    // A lost connection (either side) ends the whole run, as in the serial path.
    if (lost) throw lost;
    const seconds = (performance.now() - started) / 1000;
    input.onEvent({ kind: "table-done", table: action.table, rows: 0, bytes, seconds, ok: false });
    return { table: action.table, action: action.kind, status: "failed", rows: 0, bytes, seconds, reason: describePgError(cause) };
  }
}

/**
 * Committed on a session of its own, before the run's transaction starts: drop load schemas a
 * killed run left behind (the caller holds the target's advisory lock, so no run is using them),
 * then create this run's.
 */
export async function createLoadSchemas(session: SqlSession, schemas: readonly string[]): Promise<void> {
  await dropStaleLoadSchemas(session);
  for (const schema of schemas) await session.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
}

export async function dropStaleLoadSchemas(session: SqlSession): Promise<void> {
  const stale = await session.query<{ name: string }>("SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)", [LOAD_SCHEMA_PREFIX]);
  await dropLoadSchemas(session, stale.map((s) => s.name));
}

/** After the run: empty when the shadows were moved into place, holding them when it rolled back. */
export async function dropLoadSchemas(session: SqlSession, schemas: readonly string[]): Promise<void> {
  for (const schema of schemas) await session.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
}

/**
 * Load shadow tables (plan/plan-parallel-loads) with `jobs` worker sessions at once: each worker
 * takes the next table (largest first), and in its own transaction creates the shadow, streams
 * the COPY into it and builds its keys and indexes, so one table's index builds overlap another
 * table's COPY. The run's transaction moves the shadows into place afterwards.
 */
import { describeDdl } from "../ddl/render-ddl.js";
import { runDdl } from "./run-ddl.js";
import { withTransaction } from "../pg/transaction.js";
import { nameKey } from "../model/qualified-name.js";
import type { StepResult } from "../model/result.js";
import type { ParallelLoad } from "../plan/plan-parallel-loads.js";
import { LOAD_SCHEMA_PREFIX } from "../plan/plan-parallel-loads.js";
import { describePgError } from "../pg/describe-pg-error.js";
import type { SqlSession } from "../pg/session.js";
import { quoteIdent, quoteLiteral } from "../sql/quote.js";
import { renderCopyIn } from "../sql/copy-sql.js";
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
    let target: SqlSession | undefined;
    let reader: TableReader | undefined;
    try {
      // Opened inside the try: a session that fails to open stops the others and closes what did open.
      target = await input.openTarget();
      reader = await input.source.open();
      for (let load = queue.shift(); load && !stop.signal.aborted; load = queue.shift()) {
        const result = await loadShadow(load, actionOf(input, load), reader, target, input, stop.signal);
        results.set(nameKey(load.table), result);
        if (result.status === "failed") {
          await reader.close();
          reader = undefined;
          reader = await input.source.open();
        }
      }
    } catch (error) {
      stop.abort(); // the other workers stop after (or during) their current table
      throw error;
    } finally {
      await reader?.close().catch(() => undefined);
      await target?.close().catch(() => undefined);
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
  try {
    const copied = await withTransaction(target, async () => {
      await applyTargetSettings(target, input.settings);
      await runDdl(target, load.create);
      const streamed = await streamCopy(action, source, target, renderCopyIn({ ...action, table: load.loadTable }), (b) => {
        bytes = b;
        input.onEvent({ kind: "table-progress", table: action.table, bytes: b });
      }, signal);
      for (const statement of load.build) {
        input.onEvent({ kind: "log", level: "debug", message: describeDdl(statement) });
        await runDdl(target, statement);
      }
      return streamed;
    });
    const seconds = (performance.now() - started) / 1000;
    input.onEvent({ kind: "table-done", table: action.table, rows: copied.rowsWritten, bytes: copied.bytes, seconds, ok: true });
    const mismatch = copied.rowsRead === copied.rowsWritten ? undefined : `source sent ${copied.rowsRead} rows, target stored ${copied.rowsWritten}`;
    return { table: action.table, action: action.kind, status: mismatch ? "failed" : "ok", rows: copied.rowsWritten, bytes: copied.bytes, seconds, ...(mismatch ? { reason: mismatch } : {}) };
  } catch (error) {
    const { cause, lost } = classifyCopyFailure(error, action.table, source, target);
    if (signal.aborted) throw new Error("interrupted", { cause });
    // A lost connection (either side) ends the whole run, as in the serial path.
    if (lost) throw lost;
    const seconds = (performance.now() - started) / 1000;
    input.onEvent({ kind: "table-done", table: action.table, rows: 0, bytes, seconds, ok: false });
    return { table: action.table, action: action.kind, status: "failed", rows: 0, bytes, seconds, reason: describePgError(cause) };
  }
}

/**
 * What marks a schema as pgferry's own: its name has the exact shape of a load schema
 * (`pgferry_load_<8 hex>_<n>`) and it carries this comment, which pgferry writes when it creates
 * it. A user's schema that merely starts with the prefix is never touched.
 */
export const LOAD_SCHEMA_COMMENT = "pgferry load schema: holds tables loaded in parallel until the run moves them; dropped by the next run if left behind";
const LOAD_SCHEMA_NAME = `^${LOAD_SCHEMA_PREFIX}[0-9a-f]{8}_[0-9]+$`;

/** Committed on a session of its own, before the run's transaction starts. */
export async function createLoadSchemas(session: SqlSession, schemas: readonly string[]): Promise<void> {
  for (const schema of schemas) {
    await session.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    await session.query(`COMMENT ON SCHEMA ${quoteIdent(schema)} IS ${quoteLiteral(LOAD_SCHEMA_COMMENT)}`);
  }
}

/**
 * Load schemas a killed run left behind (committed shadows: full copies of tables), dropped at the
 * start of every run that writes. The caller holds the target's advisory lock, so no live run
 * owns them. Resolves to the names dropped.
 */
export async function dropStaleLoadSchemas(session: SqlSession): Promise<string[]> {
  const stale = await session.query<{ name: string }>(
    "SELECT nspname AS name FROM pg_namespace WHERE nspname ~ $1 AND obj_description(oid, 'pg_namespace') = $2 ORDER BY 1",
    [LOAD_SCHEMA_NAME, LOAD_SCHEMA_COMMENT],
  );
  const names = stale.map((s) => s.name);
  await dropLoadSchemas(session, names);
  return names;
}

/** After the run: empty when the shadows were moved into place, holding them when it rolled back. */
export async function dropLoadSchemas(session: SqlSession, schemas: readonly string[]): Promise<void> {
  for (const schema of schemas) await session.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
}

/**
 * Load shadow tables (plan/plan-parallel-loads) with `jobs` worker sessions at once: each worker
 * takes the next table (largest first), and in its own transaction creates the shadow, streams
 * the COPY into it and builds its keys and indexes, so one table's index builds overlap another
 * table's COPY. The run's transaction moves the shadows into place afterwards.
 */
import { describeDdl } from "../ddl/render-ddl.js";
import { runDdl } from "./run-ddl.js";
import { withTransaction } from "../pg/transaction.js";
import { runWorkerPool } from "./worker-pool.js";
import { nameKey } from "../model/qualified-name.js";
import type { StepResult } from "../model/result.js";
import type { ParallelLoad } from "../plan/plan-parallel-loads.js";
import { LOAD_SCHEMA_PREFIX } from "../plan/plan-parallel-loads.js";
import { describePgError } from "../pg/describe-pg-error.js";
import type { SqlSession } from "../pg/session.js";
import { quoteIdent, quoteLiteral } from "../sql/quote.js";
import { renderCopyIn } from "../sql/copy-sql.js";
import { classifyCopyFailure, streamCopy } from "./copy-table.js";
import { throttleProgress, type SyncEventListener } from "./events.js";
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
  let started = 0;
  let active = 0;
  // The last load still running has the machine to itself: its index builds may use every parallel worker.
  const alone = () => active === 1 && started === queue.length;
  const { interrupted } = await runWorkerPool({
    items: queue,
    jobs: input.jobs,
    signal: input.signal,
    openWorker: () => openLoadWorker(input),
    process: async (load, worker, _index, stop) => {
      started++;
      active++;
      const result = await loadShadow(load, actionOf(input, load), worker.reader!, worker.target, input, stop, alone).finally(() => active--);
      results.set(nameKey(load.table), result);
      // A COPY cut short leaves the source session mid-stream: a fresh one on the same snapshot.
      if (result.status === "failed") await worker.renewReader();
    },
  });
  if (interrupted) throw new Error("interrupted");
  return results;
}

interface LoadWorker {
  readonly target: SqlSession;
  reader: TableReader | undefined;
  renewReader(): Promise<void>;
  close(): Promise<void>;
}

/** A worker's target session and source reader; what opened is closed when the other fails to. */
async function openLoadWorker(input: ParallelLoadInput): Promise<LoadWorker> {
  const target = await input.openTarget();
  const worker: LoadWorker = {
    target,
    reader: undefined,
    async renewReader() {
      await worker.reader?.close();
      worker.reader = undefined;
      worker.reader = await input.source.open();
    },
    async close() {
      await worker.reader?.close().catch(() => undefined);
      await target.close();
    },
  };
  try {
    worker.reader = await input.source.open();
    return worker;
  } catch (error) {
    await target.close().catch(() => undefined);
    throw error;
  }
}

function actionOf(input: ParallelLoadInput, load: ParallelLoad): CopyAction {
  return input.actions.get(nameKey(load.table))!;
}

async function loadShadow(
  load: ParallelLoad,
  action: CopyAction,
  source: TableReader,
  target: SqlSession,
  input: ParallelLoadInput,
  signal: AbortSignal,
  alone: () => boolean,
): Promise<StepResult> {
  const started = performance.now();
  input.onEvent({ kind: "table-start", table: action.table, estimatedBytes: action.copy.estimatedBytes, estimatedRows: action.copy.estimatedRows });
  let bytes = 0;
  const progress = throttleProgress(action.table, input.onEvent);
  try {
    const copied = await withTransaction(target, async () => {
      await applyTargetSettings(target, input.settings);
      await runDdl(target, load.create);
      const streamed = await streamCopy(action, source, target, renderCopyIn({ ...action, table: load.loadTable }), (b) => {
        bytes = b;
        progress(b);
      }, signal);
      if (alone() && load.build.length > 0) {
        await target.query("SELECT set_config('max_parallel_maintenance_workers', reset_val, true) FROM pg_settings WHERE name = 'max_parallel_maintenance_workers'");
      }
      const statements = load.build.length;
      if (statements > 0) input.onEvent({ kind: "table-build", table: action.table, done: 0, statements });
      for (const [index, statement] of load.build.entries()) {
        input.onEvent({ kind: "log", level: "debug", message: describeDdl(statement) });
        await runDdl(target, statement);
        input.onEvent({ kind: "table-build", table: action.table, done: index + 1, statements });
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

/**
 * Carry out a SyncPlan in ONE target transaction (the caller holds the target's advisory lock):
 * pre-data, one TRUNCATE, each table's COPY inside a savepoint (so every failing table is found and reported), post-data, sequences,
 * verification; then COMMIT only if every step succeeded, else ROLLBACK. A killed process or a
 * dropped connection never commits, so the target stays exactly as it was.
 */
import { describeDdl } from "../ddl/render-ddl.js";
import { runDdl } from "./run-ddl.js";
import { isPgferryError } from "../errors.js";
import type { DdlStatement } from "../model/ddl-statement.js";
import type { SyncPlan, TableAction } from "../model/plan.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";
import type { RunTimings, StepResult } from "../model/result.js";
import { describePgError, sqlstateOf } from "../pg/describe-pg-error.js";
import { isConnectionLoss } from "../pg/connection-loss.js";
import type { SqlSession } from "../pg/session.js";
import { quoteRelation } from "../sql/quote.js";
import { renderDeleteMissing } from "../sql/copy-sql.js";
import { setDeferredSequences, setSequences, type SequencePosition } from "./set-sequences.js";
import { classifyCopyFailure, copyTable } from "./copy-table.js";
import { throttleProgress, type SyncEventListener, type SyncPhase } from "./events.js";
import type { TableReader, TableReaders } from "./table-reader.js";
import { applyTargetSettings, type TargetSettings } from "./target-settings.js";
import { verifyTargetCounts } from "./verify-counts.js";
import { createLoadSchemas, dropLoadSchemas, runParallelLoads } from "./parallel-load.js";
import type { ParallelLoadPlan } from "../plan/plan-parallel-loads.js";

/** Created tables loaded as shadows by worker sessions (--jobs > 1): see plan/plan-parallel-loads. */
export interface ParallelExecution {
  readonly plan: ParallelLoadPlan;
  readonly jobs: number;
  /** A new session on the target (workers, and the one that creates and drops the load schemas). */
  readonly openTarget: () => Promise<SqlSession>;
}

export interface ExecuteInput {
  readonly plan: SyncPlan;
  readonly parallel?: ParallelExecution;
  /** Where rows come from: the source snapshot, or a snapshot file (restore). */
  readonly source: TableReaders;
  readonly target: SqlSession;
  readonly settings: TargetSettings;
  readonly onEvent: SyncEventListener;
  readonly signal?: AbortSignal;
  /** Called once the last COPY has read its rows: end the source's snapshot (and stop holding back vacuum there). */
  readonly releaseSource?: () => Promise<void>;
  /**
   * Called once when the run is interrupted: cancel the statement the target session is running
   * (an index build, an FK validation, a lock wait), so the rollback does not wait for it to end.
   */
  readonly cancelTargetStatement?: () => Promise<void>;
}

export interface ExecuteOutcome {
  readonly steps: StepResult[];
  readonly committed: boolean;
  readonly sequencesSet: number;
  readonly error?: string;
  readonly commitUnknown?: boolean;
  readonly timings: RunTimings;
}

type CopyAction = Extract<TableAction, { kind: "create" | "refresh" }>;

class RunAborted extends Error {}

/** A DDL statement of the plan failed; `table` is the table it changes, when it changes one. */
class StatementFailed extends Error {
  constructor(
    message: string,
    readonly table: QualifiedName | null,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RunAborted("interrupted");
}

export async function executeSyncPlan(given: ExecuteInput): Promise<ExecuteOutcome> {
  let firstCopyAt: number | null = null;
  let lockedAt: number | null = null;
  const input: ExecuteInput = {
    ...given,
    onEvent: (event) => {
      if (event.kind === "table-start" && firstCopyAt === null) firstCopyAt = performance.now();
      given.onEvent(event);
    },
  };
  const { plan, target, parallel } = input;
  // Awaited before ROLLBACK: a cancel that reaches the backend while it is idle is ignored, one that
  // arrived during the ROLLBACK could cancel the next statement of the session (the run history).
  let cancelling: Promise<void> | undefined;
  const cancelOnAbort = () => void (cancelling = input.cancelTargetStatement?.().catch(() => undefined));
  input.signal?.addEventListener("abort", cancelOnAbort, { once: true });
  const results = new Map<string, StepResult>();
  const copies = plan.actions.filter((a): a is CopyAction => a.kind === "create" || a.kind === "refresh");
  const shadowed = new Set(parallel?.plan.loads.map((l) => nameKey(l.table)) ?? []);
  let sequencesSet = 0;
  let deferredSequences: readonly SequencePosition[] = [];
  let runError: string | undefined;
  let schemaSession: SqlSession | undefined;

  try {
    if (parallel) {
      schemaSession = await parallel.openTarget();
      await createLoadSchemas(schemaSession, parallel.plan.loadSchemas);
    }
    await target.query("BEGIN");
    // The run's own index builds (post-data, rebuilt keys) start after the workers are done: the server's parallelism, not a share of it.
    await applyTargetSettings(target, { ...input.settings, parallelIndexWorkers: null });
    if (plan.preData.some(locksExistingTable)) lockedAt = performance.now();
    await runStatements(target, parallel?.plan.preData ?? plan.preData, "pre-data", input);
    if (plan.truncate.length > 0) {
      input.onEvent({ kind: "log", level: "info", message: `truncating ${plan.truncate.length} table(s) inside the transaction` });
      lockedAt ??= performance.now();
      await truncateTables(target, plan, input.settings.lockTimeoutSeconds);
    }
    if (copies.length > 0) {
      input.onEvent({ kind: "copy-start", tables: copies.map((c) => ({ table: c.table, estimatedBytes: c.copy.estimatedBytes, estimatedRows: c.copy.estimatedRows })) });
    }
    // The run's session copies what cannot load as a shadow while the workers load the rest.
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    input.signal?.addEventListener("abort", onAbort, { once: true });
    const [serial, shadows] = await Promise.allSettled([
      copySerially(copies.filter((c) => !shadowed.has(nameKey(c.table))), copies, results, input).catch((error: unknown) => {
        stop.abort();
        throw error;
      }),
      parallel ? loadInParallel(parallel, copies, input, stop.signal) : new Map<string, StepResult>(),
    ]);
    input.signal?.removeEventListener("abort", onAbort);
    if (serial.status === "rejected") throw serial.reason;
    if (shadows.status === "rejected") throw shadows.reason;
    // Every row is read: the source's snapshot is not needed for keys, indexes, FKs and verification.
    await input.releaseSource?.();
    for (const [key, result] of shadows.value) results.set(key, result);
    if (parallel && [...results.values()].every((r) => r.status === "ok")) {
      const attach = parallel.plan.loads.flatMap((l) => l.attach);
      await runStatements(target, attach, "attach", input);
    }
    if ([...results.values()].every((r) => r.status === "ok")) {
      await deleteMissingRows(copies, results, input);
    }
    if ([...results.values()].every((r) => r.status === "ok")) {
      // FORCE ROW LEVEL SECURITY binds the owner (the run's role) to the policies: set once the counts are verified.
      const postData = parallel?.plan.postData ?? plan.postData;
      const forced = postData.filter(isForceRowSecurity);
      await runStatements(target, postData.filter((s) => !isForceRowSecurity(s)), "post-data", input).catch((error: unknown) => {
        // A key or FK that the rows break (built after the load) fails its table, as a failing COPY would.
        if (error instanceof StatementFailed && error.table && results.has(nameKey(error.table))) {
          const result = results.get(nameKey(error.table))!;
          results.set(nameKey(error.table), { ...result, status: "failed", reason: error.message });
        }
        throw error;
      });
      throwIfAborted(input.signal);
      const sequences = await setSequences(target, plan.sequenceResets);
      sequencesSet = sequences.set;
      deferredSequences = sequences.deferred;
      for (const mismatch of await verifyTargetCounts(target, copies, results)) {
        results.set(nameKey(mismatch.table), mismatch);
      }
      await runStatements(target, forced, "row-security", input);
    }
    // An interrupt during the last statements must still win over COMMIT.
    throwIfAborted(input.signal);
  } catch (error) {
    // A statement cancelled because of the interrupt fails with the server's "canceling statement" error.
    const interrupted = error instanceof RunAborted || input.signal?.aborted === true;
    runError = interrupted ? "interrupted: target rolled back" : isPgferryError(error) ? error.message : describePgError(error);
  }
  input.signal?.removeEventListener("abort", cancelOnAbort);

  const failed = runError !== undefined || [...results.values()].some((r) => r.status !== "ok");
  let committed = false;
  let commitUnknown = false;
  if (!failed) {
    try {
      await target.query("COMMIT");
      committed = true;
    } catch (error) {
      // The server may or may not have committed before the connection broke.
      commitUnknown = isConnectionLoss(error, target);
      runError = commitUnknown
        ? `the connection broke during COMMIT: the target may or may not have the new data (${describePgError(error)}); check it, or run the sync again`
        : `commit failed: ${describePgError(error)}`;
    }
  } else {
    await cancelling;
    await target.query("ROLLBACK").catch(() => undefined); // a dead connection rolls back on the server
  }
  const timings: RunTimings = {
    firstCopySeconds: firstCopyAt === null ? null : round3(firstCopyAt / 1000),
    exclusiveLockSeconds: lockedAt === null ? null : round3((performance.now() - lockedAt) / 1000),
  };
  if (committed && deferredSequences.length > 0) {
    const late = await setDeferredSequences(target, deferredSequences);
    sequencesSet += late.set;
    for (const message of late.warnings) input.onEvent({ kind: "log", level: "warn", message });
  }
  if (schemaSession && parallel) {
    // Empty after a commit (the shadows moved out); holding the loaded shadows after a rollback.
    await dropLoadSchemas(schemaSession, parallel.plan.loadSchemas).catch((error: unknown) =>
      input.onEvent({ kind: "log", level: "warn", message: `could not drop the load schemas (the next run drops them): ${describePgError(error)}` }),
    );
    await schemaSession.close();
  }
  return { steps: finalSteps(plan, results, committed, runError), committed, sequencesSet, ...(runError ? { error: runError } : {}), ...(commitUnknown ? { commitUnknown } : {}), timings };
}

function tableOf(statement: SyncPlan["preData"][number]): QualifiedName | null {
  if (statement.kind === "create-table") return statement.table.name;
  return "table" in statement ? statement.table : null;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Pre-data DDL on a table that already exists takes ACCESS EXCLUSIVE on it (created objects lock nothing others use). */
function locksExistingTable(statement: SyncPlan["preData"][number]): boolean {
  return statement.kind === "add-column" || statement.kind === "drop-constraint" || statement.kind === "drop-index";
}

/** The tables the run's own session copies, one after another, each in a savepoint. */
async function copySerially(serial: readonly CopyAction[], copies: readonly CopyAction[], results: Map<string, StepResult>, input: ExecuteInput): Promise<void> {
  if (serial.length === 0) return;
  let worker = await input.source.open();
  try {
    for (const action of serial) {
      throwIfAborted(input.signal);
      const result = await copyInSavepoint(action, worker, stagingFor(copies.indexOf(action)), input);
      results.set(nameKey(action.table), result);
      if (result.status === "failed") {
        // A COPY cut short leaves the source session mid-stream: start a fresh one on the same snapshot.
        await worker.close();
        worker = await input.source.open();
      }
    }
  } finally {
    await worker.close();
  }
}

async function loadInParallel(parallel: ParallelExecution, copies: readonly CopyAction[], input: ExecuteInput, signal: AbortSignal): Promise<Map<string, StepResult>> {
  input.onEvent({ kind: "log", level: "info", message: `loading ${parallel.plan.loads.length} new table(s) with ${parallel.jobs} workers` });
  try {
    return await runParallelLoads({
      loads: parallel.plan.loads,
      actions: new Map(copies.map((c) => [nameKey(c.table), c])),
      jobs: parallel.jobs,
      openTarget: parallel.openTarget,
      source: input.source,
      settings: input.settings,
      onEvent: input.onEvent,
      signal,
    });
  } catch (error) {
    if (input.signal?.aborted) throw new RunAborted("interrupted");
    throw error;
  }
}

/** One staging table name per copied table: merged tables keep theirs until COMMIT. */
function stagingFor(index: number): string {
  return `pgferry_staging_${index}`;
}

/**
 * --delete-missing, after every table is merged: children before parents (reverse load order),
 * so a deleted parent's vanished children are gone first. Each table in its own savepoint.
 */
async function deleteMissingRows(copies: readonly CopyAction[], results: Map<string, StepResult>, input: ExecuteInput): Promise<void> {
  const { target } = input;
  for (const [index, action] of [...copies.entries()].reverse()) {
    if (!action.copy.merge?.deleteMissing) continue;
    throwIfAborted(input.signal);
    const result = results.get(nameKey(action.table))!;
    await target.query("SAVEPOINT pgferry_delete");
    try {
      const deleted = await target.execute(renderDeleteMissing(action, stagingFor(index)));
      await target.query("RELEASE SAVEPOINT pgferry_delete");
      const changes = { inserted: 0, updated: 0, unchanged: 0, ...result.changes, deleted };
      results.set(nameKey(action.table), { ...result, changes });
    } catch (error) {
      if (isConnectionLoss(error, target)) throw error;
      await target.query("ROLLBACK TO SAVEPOINT pgferry_delete");
      results.set(nameKey(action.table), { ...result, status: "failed", reason: `deleting rows the source no longer has: ${describePgError(error)}` });
    }
  }
}

async function copyInSavepoint(action: CopyAction, source: TableReader, staging: string, input: ExecuteInput): Promise<StepResult> {
  const { target } = input;
  const started = performance.now();
  input.onEvent({ kind: "table-start", table: action.table, estimatedBytes: action.copy.estimatedBytes, estimatedRows: action.copy.estimatedRows });
  await target.query("SAVEPOINT pgferry_table");
  let bytes = 0;
  const progress = throttleProgress(action.table, input.onEvent);
  try {
    const outcome = await copyTable(action, source, target, staging, (b) => {
      bytes = b;
      progress(b);
    }, input.signal);
    await target.query("RELEASE SAVEPOINT pgferry_table");
    const seconds = (performance.now() - started) / 1000;
    input.onEvent({ kind: "table-done", table: action.table, rows: outcome.rowsWritten, bytes: outcome.bytes, seconds, ok: true });
    const mismatch =
      outcome.rowsRead === outcome.rowsWritten
        ? undefined
        : outcome.changes
          ? `verification failed: ${outcome.rowsRead - outcome.rowsWritten} of the source's ${outcome.rowsRead} rows are not on the target after the merge`
          : `source sent ${outcome.rowsRead} rows, target stored ${outcome.rowsWritten}`;
    return {
      table: action.table,
      action: action.kind,
      status: mismatch ? "failed" : "ok",
      rows: outcome.rowsWritten,
      bytes: outcome.bytes,
      seconds,
      ...(mismatch ? { reason: mismatch } : {}),
      ...(outcome.changes ? { changes: outcome.changes } : {}),
    };
  } catch (error) {
    throwIfAborted(input.signal);
    // A lost connection ends the run: the target transaction is gone (or the snapshot may be).
    const { cause, lost } = classifyCopyFailure(error, action.table, source, target);
    if (lost) throw lost;
    await target.query("ROLLBACK TO SAVEPOINT pgferry_table");
    const seconds = (performance.now() - started) / 1000;
    input.onEvent({ kind: "table-done", table: action.table, rows: 0, bytes, seconds, ok: false });
    return { table: action.table, action: action.kind, status: "failed", rows: 0, bytes, seconds, reason: describePgError(cause) };
  }
}

/** One phase's statements on the run's session: a phase-start, a statement-done per statement, a phase-done (also when one fails). */
async function runStatements(target: SqlSession, statements: SyncPlan["preData"], phase: SyncPhase, input: ExecuteInput): Promise<void> {
  if (statements.length === 0) return;
  const started = performance.now();
  let done = 0;
  input.onEvent({ kind: "phase-start", phase, statements: statements.length });
  try {
    for (const statement of statements) {
      throwIfAborted(input.signal);
      input.onEvent({ kind: "log", level: "debug", message: describeDdl(statement) });
      try {
        await runDdl(target, statement);
      } catch (error) {
        const table = tableOf(statement);
        if (table) throwIfLockWaitEnded(error, [table], "it", input.settings.lockTimeoutSeconds);
        throw new StatementFailed(`${describeDdl(statement)}: ${describePgError(error)}`, table, error);
      }
      done++;
      input.onEvent({ kind: "statement-done", phase, done, statements: statements.length });
    }
  } finally {
    const seconds = (performance.now() - started) / 1000;
    input.onEvent({ kind: "phase-done", phase, done, statements: statements.length, seconds, ok: done === statements.length });
  }
}

async function truncateTables(target: SqlSession, plan: SyncPlan, lockTimeoutSeconds: number): Promise<void> {
  try {
    await target.query(`TRUNCATE ${plan.truncate.map((t) => quoteRelation(t.table, t.only)).join(", ")}`);
  } catch (error) {
    throwIfLockWaitEnded(error, plan.truncate.map((t) => t.table), "them", lockTimeoutSeconds);
    throw error;
  }
}

/** A statement that gave up waiting for a table lock (lock_timeout): one clear line naming the tables. */
function throwIfLockWaitEnded(error: unknown, tables: readonly QualifiedName[], pronoun: "it" | "them", lockTimeoutSeconds: number): void {
  if (sqlstateOf(error) !== "55P03") return;
  throw new Error(
    `gave up after ${lockTimeoutSeconds} s waiting for a lock on ${tables.map(displayName).join(", ")}: another session is using ${pronoun} (raise --lock-timeout, or retry later)`,
    { cause: error },
  );
}

function finalSteps(plan: SyncPlan, results: Map<string, StepResult>, committed: boolean, runError: string | undefined): StepResult[] {
  return plan.actions.map((action): StepResult => {
    const done = results.get(nameKey(action.table));
    if (action.kind === "skip") return { table: action.table, action: "skip", status: "skipped", rows: 0, bytes: 0, seconds: 0, reason: action.reason };
    if (action.kind === "truncate-cascade") {
      return { table: action.table, action: action.kind, status: committed ? "ok" : "rolled-back", rows: 0, bytes: 0, seconds: 0, reason: action.reason };
    }
    if (done?.status === "failed") return done;
    if (committed && done) return done;
    const reason = runError ?? "rolled back: another table failed";
    return { table: action.table, action: action.kind, status: "rolled-back", rows: done?.rows ?? 0, bytes: done?.bytes ?? 0, seconds: done?.seconds ?? 0, reason };
  });
}

function isForceRowSecurity(statement: DdlStatement): boolean {
  return statement.kind === "row-security" && statement.action === "force";
}

/**
 * The run history: one row per sync run in `<schema>.runs` on the target (schema `pgferry`
 * unless configured), written after the run in its own transaction, so a rolled-back sync
 * still leaves its failure on record. `pgferry history` reads it back. Row values in errors
 * (`Key (email)=(…)`) are never stored: the table outlives the run and is read by many.
 */
import { LOCK_CLASS } from "../pg/advisory-lock.js";
import { connect } from "../pg/connect.js";
import { sqlstateOf, stripRowValues, withoutRowValues } from "../pg/describe-pg-error.js";
import { withTargetSession, type TargetAccess } from "../execute/target-protection.js";
import type { SqlSession } from "../pg/session.js";
import { withTransaction } from "../pg/transaction.js";
import { quoteIdent } from "../sql/quote.js";

export type RunStatus = "ok" | "failed" | "interrupted" | "skipped";

export interface RunRecord {
  /** The scheduled job's name; null for a run from the command line or the library. */
  readonly job: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly status: RunStatus;
  /** Redacted labels. */
  readonly source: string;
  readonly mode: string;
  /** schema.name of every table the run wrote (or would have). */
  readonly tables: readonly string[];
  readonly rows: number;
  readonly error: string | null;
  /** The JSON report, hooks included. */
  readonly report: object;
}

export interface StoredRun extends Omit<RunRecord, "report"> {
  readonly id: number;
}

const HISTORY_LOCK = 2;

/** A table pattern matching the history schema, so syncs and diffs leave pgferry's own bookkeeping out. */
export function historyTablePattern(schema: string): string {
  return `"${schema.replace(/"/g, '""')}".*`;
}

function runsTable(schema: string): string {
  return `${quoteIdent(schema)}.runs`;
}

async function ensureHistoryTable(session: SqlSession, schema: string): Promise<void> {
  // Serialised, because concurrent CREATE … IF NOT EXISTS can still collide on the catalog.
  await session.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_CLASS, HISTORY_LOCK]);
  await session.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await session.query(`CREATE TABLE IF NOT EXISTS ${runsTable(schema)} (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job text,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    status text NOT NULL,
    source text NOT NULL,
    mode text NOT NULL,
    tables text[] NOT NULL,
    rows bigint NOT NULL,
    error text,
    report jsonb NOT NULL
  )`);
}

/** Append one run; resolves to its id. */
export async function appendRun(access: TargetAccess, schema: string, record: RunRecord): Promise<number> {
  // A history row conflicts with no sync: it does not wait for the target's lock.
  return withTargetSession(access, (session) => insertRun(session, schema, record), { attempts: 2, lock: false });
}

async function insertRun(session: SqlSession, schema: string, record: RunRecord): Promise<number> {
  return withTransaction(session, async () => {
    await ensureHistoryTable(session, schema);
    const [row] = await session.query<{ id: string }>(
      `INSERT INTO ${runsTable(schema)} (job, started_at, finished_at, status, source, mode, tables, rows, error, report)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        record.job,
        record.startedAt,
        record.finishedAt,
        record.status,
        record.source,
        record.mode,
        record.tables,
        record.rows,
        record.error === null ? null : stripRowValues(record.error),
        JSON.stringify(withoutRowValues(record.report)),
      ],
    );
    return Number(row?.id);
  });
}

export interface HistoryQuery {
  readonly limit: number;
  readonly job?: string;
}

/** The latest runs, newest first; an empty list when the target has no history yet. */
export async function listRuns(targetUrl: string, schema: string, query: HistoryQuery): Promise<StoredRun[]> {
  const session = await connect(targetUrl, { role: "target" });
  try {
    const rows = await session.query<{
      id: string; job: string | null; started_at: Date; finished_at: Date; status: RunStatus; source: string; mode: string; tables: string[]; rows: string; error: string | null;
    }>(
      `SELECT id, job, started_at, finished_at, status, source, mode, tables, rows, error
         FROM ${runsTable(schema)} WHERE ($1::text IS NULL OR job = $1) ORDER BY id DESC LIMIT $2`,
      [query.job ?? null, query.limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      job: r.job,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      status: r.status,
      source: r.source,
      mode: r.mode,
      tables: r.tables,
      rows: Number(r.rows),
      // Rows written before values were stripped are shown without them too.
      error: r.error === null ? null : stripRowValues(r.error),
    }));
  } catch (error) {
    if (sqlstateOf(error) === "42P01" || sqlstateOf(error) === "3F000") return []; // no history table (or schema) yet
    throw error;
  } finally {
    await session.close();
  }
}

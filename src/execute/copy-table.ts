/**
 * Stream one table: COPY data from the reader (the source's COPY … TO STDOUT, or a snapshot
 * file) straight into COPY … FROM STDIN on the target. Bytes pass untouched; stream.pipeline gives back-pressure, so memory stays flat
 * whatever the table's size.
 */
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { TableAction } from "../model/plan.js";
import { displayName, type QualifiedName } from "../model/qualified-name.js";
import { describePgError, isTransientConnectionError } from "../pg/describe-pg-error.js";
import type { RowChanges } from "../model/result.js";
import type { SqlSession } from "../pg/session.js";
import {
  renderCopyIn,
  renderCopyInStaging,
  renderCreateStaging,
  renderInsertFromStaging,
  renderMergeFromStaging,
  stagingName,
} from "../sql/copy-sql.js";
import type { TableReader } from "./table-reader.js";

/** A COPY failed; `side` says which end failed first (the pipeline then tears down the other). */
export class CopyStreamError extends Error {
  constructor(
    readonly side: "source" | "target",
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/**
 * A failed table COPY as the executors see it: the error's own cause, and, when a connection
 * (either side) was lost, the error that ends the run, naming the side; else `lost` is null and
 * only this table failed. Every statement around the COPY (staging, INSERT … SELECT, savepoints)
 * runs on the target, so an error that is not a stream's came from the target.
 */
export function classifyCopyFailure(
  error: unknown,
  table: QualifiedName,
  source: { readonly brokenBy: Error | null },
  target: { readonly brokenBy: Error | null },
): { readonly cause: unknown; readonly lost: Error | null } {
  const side = error instanceof CopyStreamError ? error.side : "target";
  const cause = error instanceof CopyStreamError ? error.cause : error;
  const which = target.brokenBy ? "target" : source.brokenBy ? "source" : isTransientConnectionError(cause) ? side : null;
  if (!which) return { cause, lost: null };
  return { cause, lost: new Error(`${which} connection lost while copying ${displayName(table)}: ${describePgError(cause)}`, { cause }) };
}

export interface CopyOutcome {
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly bytes: number;
  /** Merge modes only. */
  readonly changes?: RowChanges;
}

type CopyAction = Extract<TableAction, { kind: "create" | "refresh" }>;

/**
 * A drifted or merged table streams into a temporary staging table typed like the source, then
 * one INSERT … SELECT converts (and merges) every row inside the server; no row passes through
 * JavaScript either way. A merged table's staging table stays until COMMIT, for --delete-missing.
 */
export async function copyTable(
  action: CopyAction,
  source: TableReader,
  target: SqlSession,
  staging: string,
  onBytes: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<CopyOutcome> {
  if (!action.copy.staged) return streamCopy(action, source, target, renderCopyIn(action), onBytes, signal);
  await target.query(renderCreateStaging(action, staging));
  const loaded = await streamCopy(action, source, target, renderCopyInStaging(action, staging), onBytes, signal);
  const fills = action.copy.fills.map((f) => f.value);
  if (!action.copy.merge) {
    const inserted = await target.execute(renderInsertFromStaging(action, staging), fills);
    await target.query(`DROP TABLE ${stagingName(staging)}`);
    return { rowsRead: loaded.rowsRead, rowsWritten: inserted, bytes: loaded.bytes };
  }
  // Row counts and key statistics for the anti-joins that follow (a temporary table is never auto-analyzed).
  await target.query(`ANALYZE ${stagingName(staging)}`);
  const [counts] = await target.query<{ inserted: string; updated: string; candidates: string }>(renderMergeFromStaging(action, staging), fills);
  const inserted = Number(counts?.inserted ?? 0);
  const updated = Number(counts?.updated ?? 0);
  // Rows that were not on the target as they are now and did not come back inserted or updated
  // (a trigger or rule kept them off): the source's rows that are not on the target after the merge.
  const absent = Number(counts?.candidates ?? 0) - inserted - updated;
  return {
    rowsRead: loaded.rowsRead,
    rowsWritten: loaded.rowsRead - absent,
    bytes: loaded.bytes,
    changes: { inserted, updated, unchanged: loaded.rowsRead - inserted - updated, deleted: 0 },
  };
}

export async function streamCopy(action: CopyAction, source: TableReader, target: SqlSession, copyIn: string, onBytes: (bytes: number) => void, signal?: AbortSignal): Promise<CopyOutcome> {
  const out = source.read(action);
  const into = target.copyIn(copyIn);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      bytes += chunk.length;
      onBytes(bytes);
      callback(null, chunk);
    },
  });
  let failedSide: "source" | "target" | null = null;
  out.once("error", () => (failedSide ??= "source"));
  into.once("error", () => (failedSide ??= "target"));
  try {
    await pipeline(out, counter, into, signal ? { signal } : {});
  } catch (error) {
    // A snapshot file found corrupted explains a target's rejection of garbage, or a gunzip error, best.
    const explained = failedSide !== null && !source.brokenBy ? await source.explainFailure?.(action).catch(() => null) : null;
    if (explained) throw new CopyStreamError("source", explained);
    throw failedSide ? new CopyStreamError(failedSide, error) : error;
  }
  return { rowsRead: out.rowCount ?? 0, rowsWritten: into.rowCount ?? 0, bytes };
}

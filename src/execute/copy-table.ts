/**
 * Stream one table: COPY … TO STDOUT on the source straight into COPY … FROM STDIN on the
 * target. Bytes pass untouched; stream.pipeline gives back-pressure, so memory stays flat
 * whatever the table's size.
 */
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { TableAction } from "../model/plan.js";
import type { SqlSession } from "../pg/session.js";
import { renderCopyIn, renderCopyOut } from "./copy-sql.js";

/** A COPY failed; `side` says which end failed first (the pipeline then tears down the other). */
export class CopyStreamError extends Error {
  constructor(
    readonly side: "source" | "target",
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export interface CopyOutcome {
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly bytes: number;
}

export async function copyTable(
  action: Extract<TableAction, { kind: "create" | "refresh" }>,
  source: SqlSession,
  target: SqlSession,
  onBytes: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<CopyOutcome> {
  const out = source.copyOut(renderCopyOut(action));
  const into = target.copyIn(renderCopyIn(action));
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
    throw failedSide ? new CopyStreamError(failedSide, error) : error;
  }
  return { rowsRead: out.rowCount ?? 0, rowsWritten: into.rowCount ?? 0, bytes };
}

/**
 * Where a plan's rows come from: a source database (COPY … TO STDOUT inside the run's snapshot)
 * or a snapshot in an object store (restore). The executor only asks for one table's COPY data
 * in the action's format, and for a fresh reader after a failed table.
 */
import type { TableAction } from "../model/plan.js";
import type { CopyOutStream, SqlSession } from "../pg/session.js";
import { renderCopyOut } from "../sql/copy-sql.js";
import { withJsStage } from "./js-row-stage.js";
import type { SourceSnapshot } from "./source-snapshot.js";

export type CopyAction = Extract<TableAction, { kind: "create" | "refresh" }>;

export interface TableReader {
  /** The table's rows as COPY data in `action.copy.format`; `rowCount` is set once it ended. */
  read(action: CopyAction): CopyOutStream;
  /**
   * After a table's COPY failed (the target rejected its rows, or the reader's own stream
   * failed): an error of the reader's that explains it better (a snapshot file found corrupted),
   * or null. Optional: a database source has none.
   */
  explainFailure?(action: CopyAction): Promise<Error | null>;
  /** The error that broke the underlying connection, if any (a store has none). */
  readonly brokenBy: Error | null;
  close(): Promise<void>;
}

export interface TableReaders {
  /** A reader for the next tables; after a failed table the executor opens a fresh one. */
  open(): Promise<TableReader>;
}

/**
 * A table's source rows as COPY data: the one place a source COPY is opened (syncs, parallel
 * loads, dumps), so a table with js transforms always gets its row stage.
 */
export function readSourceRows(session: Pick<SqlSession, "copyOut">, action: CopyAction): CopyOutStream {
  return withJsStage(action, session.copyOut(renderCopyOut(action)));
}

/** Readers on worker sessions that share the source snapshot. */
export function snapshotReaders(source: SourceSnapshot): TableReaders {
  return {
    async open() {
      const worker = await source.openWorker("source worker");
      return {
        read: (action) => readSourceRows(worker, action),
        get brokenBy() {
          return worker.brokenBy;
        },
        close: () => worker.close(),
      };
    },
  };
}

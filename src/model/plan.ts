/** What a sync will do: pure data built by plan/, executed by execute/, rendered by cli/. */
import type { Catalog, Column, Table } from "./catalog.js";
import type { DdlStatement } from "./ddl-statement.js";
import type { Diagnostic } from "./diagnostic.js";
import type { QualifiedName } from "./qualified-name.js";

export interface ColumnCopy {
  readonly name: string;
  readonly sourceType: string;
  readonly targetType: string;
}

/** How FK constraints that would block a load order are handled inside the target transaction. */
export type FkStrategy =
  | { readonly kind: "ordered" }
  | {
      /** Cycles on existing target tables: DEFERRABLE FKs are deferred to commit, others dropped and re-added. */
      readonly kind: "break-cycles";
      readonly deferred: readonly FkRef[];
      readonly dropped: readonly FkRef[];
    };

export interface FkRef {
  readonly table: QualifiedName;
  readonly name: string;
  readonly definition: string;
}

export type TableAction =
  | {
      readonly kind: "create";
      readonly table: QualifiedName;
      readonly source: Table;
      readonly columns: readonly ColumnCopy[];
      readonly copy: CopySpec;
    }
  | {
      readonly kind: "refresh";
      readonly table: QualifiedName;
      readonly source: Table;
      readonly columns: readonly ColumnCopy[];
      readonly copy: CopySpec;
    }
  | {
      readonly kind: "skip";
      readonly table: QualifiedName;
      readonly reason: string;
    }
  | {
      /** An unselected table emptied because --cascade was given. */
      readonly kind: "truncate-cascade";
      readonly table: QualifiedName;
      readonly reason: string;
    };

export interface CopySpec {
  readonly format: "binary" | "text";
  /** Read through a SELECT (partitioned parents, where filters) instead of COPY table. */
  readonly viaSelect: boolean;
  readonly where: string | null;
  /** null when the source never analyzed the table. */
  readonly estimatedRows: number | null;
  readonly estimatedBytes: number;
  /** The target table is partitioned: counted with its partitions, not ONLY. */
  readonly intoPartitioned: boolean;
}

/**
 * One table of the TRUNCATE. `only` for every table that is not partitioned, so old-style
 * INHERITS children are never emptied behind the user's back (a partitioned table refuses ONLY).
 */
export interface TruncateTarget {
  readonly table: QualifiedName;
  readonly only: boolean;
}

export interface SequenceReset {
  readonly sequence: QualifiedName;
  /** Bound as a parameter to setval. */
  readonly value: string;
  readonly isCalled: boolean;
}

export interface SyncPlan {
  readonly actions: readonly TableAction[];
  /** Tables to empty in one TRUNCATE before loading (refreshed and cascaded ones). */
  readonly truncate: readonly TruncateTarget[];
  /** Run before the load: schemas, types, sequences and tables to create; FK deferral or drops. */
  readonly preData: readonly DdlStatement[];
  /** Run after the load: keys, indexes, FKs, sequence owners. */
  readonly postData: readonly DdlStatement[];
  readonly fkStrategy: FkStrategy;
  readonly sequenceResets: readonly SequenceReset[];
  readonly diagnostics: readonly Diagnostic[];
}

export type { Catalog, Column };

/** What a sync will do: pure data built by plan/, executed by execute/, rendered by cli/. */
import type { Catalog, Column, Table } from "./catalog.js";
import type { DdlStatement } from "./ddl-statement.js";
import type { Diagnostic } from "./diagnostic.js";
import type { QualifiedName } from "./qualified-name.js";

export interface ColumnCopy {
  readonly name: string;
  readonly sourceType: string;
  readonly targetType: string;
  /** How a source value becomes the target column's value. */
  readonly conversion: ColumnConversion;
  /** The column's type in the staging table: the source's type, or text when the target lacks that type. */
  readonly stagingType: string;
}

/**
 * - `none`: same type on both sides.
 * - `text-input`: the source's text form is read by the target type's input function during
 *   COPY (int→bigint, varchar widening, enum→text, text→enum, numeric→numeric(p,s)…); no staging.
 * - `to-jsonb`: `to_jsonb(value)` (arrays, numbers, booleans, dates… into a json/jsonb column).
 * - `cast`: `CAST(value AS target)`, PostgreSQL's explicit cast (numeric→integer rounds, boolean→integer…).
 * The last two load through a staging table typed like the source.
 */
export type ColumnConversion = "none" | "text-input" | "to-jsonb" | "cast";

/** A target-only column given a configured value (bound as a parameter, cast to the column's type). */
export interface ColumnFill {
  readonly column: string;
  readonly type: string;
  readonly value: string | null;
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
      /** How a truncated table is reloaded (plan/plan-index-rebuild); absent for merges. */
      readonly path?: RefreshPath;
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

/**
 * `rebuild`: loaded bare, its keys, indexes and FKs dropped before the TRUNCATE and built again
 * after the load (counts of what is rebuilt; `kept`: what stays in place, and why).
 * `in-place`: loaded with its indexes maintained row by row, for the reason given.
 */
export type RefreshPath =
  | { readonly kind: "rebuild"; readonly keys: number; readonly indexes: number; readonly foreignKeys: number; readonly kept: readonly string[] }
  | { readonly kind: "in-place"; readonly reason: string };

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
  /**
   * Load through a temporary table typed like the source, then INSERT … SELECT with conversions
   * and fills; false when bytes can go straight into the target table.
   */
  readonly staged: boolean;
  readonly fills: readonly ColumnFill[];
  /** Merge into the existing rows by key instead of replacing them (upsert / insert-missing); null for a plain load. */
  readonly merge: MergeSpec | null;
  /** Anonymized columns: computed inside the source's SELECT (absent or empty: the plain copy). */
  readonly transforms?: readonly ColumnTransform[];
  /** The table's share of a subset (pgferry.yml `subset:`); `where` then holds its full condition. */
  readonly subset?: CopySubset;
}

/** How a subset narrows a table's rows (plan/plan-subset). */
export interface CopySubset {
  /** Short form for the plan: `root: …, 10 %`, `parents of public.orders`, `copied whole …`. */
  readonly summary: string;
  /** The subset narrows the table (false: copied whole, within the user's where). */
  readonly narrowed: boolean;
  /** The user's own where filter, which `where` includes (null: none). */
  readonly userWhere: string | null;
  /** User SQL of the subset on this table, each checked before the run (root filter, virtual FK conditions). */
  readonly checks: readonly { readonly what: string; readonly condition: string }[];
  /** The source's row estimate for the whole table (pg_class), for "kept of total". */
  readonly tableRows: number | null;
}

/** The classes of column types transformers tell apart (transform/column-type-class). */
export type TypeClass = "text" | "bytea" | "uuid" | "integer" | "decimal" | "date" | "timestamp" | "json" | "other";

/** A column's transform as the plan resolved it (transform/transformer-registry renders it). */
export interface ColumnTransform {
  readonly column: string;
  readonly kind: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** The source column's type (format_type): the output is cast back to it. */
  readonly type: string;
  readonly typeClass: TypeClass;
  /** Where it comes from: `from tables:`, `from transform.rules[i] "*.email"`, or the FK parent column it follows. */
  readonly origin: string;
  /** shift: the columns whose values key the row's offset. */
  readonly rowKey?: readonly string[];
}

/**
 * `upsert`: INSERT … ON CONFLICT (key) DO UPDATE, touching only rows whose values differ;
 * `insert-missing`: ON CONFLICT DO NOTHING. Both load through the staging table; the table is
 * not truncated, and rows only on the target stay unless `deleteMissing`.
 */
export interface MergeSpec {
  readonly mode: "upsert" | "insert-missing";
  /** The primary key, or the configured key (backed by a unique constraint on the target). */
  readonly key: readonly string[];
  /** Columns an upsert overwrites on a key match: the copied non-key columns minus `preserve`. */
  readonly update: readonly string[];
  /** The configured columns whose target values a key match keeps (tables.<t>.preserve). */
  readonly preserve: readonly string[];
  /** Delete target rows (within the where filter) whose key the source no longer has. */
  readonly deleteMissing: boolean;
  /**
   * A refresh carried out as an upsert that deletes every row the source lacks (whatever the
   * where filter), so the table ends equal to the source apart from the preserved values: a
   * table with preserved columns, or one a merged table references (TRUNCATE cannot empty it).
   */
  readonly replace: boolean;
}

export type SyncMode = "refresh" | "upsert" | "insert-missing";

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
  /** Merge modes keep target-only rows: the sequence never moves below its current value. */
  readonly neverBackwards: boolean;
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

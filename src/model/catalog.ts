/**
 * A plain, frozen picture of one database, read from pg_catalog once per run.
 * SQL fragments here (defaults, constraint and index definitions) come from the server's own
 * deparsers (pg_get_expr, pg_get_constraintdef, pg_get_indexdef), never from user input.
 */
import type { QualifiedName } from "./qualified-name.js";

export interface DatabaseIdentity {
  /** pg_control_system().system_identifier when readable, else null. */
  readonly systemIdentifier: string | null;
  readonly postmasterStart: string;
  readonly databaseOid: number;
  readonly databaseName: string;
}

export interface Column {
  readonly name: string;
  readonly position: number;
  /** format_type(atttypid, atttypmod), e.g. `numeric(12,2)`, `text[]`, `public.mood`. */
  readonly type: string;
  /** The column's type when it is user-defined (enum, domain, composite), for dependency order. */
  readonly userType: QualifiedName | null;
  /** True when binary COPY of this type is portable between servers (no user type oids inside). */
  readonly binaryPortable: boolean;
  readonly notNull: boolean;
  readonly default: string | null;
  readonly generated: "stored" | "virtual" | null;
  readonly identity: "always" | "by default" | null;
  readonly collation: QualifiedName | null;
}

export type ConstraintKind = "primary" | "unique" | "check" | "foreign" | "exclusion";

export interface Constraint {
  readonly name: string;
  readonly kind: ConstraintKind;
  /** pg_get_constraintdef output, e.g. `FOREIGN KEY (org_id) REFERENCES public.orgs(id)`. */
  readonly definition: string;
  readonly columns: readonly string[];
  readonly references: QualifiedName | null;
  readonly deferrable: boolean;
  readonly initiallyDeferred: boolean;
}

export interface Index {
  readonly name: string;
  /** pg_get_indexdef output. */
  readonly definition: string;
}

export interface Partitioning {
  /** pg_get_partkeydef for a partitioned table, e.g. `RANGE (paid_at)`. */
  readonly key: string | null;
  readonly parent: QualifiedName | null;
  /** pg_get_expr(relpartbound) for a partition, e.g. `FOR VALUES FROM (…) TO (…)`. */
  readonly bound: string | null;
}

export interface Table {
  readonly name: QualifiedName;
  readonly partitioned: boolean;
  readonly partitioning: Partitioning;
  readonly columns: readonly Column[];
  readonly constraints: readonly Constraint[];
  /** Indexes that do not back a constraint. */
  readonly indexes: readonly Index[];
  readonly unlogged: boolean;
  /** From the last VACUUM/ANALYZE; null when the table was never analyzed. */
  readonly rowEstimate: number | null;
  readonly sizeBytes: number;
  /** Sequences this table's columns own or use in defaults. */
  readonly sequences: readonly QualifiedName[];
}

export interface Sequence {
  readonly name: QualifiedName;
  readonly dataType: string;
  readonly start: string;
  readonly increment: string;
  readonly min: string;
  readonly max: string;
  readonly cache: string;
  readonly cycle: boolean;
  /** null when the sequence was never used (or is not readable: see `readable`). */
  readonly lastValue: string | null;
  /** The role may read the sequence's value (SELECT or USAGE). */
  readonly readable: boolean;
  readonly ownedBy: { readonly table: QualifiedName; readonly column: string } | null;
  /** True when the sequence belongs to an identity column (created with the column). */
  readonly identity: boolean;
}

export interface EnumType {
  readonly name: QualifiedName;
  readonly labels: readonly string[];
}

export interface DomainType {
  readonly name: QualifiedName;
  readonly baseType: string;
  readonly baseUserType: QualifiedName | null;
  readonly notNull: boolean;
  readonly default: string | null;
  readonly collation: QualifiedName | null;
  readonly checks: readonly { readonly name: string; readonly definition: string }[];
}

export interface Catalog {
  readonly serverVersion: number;
  readonly serverVersionText: string;
  readonly identity: DatabaseIdentity;
  /** Schemas that exist (user schemas only). */
  readonly schemas: readonly string[];
  readonly tables: readonly Table[];
  readonly sequences: readonly Sequence[];
  readonly enums: readonly EnumType[];
  readonly domains: readonly DomainType[];
}

/**
 * A plain, frozen picture of one database, read from pg_catalog once per run.
 * SQL fragments here (defaults, constraint and index definitions) come from the server's own
 * deparsers (pg_get_expr, pg_get_constraintdef, pg_get_indexdef), never from user input.
 */
import type { QualifiedName } from "./qualified-name.js";
import type { SchemaObjects } from "./schema-objects.js";

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
  /**
   * pg_type.typcategory of the column's type (of the base type for a domain): `A` array,
   * `S` string, `N` numeric, `E` enum, `B` boolean, `D` date/time, `U` user-defined (json, jsonb…).
   */
  readonly category: string;
  /** True when binary COPY of this type is portable between servers (no user type oids inside). */
  readonly binaryPortable: boolean;
  /**
   * Values can be matched as keys: the type (or each element, field or base type) has a default
   * btree or hash operator class. False for json, xml, point, box and other geometric types.
   */
  readonly equality: boolean;
  readonly notNull: boolean;
  readonly default: string | null;
  readonly generated: "stored" | "virtual" | null;
  readonly identity: "always" | "by default" | null;
  readonly collation: QualifiedName | null;
  readonly comment: string | null;
  /** ALTER COLUMN … SET STATISTICS (pg_attribute.attstattarget); null or absent: the default. */
  readonly statistics?: number | null;
  /** ALTER COLUMN … SET STORAGE, when attstorage differs from the type's typstorage; null or absent: the type's. */
  readonly storage?: ColumnStorage | null;
  /** ALTER COLUMN … SET COMPRESSION (attcompression, 14+); null or absent: the server's default_toast_compression. */
  readonly compression?: string | null;
  /** pg_attribute.attislocal: false for a column only inherited from an INHERITS parent (absent: true). */
  readonly local?: boolean;
}

/** pg_attribute.attstorage spelled as SET STORAGE takes it. */
export type ColumnStorage = "plain" | "external" | "main" | "extended";

export type ConstraintKind = "primary" | "unique" | "check" | "foreign" | "exclusion";

export interface Constraint {
  readonly name: string;
  readonly kind: ConstraintKind;
  /** pg_get_constraintdef output, e.g. `FOREIGN KEY (org_id) REFERENCES public.orgs(id)`. */
  readonly definition: string;
  readonly columns: readonly string[];
  readonly references: QualifiedName | null;
  /** For a foreign key: the referenced columns, in the order of `columns`. */
  readonly referencedColumns: readonly string[];
  readonly deferrable: boolean;
  readonly initiallyDeferred: boolean;
  readonly comment: string | null;
  /** Of the index behind a primary key, unique or exclusion constraint (absent in older snapshot manifests). */
  readonly index?: IndexProperties;
}

/** What an index carries besides its definition: set by ALTER TABLE / ALTER INDEX, lost by DROP and CREATE. */
export interface IndexProperties {
  /** ALTER TABLE … CLUSTER ON it. */
  readonly clustered: boolean;
  /** ALTER TABLE … REPLICA IDENTITY USING INDEX it. */
  readonly replicaIdentity: boolean;
  /** false for an index a failed CREATE INDEX CONCURRENTLY left behind. */
  readonly valid: boolean;
  /** Its tablespace when not the database's default. */
  readonly tablespace: string | null;
  /** ALTER INDEX … ALTER COLUMN n SET STATISTICS t. */
  readonly statistics: readonly { readonly column: number; readonly target: number }[];
  /** Something other than a foreign key depends on it (a view grouping by a key): it cannot be dropped and rebuilt. */
  readonly hasDependents: boolean;
  /** COMMENT ON INDEX, for the index behind a key (a plain index's is Index.comment); absent in older snapshot manifests. */
  readonly comment?: string | null;
}

export interface Index {
  readonly name: string;
  /** pg_get_indexdef output. */
  readonly definition: string;
  /**
   * The definition from `USING` on (`USING btree (id) WHERE …`), to build the same index on
   * another table (a parallel load's shadow table); absent when it could not be split off exactly.
   */
  readonly using?: string | null;
  readonly comment: string | null;
  /** Absent in older snapshot manifests. */
  readonly properties?: IndexProperties;
}

export interface Trigger {
  readonly name: string;
  /** pg_get_triggerdef output: the whole CREATE TRIGGER statement. */
  readonly definition: string;
  /** pg_trigger.tgenabled: O origin (default), D disabled, R replica, A always. */
  readonly enabled: "O" | "D" | "R" | "A";
  readonly comment: string | null;
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
  readonly triggers: readonly Trigger[];
  /** Keys (FunctionDef.key) of user functions its defaults, checks, indexes and triggers call. */
  readonly functions: readonly string[];
  /** Extensions whose types, operator classes or functions the table uses. */
  readonly extensions: readonly string[];
  readonly comment: string | null;
  /** Storage parameters (reloptions), e.g. `fillfactor=70`. */
  readonly options: readonly string[];
  /** What the table has that pgferry does not create with it (reported in the plan): policies, rules… */
  readonly unhandled: readonly string[];
  /**
   * Row-level security filters what the introspecting role reads from this table (it is enabled,
   * and the role is not superuser, has no BYPASSRLS and is not the owner, or FORCE binds the owner).
   */
  readonly rowSecurityActive: boolean;
  /** The reading role may ALTER the table (owns it, is a member of its owner, or is superuser); absent in older manifests. */
  readonly owned?: boolean;
  /** INHERITS parents (not a partition's), in pg_inherits.inhseqno order; absent in older manifests. */
  readonly inherits?: readonly QualifiedName[];
  /** pg_class.relreplident; `index` is the index marked in IndexProperties.replicaIdentity. Absent: default. */
  readonly replicaIdentity?: ReplicaIdentity;
  /** ENABLE / FORCE ROW LEVEL SECURITY; absent in older manifests. */
  readonly rowSecurity?: { readonly enabled: boolean; readonly forced: boolean };
  readonly policies?: readonly Policy[];
  /** Rules other than a view's `_RETURN`. */
  readonly rules?: readonly Rule[];
  /** Extended statistics objects (CREATE STATISTICS) on the table. */
  readonly statistics?: readonly ExtendedStatistics[];
}

export type ReplicaIdentity = "default" | "nothing" | "full" | "index";

/** A row-level security policy (pg_policy). */
export interface Policy {
  readonly name: string;
  readonly permissive: boolean;
  /** FOR ALL | SELECT | INSERT | UPDATE | DELETE. */
  readonly command: "all" | "select" | "insert" | "update" | "delete";
  /** Role names; `public` for PUBLIC. */
  readonly roles: readonly string[];
  /** pg_get_expr(polqual); null when absent. */
  readonly using: string | null;
  /** pg_get_expr(polwithcheck); null when absent. */
  readonly withCheck: string | null;
  /** Other tables and views its expressions read. */
  readonly relations: readonly QualifiedName[];
  readonly comment: string | null;
}

/** A rule (pg_rewrite), not a view's `_RETURN`. */
export interface Rule {
  readonly name: string;
  /** pg_get_ruledef output without its trailing semicolon: the whole CREATE RULE statement. */
  readonly definition: string;
  /** pg_rewrite.ev_enabled: O origin (default), D disabled, R replica, A always. */
  readonly enabled: "O" | "D" | "R" | "A";
  /** Other tables and views its actions read or write. */
  readonly relations: readonly QualifiedName[];
  readonly comment: string | null;
}

/** An extended statistics object (pg_statistic_ext). */
export interface ExtendedStatistics {
  readonly name: QualifiedName;
  /** pg_get_statisticsobjdef output: the whole CREATE STATISTICS statement. */
  readonly definition: string;
  /** ALTER STATISTICS … SET STATISTICS (stxstattarget, 13+); null: the default. */
  readonly target: number | null;
  /** It covers expressions, not only columns (14+); absent in older manifests. */
  readonly expressions?: boolean;
  readonly comment: string | null;
}

/** COMMENT ON SCHEMA. */
export interface SchemaComment {
  readonly schema: string;
  readonly comment: string;
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
  readonly comment: string | null;
}

export interface EnumType {
  readonly name: QualifiedName;
  readonly labels: readonly string[];
  readonly comment: string | null;
}

export interface CompositeType {
  readonly name: QualifiedName;
  readonly attributes: readonly {
    readonly name: string;
    readonly type: string;
    readonly userType: QualifiedName | null;
    readonly collation: QualifiedName | null;
  }[];
  readonly comment: string | null;
}

/** A user-defined range type (CREATE TYPE … AS RANGE). */
export interface RangeType {
  readonly name: QualifiedName;
  /** format_type of the subtype. */
  readonly subtype: string;
  readonly subtypeUserType: QualifiedName | null;
  /** The subtype's btree operator class, when not its default one. */
  readonly opclass: QualifiedName | null;
  /** When not the subtype's own. */
  readonly collation: QualifiedName | null;
  /** The canonical function (regprocedure text): only C can write one, so pgferry cannot create such a type. */
  readonly canonical: string | null;
  /** The subtype-difference function, and its key when it is a user function. */
  readonly subtypeDiff: { readonly name: QualifiedName; readonly key: string | null } | null;
  /** The multirange type's name (14+), in the range's schema. */
  readonly multirange: string | null;
  readonly comment: string | null;
}

/** A user function or procedure (not an extension's). */
export interface FunctionDef {
  /** `schema.name(identity arguments)`: how PostgreSQL tells overloads apart. */
  readonly key: string;
  readonly name: QualifiedName;
  readonly identityArguments: string;
  /** f function, p procedure, a aggregate, w window. */
  readonly kind: "f" | "p" | "a" | "w";
  /** pg_get_functiondef output (CREATE OR REPLACE …); null for aggregates and window functions. */
  readonly definition: string | null;
  readonly comment: string | null;
  /**
   * Sequences its body names in a nextval/currval/setval literal (pg_depend does not record them);
   * absent in older manifests.
   */
  readonly sequences?: readonly QualifiedName[];
  /** User types (enums, domains, composites) its arguments and result use; absent in older manifests. */
  readonly types?: readonly QualifiedName[];
  /** Tables and views whose row type it takes or returns (`RETURNS SETOF customer`), or a SQL-standard body reads; absent in older manifests. */
  readonly relations?: readonly QualifiedName[];
  /** An aggregate's pg_aggregate row (kind "a"); absent for other kinds and in older manifests. */
  readonly aggregate?: Aggregate;
}

/** What a final function does to the state: r read-only, s shareable, w read-write (pg_aggregate.aggfinalmodify). */
export type FinalModify = "r" | "s" | "w";

/** What CREATE AGGREGATE needs, from pg_aggregate. Functions are named by schema and name. */
export interface Aggregate {
  /** pg_get_function_arguments: the signature as CREATE AGGREGATE takes it (with ORDER BY for ordered-set ones); empty for `*`. */
  readonly arguments: string;
  /** n normal, o ordered-set, h hypothetical-set. */
  readonly aggKind: "n" | "o" | "h";
  readonly transition: QualifiedName;
  /** format_type of the state type. */
  readonly stateType: string;
  readonly stateSpace: number;
  readonly initialValue: string | null;
  readonly final: QualifiedName | null;
  readonly finalExtra: boolean;
  readonly finalModify: FinalModify;
  readonly combine: QualifiedName | null;
  readonly serial: QualifiedName | null;
  readonly deserial: QualifiedName | null;
  readonly movingTransition: QualifiedName | null;
  readonly movingInverse: QualifiedName | null;
  readonly movingStateType: string | null;
  readonly movingStateSpace: number;
  readonly movingInitialValue: string | null;
  readonly movingFinal: QualifiedName | null;
  readonly movingFinalExtra: boolean;
  readonly movingFinalModify: FinalModify;
  /** The sort operator (schema and operator symbol), for MIN/MAX-like aggregates. */
  readonly sortOperator: QualifiedName | null;
  /** s safe, r restricted, u unsafe (pg_proc.proparallel). */
  readonly parallel: "s" | "r" | "u";
  /** Keys of the user functions among its support functions (created before it). */
  readonly functions: readonly string[];
  /** Extensions its support functions belong to. */
  readonly extensions: readonly string[];
}

/** A view or materialized view. */
export interface View {
  readonly name: QualifiedName;
  readonly materialized: boolean;
  /** pg_get_viewdef output: the SELECT. */
  readonly definition: string;
  /** reloptions, e.g. `security_barrier=true`, `check_option=local`. */
  readonly options: readonly string[];
  /** A materialized view holds data (REFRESH it after the load). */
  readonly populated: boolean;
  /** Tables, views and sequences the definition reads. */
  readonly relations: readonly QualifiedName[];
  /** Keys of user functions it calls. */
  readonly functions: readonly string[];
  readonly indexes: readonly Index[];
  readonly comment: string | null;
  /**
   * Extensions whose members (functions, types, operators) its rule depends on: `crosstab(…)` of
   * tablefunc, whose query string hides the tables it reads. Absent in older manifests.
   */
  readonly extensions?: readonly string[];
  /**
   * Its columns and their types (format_type, names qualified): a definition that means another
   * type on an older target (EXTRACT is numeric from 14, double precision before) is refused.
   * Absent in older manifests.
   */
  readonly columns?: readonly ViewColumn[];
}

/** One column of a view, for the rehearsal's check that the target's copy has the same types. */
export interface ViewColumn {
  readonly name: string;
  readonly type: string;
}

/** The database's large objects (pg_largeobject_metadata). */
export interface LargeObjects {
  readonly count: number;
  /** Their total size; null when the role may not read pg_largeobject. */
  readonly bytes: number | null;
}

export interface Extension {
  readonly name: string;
  readonly schema: string;
}

export interface DomainType {
  readonly name: QualifiedName;
  readonly comment: string | null;
  readonly baseType: string;
  readonly baseUserType: QualifiedName | null;
  readonly notNull: boolean;
  readonly default: string | null;
  readonly collation: QualifiedName | null;
  readonly checks: readonly { readonly name: string; readonly definition: string }[];
  /** Keys of the user functions its default and CHECKs call; absent in older manifests. */
  readonly functions?: readonly string[];
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
  readonly composites: readonly CompositeType[];
  /** Absent in older snapshot manifests. */
  readonly ranges?: readonly RangeType[];
  readonly functions: readonly FunctionDef[];
  readonly views: readonly View[];
  readonly extensions: readonly Extension[];
  /** Extensions this server could create (pg_available_extensions). */
  readonly availableExtensions: readonly string[];
  /** Comments on user schemas; absent in older manifests. */
  readonly schemaComments?: readonly SchemaComment[];
  /** Role names on this server (pg_roles), to check the roles policies name; absent in older manifests. */
  readonly roles?: readonly string[];
  /** User collations, text search objects, operators and operator classes/families; absent in older manifests. */
  readonly schemaObjects?: SchemaObjects;
  /** Absent in older manifests. */
  readonly largeObjects?: LargeObjects;
}

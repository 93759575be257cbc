/** The drift between two databases' schemas, as data: built by plan/diff-catalogs, rendered by cli/. */
import type { QualifiedName } from "./qualified-name.js";

export type DriftObjectKind =
  | "table"
  | "column"
  | "constraint"
  | "index"
  | "trigger"
  | "sequence"
  | "enum"
  | "domain"
  | "composite"
  | "range"
  | "view"
  | "materialized view"
  | "function"
  | "extension"
  | "schema"
  | "policy"
  | "rule"
  | "statistics"
  | "collation"
  | "text search dictionary"
  | "text search configuration"
  | "operator"
  | "operator family"
  | "operator class"
  /** diff --privileges: an object's owner, its grants (or a column's), a schema's default privileges. */
  | "owner"
  | "grants"
  | "default privileges";

/** One difference: an object on one side only, or on both sides with different definitions. */
export interface DriftItem {
  readonly kind: DriftObjectKind;
  /** The table the object belongs to, or the object itself (table, sequence, type). */
  readonly owner: QualifiedName;
  /** Column, constraint, index or trigger name, a function's argument types; null for tables, sequences and types. */
  readonly name: string | null;
  readonly change: "only-source" | "only-target" | "differs";
  /** What differs, for `differs`: e.g. `type: numeric → jsonb`, `labels: missing on target: 'x'`. */
  readonly details: readonly string[];
}

/** The latest applied migration found in a known migration table, for one side. */
export interface MigrationVersion {
  /** alembic, prisma, rails/golang-migrate (schema_migrations), knex, flyway, drizzle. */
  readonly tool: string;
  readonly table: QualifiedName;
  /** null when the table exists but holds no applied migration. */
  readonly version: string | null;
  readonly applied: number | null;
  /** Set when the table could not be read as expected. */
  readonly problem?: string;
}

export interface SchemaDiff {
  readonly items: readonly DriftItem[];
  /** Limits of the comparison the reader should know, e.g. bodies not compared across major versions. */
  readonly notes: readonly string[];
  readonly migrations: { readonly source: readonly MigrationVersion[]; readonly target: readonly MigrationVersion[] };
}

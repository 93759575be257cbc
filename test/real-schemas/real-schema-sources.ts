/**
 * The real public schemas the fidelity test loads: where each file lives (read from the machine's
 * mirror at run time, never committed here) and the few statements removed so that it loads on
 * the machine's PostgreSQL 15, each with its reason.
 */
import { DUMP_ON_15, type Removal } from "../harness/load-schema-file.js";

/** One real schema file and what must be removed before PostgreSQL 15 loads it. */
export interface RealSchemaSource {
  readonly label: string;
  readonly repo: string;
  readonly path: string;
  /** A pinned commit when the file's HEAD no longer loads on PostgreSQL 15; else the mirror's HEAD. */
  readonly commit?: string;
  readonly removals: readonly Removal[];
}

export const REAL_SCHEMAS: readonly RealSchemaSource[] = [
  {
    // Sample database: domains (one with a non-ASCII name), enum, the group_concat aggregate used by
    // views, full-text trigger, range-partitioned payment table, rules-free views, a matview.
    label: "pagila",
    repo: "devrimgunduz/pagila",
    path: "pagila-schema.sql",
    // The last version before pagila moved to PostgreSQL 18 (uuidv7() defaults, a VIRTUAL generated
    // column) and pgvector (July 2026): those need a server and an extension the machine lacks.
    commit: "23f7fe7a1e9f5772f85fc14f530583ffa258c6d2",
    removals: [...DUMP_ON_15],
  },
  {
    // Sample database: five schemas, 68 tables, crosstab views over tablefunc, uuid-ossp, many
    // comments. The rows come from CSV files that are not in the repository: the generator fills it.
    label: "adventureworks",
    repo: "lorint/AdventureWorks-for-Postgres",
    path: "install.sql",
    removals: [
      { line: /^\\copy /, why: "loads CSV files that are not in the repository (downloaded separately)" },
      { line: /^\\pset /, why: "psql output setting, no schema object" },
      { statement: /^INSERT INTO Production\.ProductReview /, why: "rows whose FKs point at products from the CSV files" },
    ],
  },
  {
    // Rails application: 65 tables, ~390 indexes (GIN trigram, expression, partial), a user-defined
    // operator over a SQL function, btree_gin / fuzzystrmatch / pg_trgm / pgcrypto / pgstattuple.
    label: "danbooru",
    repo: "danbooru/danbooru",
    path: "db/structure.sql",
    removals: [...DUMP_ON_15],
  },
  {
    // Rails application: 139 tables, ~620 indexes, ~50 views, a materialized view, a range-partitioned
    // table, trigger functions, a `partman` schema, btree_gin / pg_trgm / pgcrypto / unaccent.
    label: "lago",
    repo: "getlago/lago-api",
    path: "db/structure.sql",
    removals: [
      ...DUMP_ON_15,
      // pg_partman is not installed on the machine; nothing in the schema calls it (it only creates
      // partitions at run time), and its schema `partman` with the template table stays.
      { section: /^-- Name: pg_partman; Type: EXTENSION;/, why: "pg_partman is not available on the machine's PostgreSQL 15" },
    ],
  },
];

/**
 * The latest applied migration of each known migration tool whose table exists in a database:
 * alembic, prisma, schema_migrations (rails, golang-migrate, dbmate), knex, flyway, drizzle.
 */
import type { Catalog } from "../model/catalog.js";
import type { MigrationVersion } from "../model/schema-diff.js";
import type { QualifiedName } from "../model/qualified-name.js";
import { describePgError } from "../pg/describe-pg-error.js";
import type { SqlSession } from "../pg/session.js";
import { quoteQualified } from "../sql/quote.js";

interface MigrationTool {
  readonly tool: string;
  readonly table: string;
  /** A query on the quoted table returning `version` (text or null) and `applied` (int). */
  readonly sql: (table: string) => string;
}

const TOOLS: readonly MigrationTool[] = [
  { tool: "alembic", table: "alembic_version", sql: (t) => `SELECT string_agg(version_num::text, ',' ORDER BY version_num) AS version, count(*)::int AS applied FROM ${t}` },
  {
    tool: "prisma",
    table: "_prisma_migrations",
    sql: (t) => `SELECT max(migration_name)::text AS version, count(*)::int AS applied FROM ${t} WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  },
  { tool: "schema_migrations", table: "schema_migrations", sql: (t) => `SELECT max(version::text) AS version, count(*)::int AS applied FROM ${t}` },
  { tool: "knex", table: "knex_migrations", sql: (t) => `SELECT (SELECT name::text FROM ${t} ORDER BY id DESC LIMIT 1) AS version, (SELECT count(*)::int FROM ${t}) AS applied` },
  {
    tool: "flyway",
    table: "flyway_schema_history",
    sql: (t) =>
      `SELECT (SELECT version::text FROM ${t} WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1) AS version, (SELECT count(*)::int FROM ${t} WHERE success) AS applied`,
  },
  { tool: "drizzle", table: "__drizzle_migrations", sql: (t) => `SELECT (SELECT hash::text FROM ${t} ORDER BY created_at DESC, id DESC LIMIT 1) AS version, (SELECT count(*)::int FROM ${t}) AS applied` },
];

export async function queryMigrationVersions(session: SqlSession, catalog: Catalog): Promise<MigrationVersion[]> {
  const found: MigrationVersion[] = [];
  for (const table of catalog.tables) {
    const tool = TOOLS.find((t) => t.table === table.name.name);
    if (tool) found.push(await readVersion(session, tool, table.name));
  }
  return found;
}

// Called inside a transaction: a table of that name with other columns must not end it.
async function readVersion(session: SqlSession, tool: MigrationTool, table: QualifiedName): Promise<MigrationVersion> {
  await session.query("SAVEPOINT pgferry_migrations");
  try {
    const [row] = await session.query<{ version: string | null; applied: number }>(tool.sql(quoteQualified(table)));
    await session.query("RELEASE SAVEPOINT pgferry_migrations");
    return { tool: tool.tool, table, version: row?.version ?? null, applied: row?.applied ?? 0 };
  } catch (error) {
    await session.query("ROLLBACK TO SAVEPOINT pgferry_migrations");
    return { tool: tool.tool, table, version: null, applied: null, problem: `not readable as a ${tool.tool} table: ${describePgError(error)}` };
  }
}

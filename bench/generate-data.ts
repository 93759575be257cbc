/**
 * The benchmark's source data sets, each in a source database of its own on the source server:
 *
 * - mixed (pgferry_bench_mixed): generated inside the server (INSERT … SELECT generate_series: no
 *   rows pass through Node). Scale 1 is about 1 GB on disk: a pgbench-like narrow table of 4M
 *   rows and a wide table of 800k rows with jsonb, text[], numeric, timestamptz, uuid and bytea
 *   columns, secondary indexes and FKs. The values are deterministic.
 * - narrow (pgferry_bench_narrow): made by the real `pgbench -i` (data we did not design), pgbench
 *   scale 20 × --scale (at least 1): scale 1 gives 2M pgbench_accounts rows, about 300 MB with
 *   indexes; keys and FKs by pgbench's own init steps (-I dtgvpf).
 *
 * A data set is generated once per server and scale: a database whose comment names this data set
 * and scale is reused, any other database of that name is dropped and made again.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import pg from "pg";

export type DatasetId = "mixed" | "narrow";
export const DATASETS: readonly DatasetId[] = ["mixed", "narrow"];

export interface BenchTable {
  readonly schema: string;
  readonly name: string;
  readonly rows: number;
}

export interface SourceShape {
  readonly dataset: DatasetId;
  /** The source database (on the source server) that holds this data set. */
  readonly database: string;
  /** Largest first (by heap + TOAST size). */
  readonly tables: BenchTable[];
  readonly rows: number;
  /** Heap + TOAST bytes of the tables (what a COPY carries, roughly), without indexes. */
  readonly tableBytes: number;
  /** Everything on disk: tables and indexes. */
  readonly totalBytes: number;
  /** Indexes in the data set's schemas (PK and UNIQUE included). */
  readonly indexes: number;
  /** Foreign keys in the data set's schemas (all validated on the source). */
  readonly foreignKeys: number;
  /** The schemas the tables live in. */
  readonly schemas: string[];
  /** How it was made, for the JSON. */
  readonly generator: string;
}

export function sourceDatabase(dataset: DatasetId): string {
  return `pgferry_bench_${dataset}`;
}

const SCHEMA_MARK = (scale: number) => `pgferry bench data, scale ${scale}`;
const DATABASE_MARK = (dataset: string, scale: number) => `pgferry bench data set ${dataset}, scale ${scale}`;

export function rowCounts(scale: number): { branches: number; accounts: number; events: number } {
  return {
    branches: Math.max(1, Math.round(40 * scale)),
    accounts: Math.max(10, Math.round(4_000_000 * scale)),
    events: Math.max(10, Math.round(800_000 * scale)),
  };
}

/** pgbench's -s for a bench scale: 20 at --scale 1 (2M accounts), never below 1 (100k accounts). */
export function pgbenchScale(scale: number): number {
  return Math.max(1, Math.round(20 * scale));
}

/** The machine's pgbench: PGBENCH if set, else PostgreSQL 15's (the servers' major), else the one on PATH. */
export function pgbenchPath(): string {
  if (process.env.PGBENCH) return process.env.PGBENCH;
  const debian15 = "/usr/lib/postgresql/15/bin/pgbench";
  return existsSync(debian15) ? debian15 : "pgbench";
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** One client for `work`, closed whatever happens. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * True when `name` exists on the server with this mark (reuse it). Otherwise (re)creates it empty
 * and returns false; the caller fills it and then calls markDatabase.
 */
export async function openDatabase(serverUrl: string, name: string, mark: string): Promise<boolean> {
  return withClient(serverUrl, async (c) => {
    const { rows } = await c.query<{ mark: string | null }>("SELECT shobj_description(oid, 'pg_database') AS mark FROM pg_database WHERE datname = $1", [name]);
    if (rows.length > 0 && rows[0]!.mark === mark) return true;
    if (rows.length > 0) await c.query(`DROP DATABASE ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    return false;
  });
}

/** Mark a finished data set's database, so that the next bench on this server reuses it. */
export async function markDatabase(serverUrl: string, name: string, mark: string): Promise<void> {
  await withClient(serverUrl, (c) => c.query(`COMMENT ON DATABASE ${pg.escapeIdentifier(name)} IS ${pg.escapeLiteral(mark)}`));
}

/** Generate the data set on the source server unless a database there already holds it at this scale. */
export async function ensureSourceData(serverUrl: string, dataset: DatasetId, scale: number, log: (line: string) => void): Promise<SourceShape> {
  const database = sourceDatabase(dataset);
  const url = databaseUrl(serverUrl, database);
  const mark = DATABASE_MARK(dataset, scale);
  let generator: string;
  if (dataset === "mixed") {
    generator = `generate_series inside the server (bench/generate-data.ts), scale ${scale}`;
  } else {
    generator = `${pgbenchPath()} -i -s ${pgbenchScale(scale)} -I dtgvpf, then VACUUM (FREEZE, ANALYZE)`;
  }
  if (await openDatabase(serverUrl, database, mark)) {
    log(`${database} already holds the ${dataset} data set at scale ${scale}: reusing it`);
  } else {
    const started = performance.now();
    if (dataset === "mixed") await withClient(url, (client) => generateMixed(client, url, scale, log));
    else await generateNarrow(url, scale, log);
    await markDatabase(serverUrl, database, mark);
    log(`${dataset}: generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return withClient(url, (client) => describeSource(client, dataset, database, generator));
}

const DDL = `
CREATE SCHEMA bench;
CREATE TABLE bench.branches (bid int PRIMARY KEY, bbalance int NOT NULL, filler char(88));
CREATE TABLE bench.accounts (aid bigint NOT NULL, bid int NOT NULL, abalance int NOT NULL, filler char(84));
CREATE TABLE bench.events (
  id bigint GENERATED BY DEFAULT AS IDENTITY,
  account_id bigint NOT NULL,
  uid uuid NOT NULL,
  created_at timestamptz NOT NULL,
  amount numeric(12,2) NOT NULL,
  tags text[] NOT NULL,
  payload jsonb NOT NULL,
  note text,
  blob bytea
);`;

const POST_DATA = [
  "ALTER TABLE bench.accounts ADD PRIMARY KEY (aid)",
  "ALTER TABLE bench.events ADD PRIMARY KEY (id)",
  "ALTER TABLE bench.events ADD CONSTRAINT events_uid_key UNIQUE (uid)",
  "CREATE INDEX accounts_bid_idx ON bench.accounts (bid)",
  "CREATE INDEX events_account_id_idx ON bench.events (account_id)",
  "CREATE INDEX events_created_at_idx ON bench.events (created_at)",
  "ALTER TABLE bench.accounts ADD CONSTRAINT accounts_bid_fkey FOREIGN KEY (bid) REFERENCES bench.branches",
  "ALTER TABLE bench.events ADD CONSTRAINT events_account_id_fkey FOREIGN KEY (account_id) REFERENCES bench.accounts",
  "SELECT setval(pg_get_serial_sequence('bench.events', 'id'), (SELECT max(id) FROM bench.events))",
];

async function generateMixed(client: pg.Client, url: string, scale: number, log: (line: string) => void): Promise<void> {
  const n = rowCounts(scale);
  log(`mixed: generating scale ${scale}: ${n.accounts.toLocaleString("en")} accounts, ${n.events.toLocaleString("en")} events…`);
  await client.query(DDL);
  await client.query("INSERT INTO bench.branches SELECT b, 0, '' FROM generate_series(1, $1::int) AS b", [n.branches]);
  // The two big tables load side by side, one session each.
  const second = new pg.Client({ connectionString: url });
  await second.connect();
  try {
    await Promise.all([
      client.query(
        `INSERT INTO bench.accounts SELECT a, 1 + (a % $2::int), (a * 17) % 100000 - 50000, '' FROM generate_series(1, $1::bigint) AS a`,
        [n.accounts, n.branches],
      ),
      second.query(
        `INSERT INTO bench.events (id, account_id, uid, created_at, amount, tags, payload, note, blob)
         SELECT i, 1 + (i * 7919) % $2::bigint, md5(i::text)::uuid,
                timestamptz '2024-01-01 00:00:00+00' + i * interval '7 seconds',
                ((i * 37) % 10000000) / 100.0,
                ARRAY['tag' || (i % 50), 'k' || (i % 7), md5((i * 3)::text)],
                jsonb_build_object('user', i % 1000, 'kind', (ARRAY['signup', 'order', 'refund'])[1 + i % 3],
                                   'score', (i * 7 % 1000) / 10.0, 'flags', jsonb_build_array(i % 2 = 0, i % 3 = 0),
                                   'text', repeat(md5(i::text), 3)),
                CASE WHEN i % 10 = 0 THEN NULL ELSE 'note ' || md5((i * 5)::text) END,
                decode(md5(i::text) || md5((i + 1)::text), 'hex')
         FROM generate_series(1, $1::bigint) AS i`,
        [n.events, n.accounts],
      ),
    ]);
  } finally {
    await second.end();
  }
  for (const statement of POST_DATA) await client.query(statement);
  // Frozen and analyzed, so no contender pays for hint bits or statistics on its first read.
  await client.query("VACUUM (FREEZE, ANALYZE) bench.branches, bench.accounts, bench.events");
  await client.query(`COMMENT ON SCHEMA bench IS '${SCHEMA_MARK(scale)}'`);
}

/** pgbench -i into the (empty) database: tables, client-side generated rows, vacuum, primary keys, foreign keys. */
async function generateNarrow(url: string, scale: number, log: (line: string) => void): Promise<void> {
  const s = pgbenchScale(scale);
  const bin = pgbenchPath();
  log(`narrow: ${bin} -i -s ${s} -I dtgvpf (${(s * 100_000).toLocaleString("en")} pgbench_accounts rows)…`);
  await new Promise<void>((resolve, reject) => {
    execFile(bin, ["-i", "-s", String(s), "-I", "dtgvpf", "-q", url], { maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`pgbench -i failed: ${String(stderr).trim().split("\n").slice(-4).join(" | ") || error.message}`));
      else resolve();
    });
  });
  // pgbench's v step is a plain VACUUM ANALYZE; frozen like the mixed data set, so no contender pays for hint bits.
  await withClient(url, (c) => c.query("VACUUM (FREEZE, ANALYZE) pgbench_branches, pgbench_tellers, pgbench_accounts, pgbench_history"));
}

const USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'";

async function describeSource(client: pg.Client, dataset: DatasetId, database: string, generator: string): Promise<SourceShape> {
  const tables = await client.query<{ schema: string; name: string; bytes: string; total: string }>(
    `SELECT n.nspname AS schema, c.relname AS name, pg_table_size(c.oid)::text AS bytes, pg_total_relation_size(c.oid)::text AS total
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${USER_SCHEMAS} AND c.relkind = 'r' ORDER BY pg_table_size(c.oid) DESC, 1, 2`,
  );
  const counted: BenchTable[] = [];
  for (const t of tables.rows) {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualified(t)}`);
    counted.push({ schema: t.schema, name: t.name, rows: Number(rows[0]!.n) });
  }
  const schemas = [...new Set(counted.map((t) => t.schema))];
  const { indexes, foreignKeys } = await countKeys(client, schemas, false);
  return {
    dataset,
    database,
    tables: counted,
    rows: counted.reduce((sum, t) => sum + t.rows, 0),
    tableBytes: tables.rows.reduce((sum, t) => sum + Number(t.bytes), 0),
    totalBytes: tables.rows.reduce((sum, t) => sum + Number(t.total), 0),
    indexes,
    foreignKeys,
    schemas,
    generator,
  };
}

async function countKeys(client: pg.Client, schemas: readonly string[], validatedOnly: boolean): Promise<{ indexes: number; foreignKeys: number }> {
  const { rows: idx } = await client.query<{ n: string }>("SELECT count(*)::text AS n FROM pg_indexes WHERE schemaname = ANY($1)", [schemas]);
  const { rows: fks } = await client.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = ANY($1) AND c.contype = 'f'${validatedOnly ? " AND c.convalidated" : ""}`,
    [schemas],
  );
  return { indexes: Number(idx[0]!.n), foreignKeys: Number(fks[0]!.n) };
}

/** A table's name as SQL. */
export function qualified(table: { schema: string; name: string }): string {
  return `${pg.escapeIdentifier(table.schema)}.${pg.escapeIdentifier(table.name)}`;
}

/** What a finished run must have left on the target: every table with the source's row count, every index, every FK validated. */
export async function checkTarget(url: string, source: SourceShape): Promise<string | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const t of source.tables) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualified(t)}`);
      if (Number(rows[0]!.n) !== t.rows) return `${t.schema}.${t.name} has ${rows[0]!.n} rows on the target, the source ${t.rows}`;
    }
    const { indexes, foreignKeys } = await countKeys(client, source.schemas, true);
    const where = `schema ${source.schemas.join(", ")}`;
    if (indexes !== source.indexes) return `the target has ${indexes} indexes in ${where}, the source ${source.indexes}`;
    if (foreignKeys !== source.foreignKeys) return `the target has ${foreignKeys} validated foreign keys in ${where}, the source ${source.foreignKeys}`;
    return null;
  } catch (error) {
    return `checking the target failed: ${(error as Error).message}`;
  } finally {
    await client.end();
  }
}

/**
 * Per-test databases on the harness servers: each test gets a fresh, empty source and target
 * database, so test files can run in parallel and never see each other's data.
 */
import pg from "pg";
import { randomBytes } from "node:crypto";

export interface DatabasePair {
  readonly sourceUrl: string;
  readonly targetUrl: string;
  readonly source: pg.Client;
  readonly target: pg.Client;
  drop(): Promise<void>;
}

export function serverUrls(): { source: string; target: string } {
  const source = process.env.PGFERRY_TEST_SOURCE_URL;
  const target = process.env.PGFERRY_TEST_TARGET_URL;
  if (!source || !target) {
    throw new Error("PGFERRY_TEST_SOURCE_URL / PGFERRY_TEST_TARGET_URL are not set: run the tests with `npm test` (test/run-tests.ts starts the servers)");
  }
  return { source, target };
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function createDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    // DROP DATABASE … WITH (FORCE) needs 13+; the harness also drives 12.
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
    await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
  } finally {
    await admin.end();
  }
}

export async function connectTo(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** The machine's own PostgreSQL 15 (Debian's, on 127.0.0.1:5432), whose pg_dump judges schema fidelity. */
export function machineServerUrl(): string {
  return process.env.PGFERRY_TEST_MACHINE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
}

/** A fresh source database and a fresh target database, on the two harness servers (or the given ones). */
export async function createDatabasePair(label: string, servers: { source: string; target: string } = serverUrls()): Promise<DatabasePair> {
  const suffix = `${label.replace(/[^a-z0-9_]/gi, "_").toLowerCase().slice(0, 30)}_${randomBytes(4).toString("hex")}`;
  const sourceDb = `src_${suffix}`;
  const targetDb = `tgt_${suffix}`;
  await createDatabase(servers.source, sourceDb);
  await createDatabase(servers.target, targetDb);
  const sourceUrl = databaseUrl(servers.source, sourceDb);
  const targetUrl = databaseUrl(servers.target, targetDb);
  const source = await connectTo(sourceUrl);
  const target = await connectTo(targetUrl);
  return {
    sourceUrl,
    targetUrl,
    source,
    target,
    async drop() {
      await source.end().catch(() => undefined);
      await target.end().catch(() => undefined);
      await dropDatabase(servers.source, sourceDb);
      await dropDatabase(servers.target, targetDb);
    },
  };
}

/**
 * An order-independent fingerprint of a table's content, for "unchanged" and "equal" checks: the
 * row count and the exact sum of each row's 64-bit md5 prefix. No sort, so a million rows take a
 * third of the time the sorted string_agg of every md5 took.
 */
export async function tableFingerprint(client: pg.Client, table: string): Promise<string> {
  const result = await client.query<{ n: string; h: string | null }>(
    `SELECT count(*)::text AS n, sum(('x' || left(md5(t::text), 16))::bit(64)::int8::numeric)::text AS h FROM ${table} t`,
  );
  return `${result.rows[0]?.n}:${result.rows[0]?.h ?? "empty"}`;
}

/** The same database as another role. */
export function withUser(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

/**
 * After a failure test: no pgferry session is left on `client`'s database. A closed session's
 * backend leaves pg_stat_activity a moment after the client hung up, so this waits up to 3 s.
 */
export async function assertNoPgferrySessions(client: pg.Client): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const result = await client.query<{ pids: number[] }>(
      "SELECT coalesce(array_agg(pid), '{}') AS pids FROM pg_stat_activity WHERE application_name = 'pgferry' AND datname = current_database()",
    );
    const pids = result.rows[0]?.pids ?? [];
    if (pids.length === 0) return;
    if (Date.now() > deadline) throw new Error(`pgferry sessions left on ${String(client.database)}: backend pids ${pids.join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** After a failure test: no advisory lock (pgferry's run lock) and no prepared transaction is held on `client`'s database. */
export async function assertNoLocksOrPreparedTransactions(client: pg.Client): Promise<void> {
  const result = await client.query<{ locks: number; prepared: string[] }>(
    `SELECT (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS locks,
            (SELECT coalesce(array_agg(gid), '{}') FROM pg_prepared_xacts WHERE database = current_database()) AS prepared`,
  );
  const row = result.rows[0]!;
  if (row.locks > 0) throw new Error(`${row.locks} advisory lock(s) still held on ${String(client.database)}`);
  if (row.prepared.length > 0) throw new Error(`prepared transactions left on ${String(client.database)}: ${row.prepared.join(", ")}`);
}

/** Wait (up to `limitMs`) until a pgferry session on `client`'s database waits for a table lock; resolves to its pid. */
export async function waitForPgferryLockWait(client: pg.Client, limitMs = 30_000): Promise<number> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const rows = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgferry' AND datname = current_database() AND wait_event_type = 'Lock'",
    );
    if (rows.rows[0]) return rows.rows[0].pid;
    if (Date.now() > deadline) throw new Error(`no pgferry session waited for a lock within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Drop a role a test created on one of the harness servers (after the databases that use it). */
export async function dropRole(serverUrl: string, role: string): Promise<void> {
  const admin = await connectTo(serverUrl);
  try {
    await admin.query(`DROP ROLE IF EXISTS "${role.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

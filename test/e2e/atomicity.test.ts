/**
 * A sync killed (SIGKILL, SIGTERM) or cut off from either side at any moment of the refresh path
 * leaves every target table exactly as it was, data and schema (its keys, indexes and FKs are
 * dropped and rebuilt inside the run's one transaction), and no session, lock, prepared
 * transaction or load schema behind (a SIGKILLed --jobs 2 run's load schemas go with the next
 * run). Then a normal run refreshes faithfully. Two syncs into one target never overlap.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { errorLines, runCliProcess, type CliRun } from "../harness/sync-helpers.js";
import { schemaFingerprint, withoutTables, type SchemaFingerprint } from "../harness/schema-fingerprint.js";
import { assertNoLocksOrPreparedTransactions, assertNoPgferrySessions, connectTo, createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

const ROWS = 1_000_000;
const FRESH_ROWS = 100_000;
const TABLES = ["small", "big", "notes"];
/**
 * On both sides. `fresh` is only on the source: the run creates it (a shadow load with --jobs 2).
 * Keys are integers and text sorts in "C", so a rebuild is quick but still long enough to catch.
 */
const SCHEMA = `
  CREATE TABLE small (id int PRIMARY KEY, name text);
  CREATE TABLE big (id bigint PRIMARY KEY, code bigint NOT NULL, small_id int NOT NULL REFERENCES small (id), payload text COLLATE "C");
  CREATE UNIQUE INDEX big_code_key ON big (code);
  CREATE TABLE notes (id int PRIMARY KEY, big_code bigint, body text);
`;
/** The target's own: what the rebuild must bring back from the target's definitions. */
const TARGET_SCHEMA = `${SCHEMA}
  CREATE INDEX big_small_prefix ON big (small_id, left(payload, 4));
  ALTER INDEX big_small_prefix ALTER COLUMN 2 SET STATISTICS 500;
  ALTER INDEX big_pkey SET (fillfactor = 80);
  ALTER TABLE big CLUSTER ON big_small_prefix;
  ALTER TABLE big REPLICA IDENTITY USING INDEX big_code_key;
  ALTER TABLE notes ADD CONSTRAINT notes_big_code_fkey FOREIGN KEY (big_code) REFERENCES big (code) ON DELETE CASCADE NOT VALID;
  COMMENT ON INDEX big_small_prefix IS 'big rows by small';
  COMMENT ON CONSTRAINT big_pkey ON big IS 'the key';
  COMMENT ON INDEX big_pkey IS 'the index behind the key';
  COMMENT ON CONSTRAINT big_small_id_fkey ON big IS 'every big row belongs to a small one';
  COMMENT ON CONSTRAINT notes_big_code_fkey ON notes IS 'a note on a big row, by its unique code';
  INSERT INTO small VALUES (1, 'staging'), (2, 'staging');
  INSERT INTO big SELECT g, g * 3, 1, 'old' FROM generate_series(1, 1000) g;
  INSERT INTO notes SELECT g, g * 3, 'staging note' FROM generate_series(1, 10) g;
`;

interface Run {
  readonly result: Promise<CliRun>;
  readonly child: () => ChildProcess;
  readonly ended: () => boolean;
}

function startSync(pair: DatabasePair, extra: readonly string[]): Run {
  let child: ChildProcess | undefined;
  let ended = false;
  const result = runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--yes", ...extra], { onSpawn: (c) => (child = c) }).finally(() => (ended = true));
  return { result, child: () => child!, ended: () => ended };
}

/** Poll the target (every 10 ms) until `probe` finds the moment; fail at once if the run ends first. */
async function waitFor<T>(run: Run, what: string, probe: () => Promise<T | undefined>, limitMs = 120_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (run.ended()) {
      const r = await run.result;
      throw new Error(`the run ended (code ${r.code}) before ${what}:\n${r.stdout}\n${r.stderr}`);
    }
    if (Date.now() > deadline) {
      run.child().kill("SIGKILL"); // so that it holds no lock over the tests after this one
      throw new Error(`no ${what} seen within ${limitMs} ms`);
    }
    await sleep(10);
  }
}

/** Start a sync, wait for the moment `probe` finds, SIGKILL the process, and check it died of the signal. */
async function killDuring<T>(pair: DatabasePair, extra: readonly string[], what: string, probe: () => Promise<T | undefined>): Promise<void> {
  const run = startSync(pair, extra);
  await waitFor(run, what, probe);
  run.child().kill("SIGKILL");
  assert.equal((await run.result).signal, "SIGKILL");
}

async function firstPid(client: pg.Client, sql: string, params: unknown[] = []): Promise<number | undefined> {
  const rows = await client.query<{ pid: number }>(sql, params);
  return rows.rows[0]?.pid;
}

/** The target's COPY into `table` has stored rows: the copying backend's pid. */
const copyInto = (target: pg.Client, table: string) => () =>
  firstPid(target, "SELECT pid FROM pg_stat_progress_copy WHERE relid = to_regclass($1) AND tuples_processed > 0 AND datname = current_database()", [table]);

/** A worker's COPY into a shadow table (in a load schema, not yet committed, so found by its statement). */
const shadowCopy = (target: pg.Client) => () =>
  firstPid(
    target,
    `SELECT p.pid FROM pg_stat_progress_copy p JOIN pg_stat_activity a ON a.pid = p.pid
      WHERE p.datname = current_database() AND p.tuples_processed > 0 AND a.query LIKE 'COPY "pgferry\\_load\\_%'`,
  );

/** The shadow of `table` a worker committed in a load schema: its quoted name. */
const committedShadow = (target: pg.Client, table: string) => async () => {
  const rows = await target.query<{ name: string }>(
    "SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE 'pgferry\\_load\\_%' AND c.relname = $1",
    [table],
  );
  return rows.rows[0]?.name;
};

/** An index of `table` being built again (the table existed before the run, so every build on it is a rebuild). */
const indexBuildOn = (target: pg.Client, table: string) => () =>
  firstPid(target, "SELECT pid FROM pg_stat_progress_create_index WHERE relid = to_regclass($1) AND datname = current_database()", [table]);

/** pgferry's session running a statement that matches `pattern` (a regular expression). */
const statementLike = (target: pg.Client, pattern: string) => () =>
  firstPid(target, "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgferry' AND datname = current_database() AND state = 'active' AND query ~ $1", [pattern]);

async function loadSchemas(target: pg.Client): Promise<string[]> {
  const { rows } = await target.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pgferry\\_load\\_%' ORDER BY 1");
  return rows.map((r) => r.nspname);
}

/** A killed client's backend ends when the server notices (client_connection_check_interval, 14+; else after its statement). */
async function waitForNoPgferrySession(client: pg.Client): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    const rows = await client.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pgferry' AND datname = current_database()");
    if (rows.rows[0].n === 0) return;
    await sleep(50);
  }
  await assertNoPgferrySessions(client);
}

describe("atomicity and overlap", () => {
  let pair: DatabasePair;
  let targetBefore: { data: string[]; schema: SchemaFingerprint };
  /** Load schemas a SIGKILLed run left behind: the next run must drop them. */
  let stale: string[] = [];
  const dataFingerprints = () => Promise.all(TABLES.map((t) => tableFingerprint(pair.target, t)));
  let sourceData: Promise<[string, string][]> | undefined;
  const sourceFingerprints = () => (sourceData ??= Promise.all([...TABLES, "fresh"].map(async (t): Promise<[string, string]> => [t, await tableFingerprint(pair.source, t)])));

  async function resetTarget(): Promise<void> {
    await pair.target.query(`DROP TABLE IF EXISTS fresh, notes, big, small; ${TARGET_SCHEMA}`);
    targetBefore = { data: await dataFingerprints(), schema: await schemaFingerprint(pair.target) };
  }

  /** After an interrupted run: nothing changed on the target, nothing of the run is left. */
  async function assertUntouched(options: { loadSchemasMayStay?: boolean } = {}): Promise<void> {
    await waitForNoPgferrySession(pair.target);
    await assertNoPgferrySessions(pair.source);
    assert.deepEqual(await dataFingerprints(), targetBefore.data);
    assert.deepEqual(await schemaFingerprint(pair.target), targetBefore.schema);
    await assertNoLocksOrPreparedTransactions(pair.target);
    const left = await loadSchemas(pair.target);
    assert.deepEqual(
      left.filter((s) => stale.includes(s)),
      [],
      "the run drops the load schemas an earlier killed run left",
    );
    if (!options.loadSchemasMayStay) assert.deepEqual(left, [], "the run drops its own load schemas");
    stale = left;
  }

  /** A normal run: it succeeds, the target equals the source and keeps its own schema. */
  async function assertFaithfulRun(done: CliRun): Promise<void> {
    assert.equal(done.code, 0, done.stderr);
    const report = JSON.parse(done.stdout);
    assert.equal(report.committed, true);
    assert.equal(report.totalRows, 10 + ROWS + 1000 + FRESH_ROWS);
    for (const [table, fingerprint] of await sourceFingerprints()) assert.equal(await tableFingerprint(pair.target, table), fingerprint, table);
    assert.deepEqual(withoutTables(await schemaFingerprint(pair.target), ["fresh"]), targetBefore.schema);
    assert.deepEqual(await loadSchemas(pair.target), []);
    await assertNoPgferrySessions(pair.target);
    await assertNoLocksOrPreparedTransactions(pair.target);
    stale = [];
  }

  before(async () => {
    pair = await createDatabasePair("atomic");
    await pair.source.query(`${SCHEMA}
      ALTER TABLE notes ADD FOREIGN KEY (big_code) REFERENCES big (code);
      CREATE TABLE fresh (id int PRIMARY KEY, small_id int NOT NULL REFERENCES small (id), label text);
      CREATE INDEX fresh_small ON fresh (small_id);
      INSERT INTO small SELECT g, 'source ' || g FROM generate_series(1, 10) g;
      INSERT INTO big SELECT g, g * 3, 1 + g % 10, md5(g::text) FROM generate_series(1, ${ROWS}) g;
      INSERT INTO notes SELECT g, g * 21, 'note ' || g FROM generate_series(1, 1000) g;
      INSERT INTO fresh SELECT g, 1 + g % 10, 'fresh ' || g FROM generate_series(1, ${FRESH_ROWS}) g;
      ANALYZE`);
    await resetTarget();
  });
  after(async () => pair?.drop());

  describe("--jobs 1", () => {
    it("the dry run says the refreshed tables are loaded bare and rebuilt", async () => {
      const dry = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--dry-run"]);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /Refreshed tables \(in the one transaction\)/);
      assert.match(dry.stdout, /public\.big: loaded bare, then 1 key, 2 indexes, 1 foreign key rebuilt/);
    });

    it("SIGKILL in the middle of a large table's COPY leaves the target unchanged", async () => {
      await killDuring(pair, [], "a COPY into public.big", copyInto(pair.target, "public.big"));
      await assertUntouched();
    });

    it("SIGTERM during the COPY stops the run, rolls it back and exits 130", async () => {
      const run = startSync(pair, []);
      await waitFor(run, "a COPY into public.big", copyInto(pair.target, "public.big"));
      run.child().kill("SIGTERM");
      const result = await run.result;
      assert.equal(result.code, 130, result.stderr);
      assert.match(result.stderr, /SIGTERM received: stopping and rolling back/);
      assert.match(result.stdout, /Nothing was changed on the target: interrupted: target rolled back/);
      await assertUntouched();
    });

    it("a target connection lost mid-copy fails the run clearly and changes nothing", async () => {
      const run = startSync(pair, []);
      const pid = await waitFor(run, "a COPY into public.big", copyInto(pair.target, "public.big"));
      await pair.target.query("SELECT pg_terminate_backend($1)", [pid]);
      const result = await run.result;
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stdout, /Nothing was changed on the target: target connection lost while copying public\.big/);
      await assertUntouched();
    });

    it("a source connection lost mid-copy fails the run clearly and changes nothing", async () => {
      const run = startSync(pair, []);
      await waitFor(run, "a COPY into public.big", copyInto(pair.target, "public.big"));
      const copying = await pair.source.query(
        "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgferry' AND datname = current_database() AND query LIKE 'COPY %big% TO STDOUT%'",
      );
      assert.equal(copying.rowCount, 1);
      await pair.source.query("SELECT pg_terminate_backend($1)", [copying.rows[0].pid]);
      const result = await run.result;
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stdout, /Nothing was changed on the target: source connection lost while copying public\.big/);
      await assertUntouched();
    });

    it("SIGKILL while an index is rebuilt leaves the target's data and schema unchanged", async () => {
      await killDuring(pair, [], "an index build on public.big", indexBuildOn(pair.target, "public.big"));
      await assertUntouched();
    });

    it("the target backend terminated while a foreign key is validated fails the run and changes nothing", async () => {
      const run = startSync(pair, []);
      const pid = await waitFor(run, "the FK of public.big being added", statementLike(pair.target, 'ALTER TABLE "public"."big" ADD CONSTRAINT .* FOREIGN KEY'));
      await pair.target.query("SELECT pg_terminate_backend($1)", [pid]);
      const result = await run.result;
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stdout, /Nothing was changed on the target: .*big_small_id_fkey.*terminat/);
      await assertUntouched();
    });

    it("a second sync into the same target fails at once while the first runs; the first completes faithfully", async () => {
      // Hold the first run inside its transaction (waiting for a table lock), whatever the machine's speed.
      const blocker = await connectTo(pair.targetUrl);
      try {
        await blocker.query("BEGIN; LOCK TABLE small IN ACCESS SHARE MODE");
        const first = startSync(pair, ["--json"]);
        await waitFor(first, "the first run waiting for a lock", () =>
          firstPid(pair.target, "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgferry' AND datname = current_database() AND wait_event_type = 'Lock'"),
        );
        const started = Date.now();
        const second = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--yes", "--tables", "small"]);
        assert.ok(Date.now() - started < 10_000, "the second run does not wait for the first");
        assert.equal(second.code, 5, second.stderr);
        const lines = errorLines(second.stderr);
        assert.equal(lines.length, 1);
        assert.match(lines[0]!, /another pgferry run is writing to postgres:\/\/.*\(backend pid \d+, since .*\); try again when it has finished/);
        await blocker.query("COMMIT");
        await assertFaithfulRun(await first.result);
      } finally {
        await blocker.end();
      }
    });
  });

  describe("--jobs 2: created tables load as shadows while the run's session refreshes", () => {
    before(() => resetTarget());

    it("SIGKILL during a shadow load leaves the target unchanged; its load schema goes with the next run", async () => {
      await killDuring(pair, ["--jobs", "2"], "a COPY into a shadow table", shadowCopy(pair.target));
      await assertUntouched({ loadSchemasMayStay: true });
      assert.notDeepEqual(stale, [], "a SIGKILLed run cannot drop its committed load schema");
    });

    it("a worker's target connection lost during a shadow load fails the run, changes nothing, drops the load schemas", async () => {
      const run = startSync(pair, ["--jobs", "2"]);
      const pid = await waitFor(run, "a COPY into a shadow table", shadowCopy(pair.target));
      await pair.target.query("SELECT pg_terminate_backend($1)", [pid]);
      const result = await run.result;
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stdout, /Nothing was changed on the target: target connection lost while copying public\.fresh/);
      await assertUntouched();
    });

    it("SIGKILL during the COPY into a refreshed table leaves the target unchanged", async () => {
      await killDuring(pair, ["--jobs", "2"], "a COPY into public.big", copyInto(pair.target, "public.big"));
      await assertUntouched({ loadSchemasMayStay: true });
    });

    it("SIGTERM during the COPY stops every session, rolls back, drops the load schemas and exits 130", async () => {
      const run = startSync(pair, ["--jobs", "2"]);
      await waitFor(run, "a COPY into public.big", copyInto(pair.target, "public.big"));
      run.child().kill("SIGTERM");
      const result = await run.result;
      assert.equal(result.code, 130, result.stderr);
      assert.match(result.stdout, /Nothing was changed on the target: interrupted: target rolled back/);
      await assertUntouched();
    });

    it("SIGKILL while the shadows are moved into place leaves the target unchanged; the committed shadows go with the next run", async () => {
      // The test holds the committed shadow (ACCESS SHARE), so the run waits in its ALTER TABLE … SET SCHEMA.
      const holder = await connectTo(pair.targetUrl);
      try {
        const run = startSync(pair, ["--jobs", "2"]);
        const shadow = await waitFor(run, "the committed shadow of public.fresh", committedShadow(pair.target, "fresh"));
        await holder.query(`BEGIN; LOCK TABLE ${shadow} IN ACCESS SHARE MODE`);
        await waitFor(run, "the move of the shadow into place", statementLike(pair.target, "^ALTER TABLE .*pgferry_load_.* SET SCHEMA"));
        run.child().kill("SIGKILL");
        assert.equal((await run.result).signal, "SIGKILL");
      } finally {
        await holder.end();
      }
      await assertUntouched({ loadSchemasMayStay: true });
      assert.notDeepEqual(stale, [], "a SIGKILLed run cannot drop its committed shadows");
    });

    it("SIGKILL while an index is rebuilt leaves the target's data and schema unchanged", async () => {
      await killDuring(pair, ["--jobs", "2"], "an index build on public.big", indexBuildOn(pair.target, "public.big"));
      await assertUntouched({ loadSchemasMayStay: true });
    });

    it("the target backend terminated while a foreign key is validated fails the run, changes nothing, drops the load schemas", async () => {
      const run = startSync(pair, ["--jobs", "2"]);
      const pid = await waitFor(run, "the FK of public.big being added", statementLike(pair.target, 'ALTER TABLE "public"."big" ADD CONSTRAINT .* FOREIGN KEY'));
      await pair.target.query("SELECT pg_terminate_backend($1)", [pid]);
      const result = await run.result;
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stdout, /Nothing was changed on the target: .*big_small_id_fkey.*terminat/);
      await assertUntouched();
    });

    it("then a normal --jobs 2 run refreshes faithfully and drops what the killed runs left", async () => {
      await assertFaithfulRun(await startSync(pair, ["--jobs", "2", "--json"]).result);
    });
  });
});

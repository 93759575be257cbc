/**
 * A sync killed (SIGKILL) or cut off from the target in the middle of a large table leaves every
 * target table exactly as it was; two syncs into one target never overlap.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { connectTo, createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

const ROWS = 1_000_000;
const SCHEMA = `
  CREATE TABLE small (id int PRIMARY KEY, name text);
  CREATE TABLE big (id bigint PRIMARY KEY, small_id int NOT NULL REFERENCES small(id), payload text);
`;

/** Wait until the target's COPY into `big` has stored rows, then return the copying backend's pid. */
async function waitForCopyInto(target: pg.Client, table: string, limitMs = 60_000): Promise<number> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const rows = await target.query(
      "SELECT pid FROM pg_stat_progress_copy WHERE relid = to_regclass($1) AND tuples_processed > 0 AND datname = current_database()",
      [table],
    );
    if (rows.rowCount) return rows.rows[0].pid;
    await sleep(20);
  }
  throw new Error(`no COPY into ${table} seen within ${limitMs} ms`);
}

async function waitForNoPgferrySession(target: pg.Client): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    const rows = await target.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pgferry' AND datname = current_database()");
    if (rows.rows[0].n === 0) return;
    await sleep(20);
  }
  throw new Error("pgferry's target session did not end");
}

/** Wait until a pgferry session on the target waits for a table lock. */
async function waitForPgferryLockWait(target: pg.Client): Promise<void> {
  for (let i = 0; i < 1500; i += 1) {
    const rows = await target.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'pgferry' AND datname = current_database() AND wait_event_type = 'Lock'");
    if (rows.rowCount) return;
    await sleep(20);
  }
  throw new Error("no pgferry session waited for a lock");
}

describe("atomicity and overlap", () => {
  let pair: DatabasePair;
  let targetBefore: string[];
  const fingerprints = () => Promise.all(["small", "big"].map((t) => tableFingerprint(pair.target, t)));

  before(async () => {
    pair = await createDatabasePair("atomic");
    await pair.source.query(SCHEMA);
    await pair.source.query("INSERT INTO small SELECT g, 'source ' || g FROM generate_series(1, 10) g");
    await pair.source.query(`INSERT INTO big SELECT g, 1 + g % 10, repeat(md5(g::text), 2) FROM generate_series(1, ${ROWS}) g`);
    await pair.target.query(SCHEMA);
    await pair.target.query("INSERT INTO small VALUES (1, 'staging'), (2, 'staging'); INSERT INTO big SELECT g, 1, 'old' FROM generate_series(1, 1000) g");
    targetBefore = await fingerprints();
  });
  after(async () => pair?.drop());

  it("SIGKILL in the middle of a large table leaves the target unchanged", async () => {
    let child: ChildProcess | undefined;
    const run = runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--yes"], { onSpawn: (c) => (child = c) });
    await waitForCopyInto(pair.target, "public.big");
    child!.kill("SIGKILL");
    const result = await run;
    assert.equal(result.signal, "SIGKILL");
    await waitForNoPgferrySession(pair.target);
    assert.deepEqual(await fingerprints(), targetBefore);
  });

  it("SIGTERM stops the run, rolls it back and exits 130", async () => {
    let child: ChildProcess | undefined;
    const run = runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--yes"], { onSpawn: (c) => (child = c) });
    await waitForCopyInto(pair.target, "public.big");
    child!.kill("SIGTERM");
    const result = await run;
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /SIGTERM received: stopping and rolling back/);
    assert.match(result.stdout, /Nothing was changed on the target: interrupted: target rolled back/);
    await waitForNoPgferrySession(pair.target);
    assert.deepEqual(await fingerprints(), targetBefore);
  });

  it("a target connection lost mid-copy fails the run clearly and changes nothing", async () => {
    const run = runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--yes"]);
    const pid = await waitForCopyInto(pair.target, "public.big");
    await pair.target.query("SELECT pg_terminate_backend($1)", [pid]);
    const result = await run;
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /Nothing was changed on the target: target connection lost while copying public\.big/);
    await waitForNoPgferrySession(pair.target);
    assert.deepEqual(await fingerprints(), targetBefore);
  });

  it("a source connection lost mid-copy fails the run clearly and changes nothing", async () => {
    const run = runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--yes"]);
    await waitForCopyInto(pair.target, "public.big");
    const copying = await pair.source.query(
      "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgferry' AND datname = current_database() AND query LIKE 'COPY %big% TO STDOUT%'",
    );
    assert.equal(copying.rowCount, 1);
    await pair.source.query("SELECT pg_terminate_backend($1)", [copying.rows[0].pid]);
    const result = await run;
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /Nothing was changed on the target: source connection lost while copying public\.big/);
    await waitForNoPgferrySession(pair.target);
    assert.deepEqual(await fingerprints(), targetBefore);
  });

  it("a second sync into the same target fails at once while the first runs; the first completes", async () => {
    // Hold the first run inside its transaction (waiting for a table lock), whatever the machine's speed.
    const blocker = await connectTo(pair.targetUrl);
    await blocker.query("BEGIN; LOCK TABLE small IN ACCESS SHARE MODE");
    const first = runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--yes", "--json"]);
    await waitForPgferryLockWait(pair.target);
    const started = Date.now();
    const second = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--yes", "--tables", "small"]);
    assert.ok(Date.now() - started < 10_000, "the second run does not wait for the first");
    assert.equal(second.code, 5, second.stderr);
    const lines = errorLines(second.stderr);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /another pgferry run is writing to postgres:\/\/.*\(backend pid \d+, since .*\); try again when it has finished/);
    await blocker.query("COMMIT");
    await blocker.end();
    const done = await first;
    assert.equal(done.code, 0, done.stderr);
    const report = JSON.parse(done.stdout);
    assert.equal(report.totalRows, ROWS + 10);
    assert.equal(await tableFingerprint(pair.target, "big"), await tableFingerprint(pair.source, "big"));
    assert.equal(await tableFingerprint(pair.target, "small"), await tableFingerprint(pair.source, "small"));
  });
});

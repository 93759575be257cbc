/**
 * --lock-timeout covers the catalog reads too: a session holding a lock on a target sequence
 * (ALTER SEQUENCE in an open transaction) makes a dry run, a real run and --with-parents fail
 * after the timeout with one clear line, instead of waiting for that session.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type pg from "pg";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { connectTo, createDatabasePair, tableFingerprint, waitForPgferryLockWait, type DatabasePair } from "../harness/test-databases.js";

describe("lock timeouts cover catalog reads", () => {
  let pair: DatabasePair;
  let holder: pg.Client;

  before(async () => {
    pair = await createDatabasePair("lock_catalog");
    const schema = "CREATE TABLE users (id serial PRIMARY KEY, email text);";
    await pair.source.query(`${schema} INSERT INTO users (email) SELECT 'u' || g FROM generate_series(1, 50) g`);
    await pair.target.query(schema);
    holder = await connectTo(pair.targetUrl);
    await holder.query("BEGIN; ALTER SEQUENCE users_id_seq RESTART WITH 1000");
  });
  after(async () => {
    await holder?.query("ROLLBACK").catch(() => undefined);
    await holder?.end();
    await pair?.drop();
  });

  for (const [what, extra] of [
    ["a dry run", ["--dry-run"]],
    ["a real run", ["--yes"]],
    ["--with-parents", ["--tables", "users", "--where", "users:id = 3", "--with-parents", "--yes"]],
  ] as const) {
    it(`${what} gives up after the timeout`, async () => {
      const before_ = await tableFingerprint(pair.target, "users");
      const started = Date.now();
      const run = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--lock-timeout", "1", ...extra]);
      const seconds = (Date.now() - started) / 1000;
      assert.ok(seconds < 15, `took ${seconds} s`);
      assert.notEqual(run.code, 0, run.stderr);
      const lines = errorLines(run.stderr);
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, /gave up waiting for a lock while reading the target.s catalog \(lock timeout\): another session holds a lock/);
      assert.equal(await tableFingerprint(pair.target, "users"), before_);
    });
  }
});

describe("an interrupt cancels the statement the target runs", () => {
  let pair: DatabasePair;

  before(async () => {
    pair = await createDatabasePair("interrupt_wait");
    const schema = "CREATE TABLE items (id int PRIMARY KEY, note text); CREATE INDEX items_note ON items (note);";
    await pair.source.query(`${schema} INSERT INTO items SELECT g, 'source ' || g FROM generate_series(1, 1000) g`);
    await pair.target.query(`${schema} INSERT INTO items VALUES (1, 'staging')`);
  });
  after(async () => pair?.drop());

  it("SIGTERM while the run waits for a table lock rolls back at once, not when the wait ends", async () => {
    const before_ = await tableFingerprint(pair.target, "items");
    const holder = await connectTo(pair.targetUrl);
    try {
      await holder.query("BEGIN; LOCK TABLE items IN ACCESS SHARE MODE");
      let child: import("node:child_process").ChildProcess | undefined;
      // The default lock timeout is 60 s: without the cancel the run would sit in its DROP that long.
      const run = runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--yes"], { onSpawn: (c) => (child = c) });
      await waitForPgferryLockWait(pair.target);
      const signalled = Date.now();
      child!.kill("SIGTERM");
      const result = await run;
      const seconds = (Date.now() - signalled) / 1000;
      assert.ok(seconds < 10, `exited ${seconds} s after SIGTERM`);
      assert.equal(result.code, 130, result.stderr);
      assert.match(result.stdout, /Nothing was changed on the target: interrupted: target rolled back/);
    } finally {
      await holder.query("ROLLBACK");
      await holder.end();
    }
    assert.equal(await tableFingerprint(pair.target, "items"), before_);
  });
});

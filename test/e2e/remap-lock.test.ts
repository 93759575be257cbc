/**
 * `pgferry remap` writes to the target, so it takes the target's advisory lock like a sync:
 * while another run holds it, remap refuses (exit 5) and changes nothing.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { LOCK_CLASS, SYNC_LOCK } from "../../src/pg/advisory-lock.js";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { connectTo, createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

describe("remap and the target's lock", () => {
  let pair: DatabasePair;
  let dir: string;

  before(async () => {
    pair = await createDatabasePair("remap_lock");
    await pair.target.query("CREATE TABLE users (id int PRIMARY KEY, email text, sub text); INSERT INTO users VALUES (1, 'ada@example.com', NULL)");
    dir = mkdtempSync(join(tmpdir(), "pgferry-remaplock-"));
    writeFileSync(join(dir, "pairs.csv"), "email,sub\nada@example.com,new-sub\n");
  });
  after(async () => pair?.drop());

  it("waits for no one: another run's lock makes it refuse, and nothing changes", async () => {
    const holder = await connectTo(pair.targetUrl);
    const before_ = await tableFingerprint(pair.target, "users");
    const args = ["remap", pair.targetUrl, "--table", "users", "--set", "sub", "--from", join(dir, "pairs.csv"), "--yes"];
    try {
      await holder.query("SELECT pg_advisory_lock($1, $2)", [LOCK_CLASS, SYNC_LOCK]);
      const run = await runCliProcess(args);
      assert.equal(run.code, 5, run.stderr);
      const lines = errorLines(run.stderr);
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, /another pgferry run is writing to/);
      assert.equal(await tableFingerprint(pair.target, "users"), before_);
    } finally {
      await holder.end();
    }
    const free = await runCliProcess(args);
    assert.equal(free.code, 0, free.stderr);
    assert.equal((await pair.target.query("SELECT sub FROM users WHERE id = 1")).rows[0].sub, "new-sub");
  });
});

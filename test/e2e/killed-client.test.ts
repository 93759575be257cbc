/**
 * A run killed with SIGKILL while the server works on a long statement (here a post-sync hook)
 * does not keep its backend, and so the target's lock, for the rest of that statement: the server
 * checks the client's socket (client_connection_check_interval, PostgreSQL 14+) and ends it.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { LOCK_CLASS, SYNC_LOCK } from "../../src/pg/advisory-lock.js";
import { runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

describe("a killed client", () => {
  let pair: DatabasePair;
  let dir: string;

  before(async () => {
    pair = await createDatabasePair("killed");
    await pair.source.query("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 10)");
    dir = mkdtempSync(join(tmpdir(), "pgferry-killed-"));
  });
  after(async () => pair?.drop());

  it("releases the target's lock within seconds, not when the statement ends", async () => {
    const config = join(dir, "pgferry.yml");
    writeFileSync(config, `hooks:\n  after:\n    - sql: "SELECT pg_sleep(60)"\n`);
    let child: ChildProcess | undefined;
    const run = runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--config", config, "--yes"], { onSpawn: (c) => (child = c) });
    const database = new URL(pair.targetUrl).pathname.slice(1);
    for (let i = 0; ; i += 1) {
      const busy = await pair.target.query("SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'SELECT pg_sleep(60)%' AND state = 'active'", [database]);
      if (busy.rowCount) break;
      assert.ok(i < 600, "the hook never started");
      await sleep(50);
    }
    child!.kill("SIGKILL");
    await run;
    const killedAt = Date.now();
    for (;;) {
      const got = await pair.target.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS ok", [LOCK_CLASS, SYNC_LOCK]);
      if (got.rows[0]!.ok) break;
      assert.ok(Date.now() - killedAt < 15_000, "the dead client's backend still holds the lock after 15 s");
      await sleep(100);
    }
    await pair.target.query("SELECT pg_advisory_unlock($1, $2)", [LOCK_CLASS, SYNC_LOCK]);
    assert.ok(Date.now() - killedAt < 10_000, `lock released after ${Date.now() - killedAt} ms`);
  });
});

/**
 * Both catalogs are read at once: while the source's catalog read waits (here on a lock held on a
 * source sequence), the target is already connected and being read, so neither side's round trips
 * wait for the other's before the first COPY.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { LockedError } from "../../src/errors.js";
import { syncPair } from "../harness/sync-helpers.js";
import { connectTo, createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

describe("catalogs read concurrently", () => {
  let pair: DatabasePair;
  let holder: pg.Client;
  before(async () => {
    pair = await createDatabasePair("concurrent_catalogs");
    await pair.source.query("CREATE TABLE users (id serial PRIMARY KEY)");
    holder = await connectTo(pair.sourceUrl);
    await holder.query("BEGIN; ALTER SEQUENCE users_id_seq RESTART WITH 10");
  });
  after(async () => {
    await holder?.query("ROLLBACK").catch(() => undefined);
    await holder?.end();
    await pair?.drop();
  });

  it("connects to the target while the source's catalog read is still waiting", async () => {
    const run = syncPair(pair, { dryRun: true, lockTimeoutSeconds: 3 });
    run.catch(() => undefined);
    let seen = 0;
    for (let i = 0; i < 20 && seen === 0; i += 1) {
      await sleep(100);
      const { rows } = await pair.target.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pgferry' AND datname = current_database()");
      seen = rows[0]!.n;
    }
    assert.equal(seen, 1, "the target had a pgferry session while the source waited");
    await assert.rejects(run, (e: unknown) => e instanceof LockedError && /source's catalog/.test(e.message));
  });
});

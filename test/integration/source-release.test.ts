/**
 * The source's snapshot ends as soon as the last COPY has read its rows: while the target builds
 * keys and indexes (here made slow on purpose), pgferry holds no session on the source.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

// The target's own slow_key sleeps (the run keeps an existing function), so building the index
// the run creates after the data takes seconds.
const TARGET = "CREATE FUNCTION slow_key(v int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM pg_sleep(0.4); RETURN v; END $$";

describe("the source snapshot is released after the last COPY", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("source_release");
    await pair.source.query(`CREATE FUNCTION slow_key(v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT v';
      CREATE TABLE items (id int PRIMARY KEY, v int); CREATE INDEX items_slow ON items (slow_key(v));
      INSERT INTO items SELECT g, g FROM generate_series(1, 6) g`);
    await pair.target.query(TARGET);
  });
  after(async () => pair?.drop());

  it("holds no source session while the target's indexes are built", async () => {
    let building: Promise<number[]> | undefined;
    const sessionsDuringBuild = async (): Promise<number[]> => {
      const counts: number[] = [];
      for (let i = 0; i < 10; i += 1) {
        await sleep(150);
        const { rows } = await pair.source.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pgferry' AND datname = current_database()");
        counts.push(rows[0]!.n);
      }
      return counts;
    };
    const { report } = await syncPair(pair, {
      onEvent: (e) => {
        if (e.kind === "table-done" && !building) building = sessionsDuringBuild();
      },
    });
    assert.equal(report.committed, true, report.error);
    const counts = await building!;
    assert.ok(counts.slice(2).every((n) => n === 0), `source sessions while the target worked: ${counts.join(", ")}`);
  });
});

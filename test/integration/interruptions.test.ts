/**
 * Interruptions and session settings: an abort during post-data never commits; TRUNCATE and
 * verification never reach old-style INHERITS children; text COPY ignores DateStyle/IntervalStyle.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

describe("interruptions and session settings", () => {
  let pair: DatabasePair;
  beforeEach(async () => (pair = await createDatabasePair("interrupt")));
  afterEach(async () => pair?.drop());

  it("an abort while keys and indexes are built rolls back instead of committing", async () => {
    await pair.source.query("CREATE TABLE t (id int PRIMARY KEY, v text); CREATE INDEX t_v ON t (v); INSERT INTO t SELECT g, g::text FROM generate_series(1, 1000) g");
    const controller = new AbortController();
    const { report } = await syncPair(pair, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.kind === "phase-start" && e.phase === "post-data") controller.abort();
      },
    });
    assert.equal(report.committed, false);
    assert.equal(report.ok, false);
    assert.match(report.error ?? "", /interrupted: target rolled back/);
    const exists = await pair.target.query("SELECT to_regclass('public.t') AS t");
    assert.equal(exists.rows[0].t, null, "the table created by the run is gone with the rollback");
  });

  it("refreshing a parent leaves its unselected INHERITS child alone and counts only the parent's rows", async () => {
    const schema = "CREATE TABLE m (id int, v text); CREATE TABLE m_2023 () INHERITS (m);";
    await pair.source.query(schema + "INSERT INTO m SELECT g, 'src' FROM generate_series(1, 10) g; INSERT INTO m_2023 VALUES (100, 'src child');");
    await pair.target.query(schema + "INSERT INTO m VALUES (1, 'old'); INSERT INTO m_2023 VALUES (200, 'target child');");
    const childBefore = await tableFingerprint(pair.target, "m_2023");
    const { report } = await syncPair(pair, { include: ["public.m"] });
    assert.equal(report.ok, true, report.error);
    assert.equal(await tableFingerprint(pair.target, "m_2023"), childBefore);
    const own = await pair.target.query("SELECT count(*)::int AS n FROM ONLY m");
    assert.equal(own.rows[0].n, 10);

    const both = await syncPair(pair);
    assert.equal(both.report.ok, true, both.report.error);
    assert.equal(await tableFingerprint(pair.target, "m_2023"), await tableFingerprint(pair.source, "m_2023"));
  });

  it("text COPY reads back exactly whatever DateStyle and IntervalStyle the databases default to", async () => {
    const sourceDb = new URL(pair.sourceUrl).pathname.slice(1);
    const targetDb = new URL(pair.targetUrl).pathname.slice(1);
    await pair.source.query(`ALTER DATABASE "${sourceDb}" SET DateStyle = 'SQL, DMY'`);
    await pair.source.query(`ALTER DATABASE "${sourceDb}" SET IntervalStyle = 'sql_standard'`);
    await pair.target.query(`ALTER DATABASE "${targetDb}" SET DateStyle = 'German, MDY'`);
    // An enum array forces text COPY for the whole table.
    const schema = "CREATE TYPE k AS ENUM ('a', 'b'); CREATE TABLE d (id int PRIMARY KEY, day date, at timestamptz, span interval, ks k[], f float8);";
    await pair.source.query(schema + "INSERT INTO d VALUES (1, '2024-02-01', '2024-02-01 13:14:15.123456+00', '-1 day 02:03:04.5', '{a,b}', 0.1), (2, '1999-12-31', NULL, '1 year -2 mons', NULL, 1e-310)");
    await pair.target.query(schema);
    const { plan, report } = await syncPair(pair);
    assert.equal(report.ok, true, report.error);
    assert.equal(plan.actions[0]?.kind === "refresh" && plan.actions[0].copy.format, "text");
    const read = async (client: typeof pair.source) =>
      (await client.query("SELECT id, to_char(day, 'YYYY-MM-DD') AS day, extract(epoch FROM at)::float8::text AS at, extract(epoch FROM span)::float8::text AS span, ks::text, f::text FROM d ORDER BY id")).rows;
    assert.deepEqual(await read(pair.target), await read(pair.source));
  });
});

/** Columns match by name: other order, source-only, target-only with defaults, generated and identity columns. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

describe("column mapping against a differing target", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("columns");
    await pair.source.query(`
      CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a int, b text, c jsonb, only_src text, doubled int GENERATED ALWAYS AS (a * 2) STORED,
                      plus_one int GENERATED ALWAYS AS (a + 1) STORED);
      INSERT INTO t (a, b, c, only_src) SELECT g, 'row ' || g, jsonb_build_object('g', g), 'x' FROM generate_series(1, 200) g;
      DELETE FROM t WHERE id % 10 = 0;
    `);
    await pair.target.query(`
      CREATE TABLE t (c jsonb, extra text NOT NULL DEFAULT 'filled by default', b text, doubled int GENERATED ALWAYS AS (a * 2) STORED,
                      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a int, tripled int GENERATED ALWAYS AS (a * 3) STORED,
                      plus_one int);
      INSERT INTO t (a, b) VALUES (-1, 'old');
    `);
  });
  after(async () => pair?.drop());

  it("copies shared columns by name and lets the target fill the rest", async () => {
    const { plan, report } = await syncPair(pair);
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps));
    const action = plan.actions[0]!;
    assert.ok(action.kind === "refresh");
    assert.deepEqual(action.columns.map((c) => c.name), ["id", "a", "b", "c", "plus_one"]);
    assert.equal(action.copy.viaSelect, true, "a generated source column is read through SELECT");
    assert.ok(plan.diagnostics.some((d) => d.level === "warning" && d.message === 'column "only_src" (text) exists only on the source: left out (--add-columns adds it)'));
    const rows = await pair.target.query("SELECT count(*)::int AS n, bool_and(extra = 'filled by default') AS extra, bool_and(doubled = a * 2 AND tripled = a * 3 AND plus_one = a + 1) AS generated, max(id)::int AS max_id FROM t");
    assert.deepEqual(rows.rows[0], { n: 180, extra: true, generated: true, max_id: 199 });
    const same = await pair.source.query("SELECT md5(string_agg(id || ':' || a || ':' || b || ':' || c::text, ',' ORDER BY id)) AS h FROM t");
    const copied = await pair.target.query("SELECT md5(string_agg(id || ':' || a || ':' || b || ':' || c::text, ',' ORDER BY id)) AS h FROM t");
    assert.equal(copied.rows[0].h, same.rows[0].h);
    const next = await pair.target.query("INSERT INTO t (a) VALUES (1) RETURNING id::int AS id");
    assert.equal(next.rows[0].id, 201, "the identity sequence continues after the source's last value");
  });
});

/**
 * The type round-trip fixture through every merge mode: upsert, insert-missing, upsert with
 * --delete-missing, refresh with preserved columns and syncRows. Types without an equality
 * operator (json, xml, geometric types, arrays, domains and composites of them) must merge, and
 * the target must end equal to the source row for row, down to json whitespace and numeric scale.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type pg from "pg";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { syncRows } from "../../src/ops/sync-rows.js";
import { TYPE_ROUNDTRIP_COLUMNS, TYPE_ROUNDTRIP_DDL, TYPE_ROUNDTRIP_ROWS } from "../fixtures/type-roundtrip.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const COLUMNS = TYPE_ROUNDTRIP_COLUMNS.map((c) => `"${c}"`).join(", ");

/**
 * The target's rows before the merge: row 1 differs from the source only where `=` would not
 * see it (json spacing, a box or circle of the same area, numeric scale, xml quoting), rows 2 and
 * 3 have each other's values, and row 100 exists only on the target.
 */
const DIVERGE = `
  UPDATE everything t SET (${COLUMNS}) = (SELECT ${COLUMNS} FROM everything s WHERE s.id = 5 - t.id) WHERE t.id IN (2, 3);
  UPDATE everything SET js = '{"keep": "spacing", "dup": 1, "dup": 2}', bx = '(2,0.5),(0,0)', circ = '<(5,5),2.5>',
    big = 123456789012345678901234567890.1234567890, doc = '{"x": 1, "x": 2}', outline = ROW('a', '(1,2)', '{"m": [1]}'),
    xml_col = '<a b=''1''>x</a>', docs = ARRAY['{"a": 1}', '[]']::json[] WHERE id = 1;
  INSERT INTO everything (id, txt, js, pt) OVERRIDING SYSTEM VALUE VALUES (100, 'target only', '{}', '(0,0)');
`;

/** Each column's text form as a JSON object per row (one line per column in a failed assertion). */
const TEXT_FORMS = `json_object(ARRAY[${TYPE_ROUNDTRIP_COLUMNS.map((c) => `'${c}'`).join(", ")}], ARRAY[${TYPE_ROUNDTRIP_COLUMNS.map((c) => `t."${c}"::text`).join(", ")}])::text`;

/** Each row by id, as `columns` renders it: by default every column's text form, what "equal row for row" compares. */
async function rowsById(client: pg.Client, columns = TEXT_FORMS): Promise<Map<number, unknown>> {
  const result = await client.query<{ id: string; row: string }>(`SELECT id::text AS id, ${columns} AS row FROM everything t ORDER BY id`);
  return new Map(result.rows.map((r) => [Number(r.id), columns === TEXT_FORMS ? (JSON.parse(r.row) as unknown) : r.row]));
}

describe("merge modes on every column type", () => {
  let pair: DatabasePair;
  beforeEach(async () => {
    pair = await createDatabasePair("merge_types");
    await pair.source.query(`${TYPE_ROUNDTRIP_DDL}${TYPE_ROUNDTRIP_ROWS}`);
    await pair.target.query(`${TYPE_ROUNDTRIP_DDL}${TYPE_ROUNDTRIP_ROWS}${DIVERGE}`);
  });
  afterEach(async () => pair?.drop());

  async function assertSourceRows(ids: readonly number[]): Promise<Map<number, unknown>> {
    const source = await rowsById(pair.source);
    const target = await rowsById(pair.target);
    for (const id of ids) assert.deepEqual(target.get(id), source.get(id), `row ${id} equals the source's`);
    return target;
  }

  it("upsert rewrites every differing row, and a second run finds nothing to change", async () => {
    const before = await rowsById(pair.target);
    const { report } = await syncPair(pair, { mode: "upsert" });
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps));
    assert.deepEqual(report.steps[0]?.changes, { inserted: 0, updated: 3, unchanged: 0, deleted: 0 });
    const after = await assertSourceRows([1, 2, 3]);
    assert.deepEqual(after.get(100), before.get(100), "the target-only row stays");
    const again = await syncPair(pair, { mode: "upsert" });
    assert.equal(again.report.ok, true, again.report.error);
    assert.deepEqual(again.report.steps[0]?.changes, { inserted: 0, updated: 0, unchanged: 3, deleted: 0 }, "equal rows are not rewritten");
  });

  it("upsert with --delete-missing ends equal to the source", async () => {
    const { report } = await syncPair(pair, { mode: "upsert", deleteMissing: true });
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps));
    assert.deepEqual(report.steps[0]?.changes, { inserted: 0, updated: 3, unchanged: 0, deleted: 1 });
    assert.deepEqual(await rowsById(pair.target), await rowsById(pair.source));
  });

  it("insert-missing adds the rows the target lacks, exactly", async () => {
    await pair.target.query("DELETE FROM everything WHERE id IN (2, 3)");
    const before = await rowsById(pair.target);
    const { report } = await syncPair(pair, { mode: "insert-missing" });
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps));
    assert.deepEqual(report.steps[0]?.changes, { inserted: 2, updated: 0, unchanged: 1, deleted: 0 });
    const after = await assertSourceRows([2, 3]);
    assert.deepEqual(after.get(1), before.get(1), "an existing row is left as it is");
    assert.deepEqual(after.get(100), before.get(100));
  });

  it("a refresh preserving a box column keeps it and copies everything else", async () => {
    await pair.target.query("DELETE FROM everything WHERE id = 3");
    const before = await rowsById(pair.target, "bx::text");
    const { report } = await syncPair(pair, { tables: { everything: { preserve: ["bx"] } } });
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps));
    const others = `ROW(${TYPE_ROUNDTRIP_COLUMNS.filter((c) => c !== "bx").map((c) => `t."${c}"`).join(", ")})::text`;
    assert.deepEqual(await rowsById(pair.target, others), await rowsById(pair.source, others));
    const boxes = await rowsById(pair.target, "bx::text");
    assert.deepEqual([...boxes.keys()], [1, 2, 3]);
    assert.equal(boxes.get(1), before.get(1), "a matched row keeps the target's box");
    assert.equal(boxes.get(2), before.get(2));
    assert.equal(boxes.get(3), (await rowsById(pair.source, "bx::text")).get(3), "an inserted row takes the source's");
  });

  it("syncRows copies the rows exactly", async () => {
    const config = configSchema.parse({});
    const result = await syncRows({
      source: resolveEndpoint(pair.sourceUrl, "source", config),
      target: resolveEndpoint(pair.targetUrl, "target", config),
      table: "everything",
      keys: [1, 2, 3],
    });
    assert.equal(result.ok, true, result.error);
    assert.deepEqual(result.tables.map((t) => [t.inserted, t.updated, t.unchanged]), [[0, 3, 0]]);
    await assertSourceRows([1, 2, 3]);
    const again = await syncRows({
      source: resolveEndpoint(pair.sourceUrl, "source", config),
      target: resolveEndpoint(pair.targetUrl, "target", config),
      table: "everything",
      keys: [1, 2, 3],
    });
    assert.deepEqual(again.tables.map((t) => [t.inserted, t.updated, t.unchanged]), [[0, 0, 3]], again.error);
  });

  it("refuses at plan time a key whose type has no equality operator", async () => {
    // A unique index on point[] can be created (the array operator class is generic); comparing two keys cannot.
    const ddl = "CREATE TABLE odd (k point[] PRIMARY KEY, v int)";
    await pair.source.query(`${ddl}; INSERT INTO odd VALUES (ARRAY[point(1, 2)], 1)`);
    await pair.target.query(ddl);
    const message = "key column(s) k point[] have no equality operator (no default btree or hash operator class): upsert cannot match rows by them";
    const { plan } = await syncPair(pair, { include: ["odd"], mode: "upsert", dryRun: true });
    assert.deepEqual(plan.diagnostics.filter((d) => d.level === "error").map((d) => `${d.table?.name}: ${d.message}`), [`odd: ${message}`]);
    await assert.rejects(syncPair(pair, { include: ["odd"], mode: "upsert" }), { name: "ConfigError", message: `the plan has 1 problem; nothing was written: public.odd: ${message}` });
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM odd")).rows[0].n, 0);
  });
});

/**
 * Syncing into a target whose schema drifted: converted types (the two known failures among them),
 * columns on one side only, tables on one side only, fill values, missing casts, --strict.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const SOURCE = `
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE TABLE admin_config (key text PRIMARY KEY, value numeric);
  INSERT INTO admin_config VALUES ('max_users', 250), ('ratio', 0.125), ('big', 12345678901234567890.5), ('none', NULL), ('negative', -3);
  CREATE TABLE eval_runbooks (id int PRIMARY KEY, condition_positives text[]);
  INSERT INTO eval_runbooks VALUES (1, ARRAY['cpu > 90', 'mem "high"']), (2, '{}'), (3, NULL), (4, ARRAY[NULL, 'x,y', 'ünï']);
  CREATE TABLE widened (id int PRIMARY KEY, n int, code varchar(10), feeling mood, label text, price numeric(10,2), flag boolean);
  INSERT INTO widened SELECT g, g * 1000, 'c' || g, (ARRAY['sad','ok','happy'])[g % 3 + 1]::mood, (ARRAY['sad','ok','happy'])[g % 3 + 1], g + 0.5, g % 2 = 0 FROM generate_series(1, 300) g;
  CREATE TABLE people (id int PRIMARY KEY, name text, nickname text, born date);
  INSERT INTO people SELECT g, 'person ' || g, 'nick ' || g, date '2000-01-01' + g FROM generate_series(1, 50) g;
  CREATE TABLE only_on_source (id int PRIMARY KEY, note text);
  INSERT INTO only_on_source VALUES (1, 'new table');
`;

const TARGET = `
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE TABLE admin_config (key text PRIMARY KEY, value jsonb);
  INSERT INTO admin_config VALUES ('stale', '"old"');
  CREATE TABLE eval_runbooks (id int PRIMARY KEY, condition_positives jsonb);
  CREATE TABLE widened (id bigint PRIMARY KEY, n bigint, code varchar(50), feeling text, label mood, price integer, flag integer);
  CREATE TABLE people (id int PRIMARY KEY, name text, tenant text NOT NULL, staging_note text DEFAULT 'kept default');
  INSERT INTO people VALUES (999, 'staging only', 'acme', 'x');
  CREATE TABLE target_only (id int PRIMARY KEY);
  INSERT INTO target_only VALUES (7);
`;

describe("drift: sync into a target whose schema differs", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("drift");
    await pair.source.query(SOURCE);
    await pair.target.query(TARGET);
  });
  after(async () => pair?.drop());

  it("refuses a target-only NOT NULL column without a value, naming it, and writes nothing", async () => {
    const { plan, report } = await syncPair(pair, { dryRun: true });
    assert.ok(report.error);
    const errors = plan.diagnostics.filter((d) => d.level === "error").map((d) => `${d.table?.name}: ${d.message}`);
    assert.equal(errors.length, 1, errors.join("\n"));
    assert.match(errors[0]!, /^people: target column "tenant" is NOT NULL without a default and does not exist on the source: configure a value/);
    await assert.rejects(syncPair(pair, {}), /the plan has 1 problem; nothing was written/);
    const kept = await pair.target.query("SELECT key FROM admin_config");
    assert.deepEqual(kept.rows, [{ key: "stale" }]);
  });

  it("converts numeric→jsonb and text[]→jsonb with values preserved as JSON, and every other drift", async () => {
    const { plan, report } = await syncPair(pair, { tables: { people: { fill: { tenant: "acme" } } } });
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps.filter((s) => s.status !== "ok")));

    const expectedConfig = await pair.source.query("SELECT key, to_jsonb(value)::text AS v FROM admin_config ORDER BY key");
    const config = await pair.target.query("SELECT key, value::text AS v, jsonb_typeof(value) AS t FROM admin_config ORDER BY key");
    assert.deepEqual(config.rows.map((r) => ({ key: r.key, v: r.v })), expectedConfig.rows);
    assert.deepEqual(config.rows.find((r) => r.key === "ratio"), { key: "ratio", v: "0.125", t: "number" });
    assert.deepEqual(config.rows.find((r) => r.key === "none"), { key: "none", v: null, t: null }, "SQL NULL stays NULL, not JSON null");

    const runbooks = await pair.target.query("SELECT id, condition_positives AS c FROM eval_runbooks ORDER BY id");
    assert.deepEqual(runbooks.rows, [
      { id: 1, c: ["cpu > 90", 'mem "high"'] },
      { id: 2, c: [] },
      { id: 3, c: null },
      { id: 4, c: [null, "x,y", "ünï"] },
    ]);

    const widened = await pair.target.query(
      "SELECT count(*)::int AS n, sum(n)::text AS s, max(length(code))::int AS code, count(*) FILTER (WHERE feeling = label::text)::int AS same, sum(price)::int AS price, sum(flag)::int AS flags FROM widened",
    );
    // numeric(10,2) → integer rounds half away from zero, as PostgreSQL's cast does: g + 0.5 → g + 1.
    assert.deepEqual(widened.rows[0], { n: 300, s: String(1000 * 300 * 301 / 2), code: 4, same: 300, price: 300 * 301 / 2 + 300, flags: 150 });

    const people = await pair.target.query("SELECT count(*)::int AS n, bool_and(tenant = 'acme') AS tenant, bool_and(staging_note = 'kept default') AS note, count(*) FILTER (WHERE id = 999)::int AS stale FROM people");
    assert.deepEqual(people.rows[0], { n: 50, tenant: true, note: true, stale: 0 });
    const columns = await pair.target.query("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'people' AND column_name IN ('nickname', 'born')");
    assert.equal(columns.rows[0].n, 0, "source-only columns are left out without --add-columns");

    const created = await pair.target.query("SELECT note FROM only_on_source");
    assert.deepEqual(created.rows, [{ note: "new table" }]);
    const untouched = await pair.target.query("SELECT id FROM target_only");
    assert.deepEqual(untouched.rows, [{ id: 7 }], "a table only on the target is left alone");

    const messages = plan.diagnostics.map((d) => `${d.level}: ${d.table?.name}: ${d.message}`);
    for (const expected of [
      "warning: admin_config: column \"value\" is numeric on the source and jsonb on the target: converted (numeric → jsonb via to_jsonb)",
      "warning: eval_runbooks: column \"condition_positives\" is text[] on the source and jsonb on the target: converted (text[] → jsonb via to_jsonb)",
      "warning: people: column \"nickname\" (text) exists only on the source: left out (--add-columns adds it)",
      "info: people: column \"tenant\" exists only on the target: set to the configured value",
      "info: people: column \"staging_note\" exists only on the target: filled by its default",
      "info: only_on_source: missing on the target: created",
    ]) {
      assert.ok(messages.includes(expected), `missing diagnostic: ${expected}\n${messages.join("\n")}`);
    }
    const widenedAction = plan.actions.find((a) => a.table.name === "widened");
    assert.ok(widenedAction?.kind === "refresh");
    assert.deepEqual(
      widenedAction.columns.map((c) => `${c.name}:${c.conversion}`),
      ["id:text-input", "n:text-input", "code:text-input", "feeling:text-input", "label:text-input", "price:cast", "flag:cast"],
    );
  });

  it("adds source-only columns with --add-columns and fills them", async () => {
    const { report } = await syncPair(pair, { include: ["people"], drift: { addColumns: true }, tables: { "public.people": { fill: { tenant: "acme" } } } });
    assert.equal(report.ok, true, report.error);
    const rows = await pair.target.query("SELECT count(*)::int AS n, count(*) FILTER (WHERE nickname = 'nick ' || id AND born = date '2000-01-01' + id)::int AS copied FROM people");
    assert.deepEqual(rows.rows[0], { n: 50, copied: 50 });
  });

  it("refuses every drift under --strict before writing", async () => {
    await pair.target.query("INSERT INTO target_only VALUES (8)");
    const { plan, report } = await syncPair(pair, { dryRun: true, drift: { strict: true }, tables: { people: { fill: { tenant: "acme" } } } });
    assert.ok(report.error);
    const strictErrors = plan.diagnostics.filter((d) => d.level === "error" && d.message.endsWith("[--strict]")).map((d) => d.table?.name);
    assert.deepEqual([...new Set(strictErrors)].sort(), ["admin_config", "eval_runbooks", "people", "widened"]);
    await assert.rejects(syncPair(pair, { drift: { strict: true }, tables: { people: { fill: { tenant: "acme" } } } }), /nothing was written/);
  });

  it("skips tables missing on the target with --no-create", async () => {
    await pair.target.query("DROP TABLE only_on_source");
    const { plan, report } = await syncPair(pair, { include: ["only_on_source", "admin_config"], drift: { create: false } });
    assert.equal(report.ok, true, report.error);
    assert.deepEqual(plan.actions.map((a) => `${a.table.name}:${a.kind}`).sort(), ["admin_config:refresh", "only_on_source:skip"]);
    const exists = await pair.target.query("SELECT to_regclass('public.only_on_source') AS t");
    assert.equal(exists.rows[0].t, null);
  });
});

describe("drift: values and casts PostgreSQL cannot convert", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("drift_fail");
    await pair.source.query(`
      CREATE TABLE spots (id int PRIMARY KEY, place point);
      INSERT INTO spots VALUES (1, '(1,2)');
      CREATE TABLE moods (id int PRIMARY KEY, feeling text);
      INSERT INTO moods VALUES (1, 'ok'), (2, 'furious');
      CREATE TABLE filled (id int PRIMARY KEY);
      INSERT INTO filled VALUES (1);
    `);
    await pair.target.query(`
      CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
      CREATE TABLE spots (id int PRIMARY KEY, place integer);
      INSERT INTO spots VALUES (41, 41);
      CREATE TABLE moods (id int PRIMARY KEY, feeling mood);
      INSERT INTO moods VALUES (5, 'sad');
      CREATE TABLE filled (id int PRIMARY KEY, size integer NOT NULL);
    `);
  });
  after(async () => pair?.drop());

  it("fails a table with no cast before writing, naming column and both types", async () => {
    const { plan, report } = await syncPair(pair, { include: ["spots"], dryRun: true });
    assert.ok(report.error);
    const errors = plan.diagnostics.filter((d) => d.level === "error").map((d) => `${d.table?.name}: ${d.message}`);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^spots: column "place": no conversion from point \(source\) to integer \(target\): .*cannot cast type point to integer/);
    await assert.rejects(syncPair(pair, { include: ["spots"] }), /nothing was written/);
    assert.deepEqual((await pair.target.query("SELECT id FROM spots")).rows, [{ id: 41 }]);
  });

  it("fails text→enum when a value has no label, and rolls back", async () => {
    const { report } = await syncPair(pair, { include: ["moods"] });
    assert.equal(report.ok, false);
    const step = report.steps.find((s) => s.table.name === "moods");
    assert.equal(step?.status, "failed");
    assert.match(step?.reason ?? "", /invalid input value for enum mood: "furious"/);
    assert.deepEqual((await pair.target.query("SELECT id FROM moods")).rows, [{ id: 5 }]);
  });

  it("rejects a fill value that is not of the column's type, before writing", async () => {
    const { plan } = await syncPair(pair, { include: ["filled"], dryRun: true, tables: { filled: { fill: { size: "large" } } } });
    const errors = plan.diagnostics.filter((d) => d.level === "error").map((d) => d.message);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^the configured value for column "size" is not a valid integer: invalid input syntax for type integer: "large"/);
    const ok = await syncPair(pair, { include: ["filled"], tables: { filled: { fill: { size: "3" } } } });
    assert.equal(ok.report.ok, true, ok.report.error);
    assert.deepEqual((await pair.target.query("SELECT id, size FROM filled")).rows, [{ id: 1, size: 3 }]);
  });
});

/**
 * Issue 15: the js kind through real servers: a sync and a dump apply the user's function in
 * the COPY row stage (text COPY forced for that table only), every awkward value survives the
 * codec, failures name the table and column but no value and roll the run back, and the
 * row-read paths (syncRows) refuse it rather than bypass it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { dumpSnapshot } from "../../src/archive/dump-snapshot.js";
import { parseConfigText } from "../../src/config/load-config.js";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { syncRows } from "../../src/ops/sync-rows.js";
import { createFileStore } from "../../src/storage/file-store.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const SECRET = "test-secret-0123456789";
const SCHEMA = `
  CREATE TABLE notes (id int PRIMARY KEY, body text, email text, n int, blob bytea, at timestamptz);
  CREATE TABLE plain (id int PRIMARY KEY, v bytea);`;
// Every escape COPY text uses, a literal \\N, multi-byte characters, empty and NULL.
const NASTY = ["", "plain", "\\N", "\\", "a\tb", "line\nbreak\r\n", "\b\f\v", "\\.", "ü€😀 multi-byte", "ends with \\", "x\\ny"];

describe("js transforms", () => {
  let pair: DatabasePair;
  let dir: string;
  const config = (body: Record<string, unknown>, extra = "") => {
    const yaml = `transform:\n  secret: ${SECRET}\n  rules: [{ match: "*.email", kind: email }]\ntables:\n  notes:\n    transform:\n      body: ${JSON.stringify(body)}\n${extra}`;
    const parsed = parseConfigText(yaml, join(dir, "pgferry.yml"), {}, dir);
    return { tables: parsed.tables, transform: parsed.transform };
  };
  const target = async () => (await pair.target.query("SELECT id, body, email, n, encode(blob, 'hex') AS blob, at FROM notes ORDER BY id")).rows;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "pgferry-js-it-"));
    writeFileSync(
      join(dir, "anonymize.mjs"),
      `export function maskNotes(value, row) {
         if (value === null) return null;
         return "[" + value.length + "|" + row.id + "|" + row.email + "]" + Array.from(value).reverse().join("");
       }
       export const same = (value) => value;
       export const boom = (value) => { throw new Error("cannot handle " + value); };`,
    );
    writeFileSync(join(dir, "broken.mjs"), "export const x = ;");
    pair = await createDatabasePair("transforms_js");
    await pair.source.query(`${SCHEMA}
      INSERT INTO notes SELECT i, v, 'person' || i || '@corp.example', i * 10, decode('00ff' || lpad(to_hex(i), 2, '0'), 'hex'), timestamptz '2024-01-01' + i * interval '1 hour'
        FROM unnest($1::text[]) WITH ORDINALITY AS u(v, i);
      INSERT INTO notes VALUES (100, NULL, NULL, NULL, NULL, NULL);
      INSERT INTO plain VALUES (1, '\\x00ff');`.replace("$1::text[]", `ARRAY[${NASTY.map((v) => `'${v.replace(/'/g, "''")}'`).join(", ")}]::text[]`));
    await pair.target.query(SCHEMA);
  });
  after(async () => pair?.drop());

  const expected = (value: string | null, id: number, email: string | null) => (value === null ? null : `[${value.length}|${id}|${email}]${Array.from(value).reverse().join("")}`);

  it("applies the function to every row in a sync (module relative to pgferry.yml), with the row's values after the SQL transforms", async () => {
    const run = await syncPair(pair, config({ kind: "js", module: "./anonymize.mjs", export: "maskNotes" }));
    assert.equal(run.report.ok, true, run.report.error);
    const rows = await target();
    assert.equal(rows.length, NASTY.length + 1);
    for (const row of rows) {
      if (row.id === 100) {
        assert.deepEqual(row, { id: 100, body: null, email: null, n: null, blob: null, at: null });
        continue;
      }
      const original = NASTY[row.id - 1]!;
      assert.match(row.email, /^u[0-9a-f]{24}@example\.com$/, "the email column went through its SQL transform");
      assert.equal(row.body, expected(original, row.id, row.email), `row ${row.id}: the function's result, given the transformed email`);
      assert.equal(row.n, row.id * 10);
      assert.equal(row.blob, `00ff${row.id.toString(16).padStart(2, "0")}`);
    }
    assert.ok(!JSON.stringify(rows).includes("corp.example"));
  });

  it("passes every awkward value through the codec unchanged under an identity function; a table without js still copies", async () => {
    const run = await syncPair(pair, config({ kind: "js", module: join(dir, "anonymize.mjs"), export: "same" }));
    assert.equal(run.report.ok, true, run.report.error);
    const bodies = (await pair.target.query("SELECT body FROM notes WHERE id <= $1 ORDER BY id", [NASTY.length])).rows.map((r) => r.body);
    assert.deepEqual(bodies, NASTY);
    assert.deepEqual((await pair.target.query("SELECT encode(v, 'hex') AS v FROM plain")).rows, [{ v: "00ff" }]);
  });

  it("applies the function in parallel loads too (--jobs 2, tables the run creates)", async () => {
    await pair.target.query("DROP TABLE notes, plain");
    const run = await syncPair(pair, { ...config({ kind: "js", module: "./anonymize.mjs", export: "maskNotes" }), jobs: 2 });
    assert.equal(run.report.ok, true, run.report.error);
    const rows = await target();
    assert.equal(rows.length, NASTY.length + 1);
    for (const row of rows.filter((r) => r.id !== 100)) assert.equal(row.body, expected(NASTY[row.id - 1]!, row.id, row.email), `row ${row.id}`);
  });

  it("writes the function's results into a dump, never the original values", async () => {
    const store = createFileStore(mkdtempSync(join(tmpdir(), "pgferry-js-dump-")));
    const settings = config({ kind: "js", module: "./anonymize.mjs", export: "maskNotes" });
    const dumped = await dumpSnapshot({
      source: resolveEndpoint(pair.sourceUrl, "source", configSchema.parse({})),
      store,
      selection: { include: ["notes"], exclude: [], where: {} },
      ...settings,
      lockTimeoutSeconds: 5,
      pgferryVersion: "test",
    });
    const table = dumped.manifest.tables.find((t) => t.name === "notes")!;
    assert.equal(table.rows, NASTY.length + 1);
    const root = (store as unknown as { label: string }).label.replace(/^file:\/\//, "");
    const file = readdirSync(root, { recursive: true }).map(String).find((f) => f.endsWith(table.file.split("/").pop()!));
    const copy = gunzipSync(readFileSync(join(root, file!))).toString("utf8");
    assert.ok(!copy.includes("corp.example") && !copy.includes("multi-byte\t"), "the snapshot holds no original value");
    assert.ok(copy.includes("|2|u"), "the snapshot holds the function's output");
  });

  it("refuses, before anything is written: a module that does not load, an export that is not a function, a unique column without injective: true", async () => {
    await pair.target.query("TRUNCATE notes");
    await assert.rejects(
      syncPair(pair, config({ kind: "js", module: "./broken.mjs", export: "x" })),
      new RegExp(`^ConfigError: js transform of public\\.notes\\.body \\(x from ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/broken\\.mjs\\): cannot load it: Unexpected token ';'$`),
    );
    await assert.rejects(syncPair(pair, config({ kind: "js", module: "./missing.mjs" })), /js transform of public\.notes\.body \(default from .*missing\.mjs\): cannot load it: Cannot find module/);
    await assert.rejects(syncPair(pair, config({ kind: "js", module: "./anonymize.mjs", export: "nope" })), /cannot load it: it has no export nope$/);
    const unique = parseConfigText(`tables:\n  notes:\n    transform:\n      id: { kind: js, module: ./anonymize.mjs, export: same }\n`, join(dir, "pgferry.yml"), {}, dir);
    await assert.rejects(syncPair(pair, { tables: unique.tables, transform: unique.transform }), /column "id" \(integer, from tables:\): kind js is not unique-safe .* primary key notes_pkey/);
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM notes")).rows[0].n, 0);
  });

  it("rolls the run back when the function throws, naming table, column and row but not the value", async () => {
    await syncPair(pair, config({ kind: "js", module: "./anonymize.mjs", export: "same" }));
    const before = await target();
    const run = await syncPair(pair, config({ kind: "js", module: "./anonymize.mjs", export: "boom" }));
    assert.equal(run.report.ok, false);
    assert.match(run.report.error ?? "", /public\.notes: js transform of public\.notes\.body \(boom from .*anonymize\.mjs\) threw Error on row 1/);
    assert.ok(!(run.report.error ?? "").includes("cannot handle"), "the function's message (which holds a value) is not shown");
    assert.deepEqual(await target(), before, "nothing changed");
  });

  it("is refused by syncRows, which reads rows as JSON and cannot apply it", async () => {
    const settings = config({ kind: "js", module: "./anonymize.mjs", export: "maskNotes" });
    const base = configSchema.parse({});
    const result = await syncRows({
      source: resolveEndpoint(pair.sourceUrl, "source", base),
      target: resolveEndpoint(pair.targetUrl, "target", base),
      table: "notes",
      keys: [1],
      ...settings,
    });
    assert.equal(result.ok, false);
    assert.match(result.error ?? "", /^public\.notes\.body has a js transform, which syncRows and --with-parents do not apply/);
  });
});

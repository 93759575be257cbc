/**
 * Issue 14 item 3: user-defined collations (ICU and libc), text search dictionaries and
 * configurations, operators, operator classes and families, created on the target before the
 * tables, views and indexes that use them, judged by pg_dump on the machine's PostgreSQL 15; and
 * one such object the target cannot create, refused in the dry run with one line.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { describeDdl } from "../../src/ddl/render-ddl.js";
import { displayName } from "../../src/model/qualified-name.js";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { runDiff } from "../../src/execute/run-diff.js";
import { dumpSnapshot } from "../../src/archive/dump-snapshot.js";
import { restoreSnapshot } from "../../src/archive/restore-snapshot.js";
import { createFileStore } from "../../src/storage/file-store.js";
import { assertSameSchema, dumpSchema } from "../harness/schema-dump.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, machineServerUrl, serverUrls, type DatabasePair } from "../harness/test-databases.js";

const FIXTURE = readFileSync(new URL("../fixtures/schema-objects.sql", import.meta.url), "utf8");
const KINDS = /^(COLLATION|TEXT SEARCH DICTIONARY|TEXT SEARCH CONFIGURATION|OPERATOR|OPERATOR CLASS|OPERATOR FAMILY|COMMENT (COLLATION|TEXT SEARCH|OPERATOR)[A-Z ]*) /;

async function rows(client: DatabasePair["source"], sql: string): Promise<unknown[]> {
  return (await client.query(sql)).rows;
}

describe("schema fidelity: collations, text search objects, operators and operator classes", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("fid_ops", { source: machineServerUrl(), target: machineServerUrl() });
    await pair.source.query(FIXTURE);
  });
  after(async () => pair?.drop());

  it("lists them in the dry run, in pg_restore's order, and changes nothing", async () => {
    const planned = async (table: string) => {
      const { plan, report } = await syncPair(pair, { include: [table], dryRun: true });
      assert.equal(report.error, undefined);
      return plan.preData.map(describeDdl).filter((s) => /^CREATE (COLLATION|OPERATOR|TEXT SEARCH|OR REPLACE FUNCTION|TABLE)/.test(s));
    };
    assert.deepEqual(await planned("public.people"), [
      `CREATE COLLATION "lang"."case insensitive" (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`,
      `CREATE COLLATION "public"."posix_bytes" (provider = libc, locale = 'POSIX')`,
      "CREATE OR REPLACE FUNCTION public.ci_cmp(a text, b text)",
      "CREATE OR REPLACE FUNCTION public.ci_lt(text, text)",
      "CREATE OR REPLACE FUNCTION public.ci_gt(text, text)",
      "CREATE OR REPLACE FUNCTION public.ci_le(text, text)",
      "CREATE OR REPLACE FUNCTION public.ci_ge(text, text)",
      "CREATE OR REPLACE FUNCTION public.ci_eq(text, text)",
      "CREATE OR REPLACE FUNCTION public.ci_ne(text, text)",
      'CREATE OPERATOR "public".<~ (',
      'CREATE OPERATOR "public".>~ (',
      'CREATE OPERATOR "public".<=~ (',
      'CREATE OPERATOR "public".>=~ (',
      'CREATE OPERATOR "public".=~ (',
      'CREATE OPERATOR "public".<>~ (',
      'CREATE OPERATOR FAMILY "public"."ci_ops" USING "btree"',
      'CREATE OPERATOR CLASS "public"."ci_ops" FOR TYPE text USING "btree" FAMILY "public"."ci_ops" AS',
      'CREATE TABLE "public"."people" (',
    ], "only what the table uses (not unused_coll, loose_ops), collations first, operators after their functions");
    assert.deepEqual(await planned("public.docs"), [
      'CREATE TEXT SEARCH DICTIONARY "public"."simple_stop" (',
      'CREATE TEXT SEARCH DICTIONARY "public"."english_nostop" (',
      'CREATE TEXT SEARCH CONFIGURATION "lang"."title_cfg" (',
      'CREATE TEXT SEARCH CONFIGURATION "public"."docs_cfg" (',
      'CREATE TABLE "public"."docs" (',
    ], "the configuration of a generated column and the one a tsvector_update_trigger names, after their dictionaries");
    assert.deepEqual(await rows(pair.target, "SELECT collname FROM pg_collation WHERE collnamespace <> 'pg_catalog'::regnamespace"), []);
  });

  it("creates them before the tables, views and indexes that use them, as pg_dump sees them, with the same data", async () => {
    const { plan, report } = await syncPair(pair);
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps.filter((s) => s.status !== "ok" && s.status !== "skipped")));
    assert.deepEqual(plan.diagnostics.filter((d) => d.level !== "info").map((d) => d.message), []);

    const source = await assertSameSchema(pair.sourceUrl, pair.targetUrl);
    const objects = [...source.keys()].filter((k) => KINDS.test(k));
    assert.ok(objects.length >= 20, `the fixture's objects are in the dump (${objects.join(", ")})`);

    for (const sql of [
      "SELECT id, name, code FROM people ORDER BY code COLLATE posix_bytes, id",
      "SELECT id, body_tsv::text, title_tsv::text FROM docs ORDER BY id",
      "SELECT * FROM people_named ORDER BY id",
      "SELECT count(*)::int AS n FROM people WHERE name = 'NAME 3'",
    ]) {
      assert.deepEqual(await rows(pair.target, sql), await rows(pair.source, sql), sql);
    }
    await pair.target.query("INSERT INTO docs (id, body, title) VALUES (100, 'jumping', 'Titles on the target')");
    assert.deepEqual(await rows(pair.target, "SELECT title_tsv::text AS t FROM docs WHERE id = 100"), [{ t: "'target':4 'titl':1" }], "the trigger's configuration works");
    await pair.target.query("SET enable_seqscan = off");
    const explained = (await pair.target.query("EXPLAIN SELECT * FROM people WHERE code =~ 'CODE1' ORDER BY code USING <~")).rows.map((r) => r["QUERY PLAN"]).join("\n");
    assert.match(explained, /people_code_ci/, "the operator class's index serves the operators");

    const diff = async () => (await runDiff({ source: resolveEndpoint(pair.sourceUrl, "source", config), target: resolveEndpoint(pair.targetUrl, "target", config) })).items;
    const config = configSchema.parse({});
    assert.deepEqual(await diff(), [], "pgferry diff finds no drift after the sync");
    await pair.target.query(`
      ALTER TEXT SEARCH CONFIGURATION docs_cfg DROP MAPPING FOR int;
      CREATE COLLATION only_here (provider = libc, locale = 'C');
      DROP OPERATOR FAMILY loose_ops USING hash;`);
    assert.deepEqual(
      (await diff()).map((i) => `${i.kind} ${displayName(i.owner)}${i.name ? ` ${i.name}` : ""}: ${i.change} ${i.details.join(", ")}`.trim()),
      ["operator family public.loose_ops USING hash: only-source", "text search configuration public.docs_cfg: differs definition differs", "collation public.only_here: only-target"],
    );
  });
});

describe("schema fidelity: an object the target cannot create", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("fid_ops_refused", { source: machineServerUrl(), target: machineServerUrl() });
    // A support function written in C (a library symbol): the sync cannot install its library.
    // The table stays empty, so the index build never calls it.
    await pair.source.query(`
      CREATE FUNCTION c_cmp(int4, int4) RETURNS int4 LANGUAGE c IMMUTABLE STRICT AS '$libdir/plpgsql', 'plpgsql_validator';
      CREATE OPERATOR CLASS c_ops FOR TYPE int4 USING btree AS
        OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 c_cmp(int4, int4);
      CREATE TABLE counters (id int PRIMARY KEY, n int);
      CREATE INDEX counters_n ON counters (n c_ops);
      CREATE TABLE plain (id int PRIMARY KEY);`);
  });
  after(async () => pair?.drop());

  it("is refused before anything is written, in the dry run too, with one line naming it", async () => {
    const refusal =
      "public.counters: needs operator class public.c_ops USING btree, which pgferry cannot create on the target: its function public.c_cmp(integer,integer) is written in C (install its library and create it on the target first)";
    const { plan, report } = await syncPair(pair, { dryRun: true });
    assert.deepEqual(plan.diagnostics.filter((d) => d.level === "error").map((d) => `${d.table && displayName(d.table)}: ${d.message}`), [refusal]);
    assert.equal(report.error, "the plan has 1 problem; nothing was written");
    await assert.rejects(syncPair(pair), (error: Error) => error.message === `the plan has 1 problem; nothing was written: ${refusal}`);
    {
      assert.deepEqual(await rows(pair.target, "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"), []);
      assert.deepEqual(await rows(pair.target, "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace"), []);
    }
  });
});

// The harness servers (embedded 17 → 18 by default; PGFERRY_TEST_SOURCE_VERSION=12 reads a 12
// catalog, where the ICU locale is in collcollate) and the machine's 15 → the newer target.
describe("schema fidelity of these objects across major versions", () => {
  const cases = [
    { label: "harness source → harness target", servers: () => serverUrls() },
    { label: "machine 15 → harness target", servers: () => ({ source: machineServerUrl(), target: serverUrls().target }) },
  ];
  for (const { label, servers } of cases) {
    it(`syncs them ${label} with no drift left and the same query results`, async () => {
      const pair = await createDatabasePair("fid_ops_x", servers());
      try {
        await pair.source.query(FIXTURE);
        // --jobs 3: a table that uses an object the run creates cannot load as a shadow in another session.
        const { report } = await syncPair(pair, { jobs: 3 });
        assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps.filter((s) => s.status !== "ok" && s.status !== "skipped")));
        const config = configSchema.parse({});
        const diff = await runDiff({ source: resolveEndpoint(pair.sourceUrl, "source", config), target: resolveEndpoint(pair.targetUrl, "target", config) });
        assert.deepEqual(diff.items, []);
        for (const sql of [
          "SELECT id, name, code FROM people ORDER BY code COLLATE posix_bytes, id",
          "SELECT id, body_tsv::text, title_tsv::text FROM docs ORDER BY id",
          "SELECT * FROM people_named ORDER BY id",
          "SELECT count(*)::int AS n FROM people WHERE name = 'NAME 3'",
          `SELECT collname, collprovider::text, collisdeterministic FROM pg_collation WHERE collnamespace IN ('public'::regnamespace, 'lang'::regnamespace) ORDER BY 1`,
          "SELECT amopstrategy, amopopr::regoperator::text FROM pg_amop WHERE amopfamily = (SELECT oid FROM pg_opfamily WHERE opfname = 'ci_ops') ORDER BY 1",
        ]) {
          assert.deepEqual(await rows(pair.target, sql), await rows(pair.source, sql), sql);
        }
      } finally {
        await pair.drop();
      }
    });
  }
});

describe("schema fidelity of these objects through a snapshot", () => {
  it("a dump's manifest carries them and a restore into an empty database creates them as pg_dump sees them", async () => {
    const pair = await createDatabasePair("fid_ops_snap", { source: machineServerUrl(), target: machineServerUrl() });
    const dir = mkdtempSync(join(tmpdir(), "pgferry-objects-"));
    try {
      await pair.source.query(FIXTURE);
      const config = configSchema.parse({});
      const store = createFileStore(dir);
      await dumpSnapshot({ source: resolveEndpoint(pair.sourceUrl, "source", config), store, selection: { include: [], exclude: [], where: {} }, lockTimeoutSeconds: 10, pgferryVersion: "test" });
      const { report } = await restoreSnapshot({ store, snapshot: "latest", target: resolveEndpoint(pair.targetUrl, "target", config) });
      assert.equal(report.committed, true, report.error);
      const [source, target] = [await dumpSchema(pair.sourceUrl), await dumpSchema(pair.targetUrl)];
      const objects = [...source.keys()].filter((k) => KINDS.test(k));
      assert.deepEqual(objects.filter((k) => target.get(k) !== source.get(k)), []);
      assert.ok(objects.length >= 20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await pair.drop();
    }
  });
});

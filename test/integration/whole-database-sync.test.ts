/**
 * Issue 14 items 8, 4 and 9: a whole-database sync creates every object the target lacks (so
 * `pgferry diff` right after finds nothing and a second run plans no DDL), a crosstab view whose
 * tables hide in a string is created with its extension, a partial selection creates only what
 * its tables need, and large objects are reported with their count and size.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { describeDdl } from "../../src/ddl/render-ddl.js";
import { assertConverged } from "../harness/assert-converged.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, dropRole, machineServerUrl, serverUrls, withUser, type DatabasePair } from "../harness/test-databases.js";

const FIXTURE = new URL("../fixtures/whole-schema.sql", import.meta.url);
const failed = (report: { steps: readonly { status: string }[] }) => JSON.stringify(report.steps.filter((s) => s.status !== "ok" && s.status !== "skipped"));

const pairs = [
  // 17 → 18 by default; PGFERRY_TEST_SOURCE_VERSION/TARGET_VERSION=12 run it on 12.
  { label: "harness servers", servers: () => serverUrls() },
  // Same major: function and view bodies are compared too.
  { label: "15 → 15", servers: () => ({ source: machineServerUrl(), target: machineServerUrl() }) },
];

for (const { label, servers } of pairs) describe(`whole-database sync (${label})`, () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("whole_db", servers());
    await pair.source.query(await readFile(FIXTURE, "utf8"));
    const version = await pair.source.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v");
    // A SQL-standard body (14+) records its tables in pg_depend: created after them too.
    if (version.rows[0]!.v >= 140000) await pair.source.query("CREATE FUNCTION public.sale_count() RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC SELECT count(*) FROM public.sale; END");
    // The target already has film (empty): views over it must be created too.
    await pair.target.query("CREATE TABLE public.film (id int PRIMARY KEY, title text NOT NULL, rating text NOT NULL)");
  });
  after(async () => pair?.drop());

  it("creates every object of the source, the crosstab view works, and diff finds nothing", async () => {
    const { plan, report } = await syncPair(pair);
    assert.equal(report.ok, true, report.error ?? failed(report));
    assert.deepEqual(plan.diagnostics.filter((d) => d.level !== "info").map((d) => d.message), []);
    const ddl = [...plan.preData, ...plan.postData].map(describeDdl);
    for (const expected of [
      /^CREATE EXTENSION IF NOT EXISTS "citext"/, /^CREATE EXTENSION IF NOT EXISTS "tablefunc"/, /^CREATE TYPE "public"."mood"/, /^CREATE DOMAIN "public"."positive"/,
      /^CREATE TYPE "public"."pair"/, /^CREATE SEQUENCE "public"."tickets"/, /FUNCTION public.unused_add/, /PROCEDURE public.reset_sales/, /^CREATE AGGREGATE "public"."cat"/,
      /FUNCTION public.sales_of/, /^CREATE VIEW "public"."sales_pivot"/, /^CREATE VIEW "public"."constants"/, /^CREATE VIEW "public"."film_titles_short"/,
    ]) assert.ok(ddl.some((s) => expected.test(s)), `${expected} in\n${ddl.join("\n")}`);
    const position = (re: RegExp) => ddl.findIndex((s) => re.test(s));
    assert.ok(position(/FUNCTION public.sales_of/) > position(/^CREATE TABLE "public"."sale"/), "a function returning SETOF sale comes after the table");

    const pivot = "SELECT * FROM public.sales_pivot ORDER BY film_id";
    assert.deepEqual((await pair.target.query(pivot)).rows, (await pair.source.query(pivot)).rows, "the crosstab view reads the copied rows");
    assert.equal((await pair.target.query(pivot)).rows.length, 4);
    const next = await pair.target.query("SELECT nextval('public.tickets')::int AS n");
    assert.deepEqual(next.rows, [{ n: 106 }], "the free-standing sequence continues where the source's stopped");
    assert.deepEqual((await pair.target.query("SELECT public.cat(title ORDER BY id) AS c, public.unused_add(2, 3) AS s FROM public.film")).rows, [
      { c: "film 1,film 2,film 3,film 4", s: 5 },
    ]);
    assert.deepEqual((await pair.target.query("SELECT n::int FROM public.film_count")).rows, [{ n: 4 }], "the materialized view is refreshed");

    await assertConverged(pair);
  });
});

describe("partial selection", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("whole_partial");
    await pair.source.query(await readFile(FIXTURE, "utf8"));
  });
  after(async () => pair?.drop());

  it("creates only what the chosen table needs, and diff of the same selection finds nothing", async () => {
    const { plan, report } = await syncPair(pair, { include: ["film"] });
    assert.equal(report.ok, true, report.error ?? failed(report));
    assert.deepEqual(
      [...plan.preData, ...plan.postData].map(describeDdl).map((s) => s.replace(/ AS$/, "")),
      [
        'CREATE TABLE "public"."film" (',
        'ALTER TABLE "public"."film" ADD CONSTRAINT "film_pkey" PRIMARY KEY (id)',
        'CREATE MATERIALIZED VIEW "public"."film_count"',
        'CREATE VIEW "public"."film_titles"',
        'CREATE VIEW "public"."film_titles_short"',
        'REFRESH MATERIALIZED VIEW "public"."film_count"',
      ],
    );
    assert.deepEqual(plan.diagnostics.filter((d) => d.level !== "info").map((d) => `${d.table?.name}: ${d.message.split(":")[0]}`), [
      "sales_pivot: view not created",
    ], "the crosstab view, whose tables pg_depend cannot see, is named, not dropped silently");
    const extensions = await pair.target.query("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'");
    assert.deepEqual(extensions.rows, [], "no extension nothing chosen needs");
    await assertConverged(pair, { include: ["film"] });
  });
});

describe("large objects", () => {
  let pair: DatabasePair;
  const reader = `pgferry_lo_reader_${randomBytes(4).toString("hex")}`;
  const password = randomBytes(9).toString("hex");
  before(async () => {
    pair = await createDatabasePair("whole_lo");
    await pair.source.query("CREATE TABLE doc (id int PRIMARY KEY, body oid); INSERT INTO doc VALUES (1, lo_from_bytea(0, 'hello')), (2, lo_from_bytea(0, 'large world'))");
    await pair.source.query(`CREATE ROLE ${reader} LOGIN PASSWORD '${password}'; GRANT SELECT ON doc TO ${reader}`);
  });
  after(async () => {
    await pair?.drop();
    await dropRole(serverUrls().source, reader);
  });

  it("are reported in the plan with their count and size", async () => {
    const { plan } = await syncPair(pair, { dryRun: true });
    assert.deepEqual(plan.diagnostics.filter((d) => d.level === "warning").map((d) => d.message), [
      "the source has 2 large object(s) (16 bytes): not copied by pgferry (pg_dump -b carries them)",
    ]);
  });

  it("are counted also by a role that may not read pg_largeobject, without their size", async () => {
    const { plan } = await syncPair({ sourceUrl: withUser(pair.sourceUrl, reader, password), targetUrl: pair.targetUrl }, { dryRun: true });
    assert.deepEqual(plan.diagnostics.filter((d) => d.level === "warning").map((d) => d.message), [
      "the source has 2 large object(s) (size unknown: the source role may not read pg_largeobject): not copied by pgferry (pg_dump -b carries them)",
    ]);
  });
});

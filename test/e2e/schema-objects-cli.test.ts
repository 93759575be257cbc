/**
 * The CLI's dry run of a sync that needs a user collation, operator class or text search
 * configuration: listed before the data; and one the target cannot create, refused with one line.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, machineServerUrl, type DatabasePair } from "../harness/test-databases.js";

const FIXTURE = readFileSync(new URL("../fixtures/schema-objects.sql", import.meta.url), "utf8");

describe("pgferry sync --dry-run with collations, operator classes and text search objects", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("cli_objects", { source: machineServerUrl(), target: machineServerUrl() });
    await pair.source.query(FIXTURE);
  });
  after(async () => pair?.drop());

  it("lists them before the data", async () => {
    const run = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--dry-run"]);
    assert.equal(run.code, 0, run.stderr);
    for (const line of [
      `  CREATE COLLATION "lang"."case insensitive" (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`,
      '  CREATE OPERATOR CLASS "public"."ci_ops" FOR TYPE text USING "btree" FAMILY "public"."ci_ops" AS',
      '  CREATE TEXT SEARCH CONFIGURATION "public"."docs_cfg" (',
      "  COMMENT ON OPERATOR CLASS \"public\".\"ci_ops\" USING \"btree\" IS 'case-insensitive order'",
    ]) {
      assert.ok(run.stdout.split("\n").includes(line), `${line}\n${run.stdout}`);
    }
  });

  it("refuses one the target cannot create with one error line, and writes nothing", async () => {
    await pair.source.query(`
      CREATE FUNCTION c_cmp(int4, int4) RETURNS int4 LANGUAGE c IMMUTABLE STRICT AS '$libdir/plpgsql', 'plpgsql_validator';
      CREATE OPERATOR CLASS c_ops FOR TYPE int4 USING btree AS OPERATOR 1 <, OPERATOR 3 =, FUNCTION 1 c_cmp(int4, int4);
      CREATE TABLE counters (id int PRIMARY KEY, n int);
      CREATE INDEX counters_n ON counters (n c_ops);`);
    const run = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--dry-run"]);
    assert.notEqual(run.code, 0);
    // The plan's refusals are printed with the plan, one "error:" line each.
    const lines = run.stdout.split("\n").filter((l) => l.startsWith("error:"));
    assert.equal(lines.length, 1, run.stdout);
    assert.deepEqual(errorLines(run.stderr), []);
    assert.match(lines[0]!, /public\.counters: needs operator class public\.c_ops USING btree, which pgferry cannot create on the target: its function public\.c_cmp\(integer,integer\) is written in C/);
    assert.deepEqual((await pair.target.query("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace")).rows, []);
  });
});

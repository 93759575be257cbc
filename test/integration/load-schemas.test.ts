/**
 * Load schemas are pgferry's own only when they say so (exact name shape and pgferry's comment):
 * a user's schema that starts with the prefix survives every run; a killed run's leftovers go at
 * the start of the next run that writes, whatever its --jobs. A worker session that cannot open
 * stops the run and leaves no session or schema behind.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, it } from "node:test";
import { LOAD_SCHEMA_COMMENT } from "../../src/execute/parallel-load.js";
import { assertConverged } from "../harness/assert-converged.js";
import { syncPair } from "../harness/sync-helpers.js";
import { assertNoPgferrySessions, connectTo, createDatabasePair, serverUrls, withUser, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `
  CREATE TABLE orgs (id int PRIMARY KEY, name text NOT NULL);
  CREATE TABLE users (id bigint PRIMARY KEY, org_id int NOT NULL REFERENCES orgs, email text NOT NULL);
  INSERT INTO orgs SELECT g, 'org ' || g FROM generate_series(1, 20) g;
  INSERT INTO users SELECT g, 1 + g % 20, 'u' || g || '@x.test' FROM generate_series(1, 3000) g;
  ANALYZE;`;

async function schemas(pair: DatabasePair): Promise<string[]> {
  const { rows } = await pair.target.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pgferry\\_load\\_%' ORDER BY 1");
  return rows.map((r) => r.nspname);
}

describe("load schemas", () => {
  let pair: DatabasePair;
  beforeEach(async () => {
    pair = await createDatabasePair("load_schemas");
    await pair.source.query(SCHEMA);
  });
  afterEach(async () => pair?.drop());

  it("a user's schema named like a load schema survives a --jobs 2 run", async () => {
    await pair.target.query("CREATE SCHEMA pgferry_load_userdata; CREATE TABLE pgferry_load_userdata.keep (id int); INSERT INTO pgferry_load_userdata.keep VALUES (1)");
    await pair.target.query("CREATE SCHEMA pgferry_load_abcdef12_1; CREATE TABLE pgferry_load_abcdef12_1.mine (id int)"); // the shape, but not pgferry's comment
    const { report } = await syncPair(pair, { jobs: 2 });
    assert.equal(report.committed, true, report.error);
    assert.deepEqual(await schemas(pair), ["pgferry_load_abcdef12_1", "pgferry_load_userdata"]);
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM pgferry_load_userdata.keep")).rows[0].n, 1);
    await assertConverged(pair, { jobs: 2 }, {
      expectedDrift: ["table pgferry_load_abcdef12_1.mine: only-target", "table pgferry_load_userdata.keep: only-target"],
    });
  });

  it("a killed run's load schema is dropped by the next run that writes, also with --jobs 1", async () => {
    // What a run killed after its workers committed leaves: a marked schema holding a full copy.
    await pair.target.query(`CREATE SCHEMA pgferry_load_deadbeef_1; CREATE TABLE pgferry_load_deadbeef_1.users AS SELECT g AS id FROM generate_series(1, 1000) g;
      COMMENT ON SCHEMA pgferry_load_deadbeef_1 IS '${LOAD_SCHEMA_COMMENT}'`);
    const dry = await syncPair(pair, { dryRun: true });
    assert.equal(dry.report.ok, true);
    assert.deepEqual(await schemas(pair), ["pgferry_load_deadbeef_1"], "a dry run changes nothing");
    const warnings: string[] = [];
    const { report } = await syncPair(pair, { jobs: 1, onEvent: (e) => void (e.kind === "log" && e.level === "warn" && warnings.push(e.message)) });
    assert.equal(report.committed, true, report.error);
    assert.deepEqual(await schemas(pair), []);
    assert.ok(warnings.some((w) => /dropped 1 load schema\(s\) a killed run left behind: pgferry_load_deadbeef_1/.test(w)), warnings.join("\n"));
  });

  it("a worker whose source session cannot open stops the run: no session, no schema, no table left", async () => {
    const role = `pgferry_limited_${randomBytes(4).toString("hex")}`;
    const password = randomBytes(9).toString("hex");
    const admin = await connectTo(serverUrls().source);
    try {
      // The snapshot's owner and one worker may connect; the second worker may not.
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' CONNECTION LIMIT 2`);
      await pair.source.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
      const { report } = await syncPair({ sourceUrl: withUser(pair.sourceUrl, role, password), targetUrl: pair.targetUrl }, { jobs: 2 });
      assert.equal(report.committed, false);
      assert.match(report.error ?? "", /too many connections for role/);
      await assertNoPgferrySessions(pair.target); // every target session was closed
      assert.deepEqual(await schemas(pair), []);
      const tables = await pair.target.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
      assert.equal(tables.rows[0].n, 0);
    } finally {
      await pair.source.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`);
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });
});

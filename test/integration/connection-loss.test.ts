/**
 * A connection the server ends mid-run is a connection error that names the side that was lost,
 * never a plan problem or a table's own failure; and no pgferry session is left behind.
 * The target's backend ends itself at the right moment: a function that calls
 * pg_terminate_backend(pg_backend_pid()) and then sleeps (the FATAL comes at the sleep's first
 * interrupt check), called from a domain check or a trigger that only the step under test runs.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, beforeEach, describe, it } from "node:test";
import { ConnectionError } from "../../src/errors.js";
import { checkConversions } from "../../src/execute/check-conversions.js";
import { connect } from "../../src/pg/connect.js";
import { errorLines, runCliProcess, syncPair } from "../harness/sync-helpers.js";
import { assertNoPgferrySessions, createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

const END_MY_SESSION = `CREATE FUNCTION end_my_session() RETURNS boolean LANGUAGE plpgsql AS $$
  BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(5); RETURN true; END $$;`;

describe("connection loss names the side", () => {
  let pair: DatabasePair;
  beforeEach(async () => {
    await pair?.drop();
    pair = await createDatabasePair("conn_loss");
  });
  after(async () => pair?.drop());

  it("the target lost while checking a fill value is a ConnectionError naming the target, not a plan problem", async () => {
    await pair.source.query("CREATE TABLE people (id int PRIMARY KEY); INSERT INTO people VALUES (1)");
    // Casting the fill value to the domain runs its check, which ends the session.
    await pair.target.query(`${END_MY_SESSION}
      CREATE DOMAIN tenant_name AS text CHECK (end_my_session());
      CREATE TABLE people (id int PRIMARY KEY, tenant tenant_name NOT NULL)`);
    await assert.rejects(
      syncPair(pair, { tables: { people: { fill: { tenant: "acme" } } } }),
      (e: unknown) => e instanceof ConnectionError && /^lost the connection to the target while checking conversions: terminating connection due to administrator command \[SQLSTATE 57P01\]$/.test(e.message),
    );
    await assertNoPgferrySessions(pair.target);
    await assertNoPgferrySessions(pair.source);
    // The CLI: one error line naming the target, exit code 4 (a connection error), not 2 (a plan problem).
    const dir = mkdtempSync(join(tmpdir(), "pgferry-conn-loss-"));
    writeFileSync(join(dir, "pgferry.yml"), "tables:\n  people:\n    fill:\n      tenant: acme\n");
    const run = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--yes"], { cwd: dir });
    assert.equal(run.code, 4, run.stderr);
    assert.deepEqual(errorLines(run.stderr), ["pgferry: error: lost the connection to the target while checking conversions: terminating connection due to administrator command [SQLSTATE 57P01]"]);
    await assertNoPgferrySessions(pair.target);
  });

  it("the target lost while a column's conversion is checked is a ConnectionError naming the target", async () => {
    await pair.source.query("CREATE TABLE t (id int PRIMARY KEY, n numeric)");
    await pair.target.query("CREATE TABLE t (id int PRIMARY KEY, n jsonb)");
    const { plan } = await syncPair(pair, { dryRun: true });
    assert.ok(plan.actions.some((a) => a.kind === "refresh" && a.copy.staged), "the plan converts t.n");
    const session = await connect(pair.targetUrl, { role: "target" });
    try {
      await pair.target.query("SELECT pg_terminate_backend($1)", [session.pid]);
      const deadline = Date.now() + 5000;
      while (!session.brokenBy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      await assert.rejects(checkConversions(plan, session), (e: unknown) => e instanceof ConnectionError && /^lost the connection to the target while checking conversions: /.test(e.message));
    } finally {
      await session.close();
    }
    await assertNoPgferrySessions(pair.target);
  });

  it("the target lost while a staged table is inserted from its staging table names the target", async () => {
    await pair.source.query("CREATE TABLE t (id int PRIMARY KEY, n numeric); INSERT INTO t SELECT g, g FROM generate_series(1, 100) g");
    // numeric → jsonb stages the rows; the trigger fires only at the INSERT … SELECT from staging.
    await pair.target.query(`${END_MY_SESSION}
      CREATE TABLE t (id int PRIMARY KEY, n jsonb); INSERT INTO t VALUES (1, '1');
      CREATE FUNCTION t_end() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM end_my_session(); RETURN NEW; END $$;
      CREATE TRIGGER t_end BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION t_end()`);
    const before = await tableFingerprint(pair.target, "t");
    const { report } = await syncPair(pair);
    assert.equal(report.committed, false);
    assert.match(report.error ?? "", /^target connection lost while copying public\.t: terminating connection due to administrator command \[SQLSTATE 57P01\]$/);
    assert.equal(await tableFingerprint(pair.target, "t"), before);
    await assertNoPgferrySessions(pair.target);
    await assertNoPgferrySessions(pair.source);
  });
});

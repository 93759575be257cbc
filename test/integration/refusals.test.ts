/**
 * Runs that must refuse or fail leave the target exactly as it was: same database, protected
 * target, selection that matches nothing, a broken where filter, data the target cannot take;
 * and a dry run changes nothing.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { CancelledError, ConfigError, SafetyError } from "../../src/errors.js";
import { runSync } from "../../src/execute/run-sync.js";
import { syncPair } from "../harness/sync-helpers.js";
import { assertNoPgferrySessions, createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `
  CREATE TABLE orgs (id int PRIMARY KEY, name text NOT NULL);
  CREATE TABLE users (id serial PRIMARY KEY, org_id int REFERENCES orgs(id), email text, score text);
`;

describe("refusals and failures change nothing", () => {
  let pair: DatabasePair;
  let targetBefore: string[];
  const snapshotTarget = async () => Promise.all(["orgs", "users"].map((t) => tableFingerprint(pair.target, t)));

  before(async () => {
    pair = await createDatabasePair("refusals");
    await pair.source.query(SCHEMA + "INSERT INTO orgs VALUES (1, 'a'), (2, 'b'); INSERT INTO users (org_id, email, score) SELECT 1 + g % 2, g || '@x', g::text FROM generate_series(1, 500) g;");
    await pair.target.query(SCHEMA + "INSERT INTO orgs VALUES (9, 'staging'); INSERT INTO users (org_id, email, score) VALUES (9, 'staging@x', '1');");
  });
  beforeEach(async () => (targetBefore = await snapshotTarget()));
  after(async () => pair?.drop());

  const assertTargetUnchanged = async () => assert.deepEqual(await snapshotTarget(), targetBefore);

  it("refuses to sync a database into itself", async () => {
    await assert.rejects(syncPair({ sourceUrl: pair.targetUrl, targetUrl: pair.targetUrl }), (e: unknown) => e instanceof SafetyError && /same database/.test(e.message));
    // Also when the two URLs are spelled differently.
    const other = new URL(pair.targetUrl);
    other.hostname = "localhost";
    await assert.rejects(syncPair({ sourceUrl: other.toString(), targetUrl: pair.targetUrl }), /same database/);
    // And when the two sessions run in different time zones.
    const tokyo = new URL(pair.targetUrl);
    tokyo.searchParams.set("options", "-c TimeZone=Asia/Tokyo");
    await assert.rejects(syncPair({ sourceUrl: tokyo.toString(), targetUrl: pair.targetUrl }), /same database/);
    await assertTargetUnchanged();
  });

  it("a sync the user does not confirm is a CancelledError (still a SafetyError, exit 3) and writes nothing", async () => {
    let asked = 0;
    await assert.rejects(
      syncPair(pair, { confirm: async () => (asked++, false) }),
      (e: unknown) => e instanceof CancelledError && e instanceof SafetyError && e.code === "SAFETY",
    );
    assert.equal(asked, 1);
    await assertTargetUnchanged();
    await assertNoPgferrySessions(pair.target);
  });

  it("never writes to a protected environment, even given by URL", async () => {
    const config = configSchema.parse({ environments: { staging: { url: pair.targetUrl, protected: true } } });
    const run = (to: string) =>
      runSync({ source: resolveEndpoint(pair.sourceUrl, "source", config), target: resolveEndpoint(to, "target", config), selection: { include: [], exclude: [], where: {} } });
    await assert.rejects(run("staging"), (e: unknown) => e instanceof SafetyError && /protected/.test(e.message));
    await assert.rejects(run(pair.targetUrl), /protected/);
    await assertTargetUnchanged();
  });

  it("rejects a table pattern that matches nothing", async () => {
    await assert.rejects(syncPair(pair, { include: ["users", "no_such_table"] }), (e: unknown) => e instanceof ConfigError && /"no_such_table" matches no table/.test(e.message));
    await assertTargetUnchanged();
  });

  it("rejects a where filter with a SQL error before writing", async () => {
    await assert.rejects(
      syncPair(pair, { where: { users: "no_such_column > 1" } }),
      (e: unknown) => e instanceof ConfigError && /where filter for public\.users is not valid SQL here: column "no_such_column" does not exist/.test(e.message),
    );
    await assert.rejects(syncPair(pair, { where: { users: "true) TO STDOUT; DROP TABLE orgs; --" } }), ConfigError);
    await assertTargetUnchanged();
    const stillThere = await pair.source.query("SELECT count(*)::int AS n FROM orgs");
    assert.equal(stillThere.rows[0].n, 2);
  });

  it("applies a valid where filter on the source", async () => {
    const { report } = await syncPair(pair, { where: { users: "id <= 10" }, dryRun: false });
    assert.equal(report.ok, true, report.error);
    const rows = await pair.target.query("SELECT count(*)::int AS n, max(id) AS m FROM users");
    assert.deepEqual(rows.rows[0], { n: 10, m: 10 });
    const seq = await pair.target.query("SELECT nextval('users_id_seq')::int AS n");
    assert.equal(seq.rows[0].n, 501, "the sequence follows the source, not the filtered rows");
    // Put the target back to its starting state for the next tests.
    await pair.target.query("BEGIN; TRUNCATE users, orgs; INSERT INTO orgs VALUES (9, 'staging'); INSERT INTO users (org_id, email, score) VALUES (9, 'staging@x', '1'); COMMIT;");
  });

  it("fails the run when a target column cannot take the source's data, and rolls back every table", async () => {
    await pair.target.query("ALTER TABLE users ALTER COLUMN score TYPE int USING score::int");
    await pair.source.query("UPDATE users SET score = 'not a number' WHERE id = 7");
    targetBefore = await snapshotTarget();
    const { report, plan } = await syncPair(pair);
    assert.ok(plan.diagnostics.some((d) => /column "score" is text on the source and integer on the target/.test(d.message)));
    assert.equal(report.ok, false);
    assert.equal(report.committed, false);
    const users = report.steps.find((s) => s.table.name === "users");
    assert.equal(users?.status, "failed");
    assert.match(users?.reason ?? "", /invalid input syntax for type integer: "not a number"/);
    assert.equal(report.steps.find((s) => s.table.name === "orgs")?.status, "rolled-back");
    await assertTargetUnchanged();
    await pair.source.query("UPDATE users SET score = '7' WHERE id = 7");
  });

  it("a dry run reads both sides and changes nothing", async () => {
    await pair.source.query("CREATE TABLE only_on_source (id int PRIMARY KEY)");
    const { plan, report } = await syncPair(pair, { dryRun: true });
    assert.equal(report.dryRun, true);
    assert.equal(report.committed, false);
    assert.equal(plan.actions.find((a) => a.table.name === "only_on_source")?.kind, "create");
    assert.ok(plan.actions.every((a) => a.kind !== "skip"));
    await assertTargetUnchanged();
    const created = await pair.target.query("SELECT to_regclass('public.only_on_source') AS t");
    assert.equal(created.rows[0].t, null);
  });
});

describe("lock timeout", () => {
  it("gives up with a clear message when another session holds a refreshed table, and changes nothing", async () => {
    const pair = await createDatabasePair("locktimeout");
    try {
      await pair.source.query("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2)");
      await pair.target.query("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (9)");
      await pair.target.query("BEGIN; LOCK TABLE t IN ACCESS SHARE MODE");
      const started = Date.now();
      const { report } = await syncPair(pair, { lockTimeoutSeconds: 0.5 });
      assert.ok(Date.now() - started < 10_000);
      assert.equal(report.ok, false);
      assert.match(report.error ?? "", /gave up after 0\.5 s waiting for a lock on public\.t: another session is using it/);
      await pair.target.query("ROLLBACK");
      const rows = await pair.target.query("SELECT array_agg(id)::text AS ids FROM t");
      assert.equal(rows.rows[0].ids, "{9}");
    } finally {
      await pair.drop();
    }
  });
});

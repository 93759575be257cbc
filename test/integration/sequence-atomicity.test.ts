/**
 * Sequences move with the data or not at all: a run that fails at COMMIT (a deferred constraint
 * trigger) leaves every target sequence where it was; a run that commits
 * moves them, in refresh mode backwards too.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import { syncPair } from "../harness/sync-helpers.js";
import { connectTo, createDatabasePair, serverUrls, tableFingerprint, withUser, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);`;

async function sequencePosition(client: DatabasePair["target"]): Promise<string> {
  const rows = await client.query<{ last_value: string; is_called: boolean }>("SELECT last_value::text, is_called FROM users_id_seq");
  return `${rows.rows[0]!.last_value}/${rows.rows[0]!.is_called}`;
}

describe("sequences are part of the transaction", () => {
  let pair: DatabasePair;

  before(async () => {
    pair = await createDatabasePair("seq_atomic");
    await pair.source.query(SCHEMA);
    await pair.source.query("INSERT INTO users (email) SELECT 'u' || g || '@example.org' FROM generate_series(1, 500) g; SELECT setval('users_id_seq', 50000)");
    await pair.target.query(SCHEMA);
  });
  beforeEach(async () => {
    await pair.target.query("DROP TRIGGER IF EXISTS refuse_at_commit ON users; TRUNCATE users");
    await pair.target.query("INSERT INTO users (id, email) SELECT g, 'staging' || g FROM generate_series(1, 1200) g; SELECT setval('users_id_seq', 120000)");
  });
  after(async () => pair?.drop());

  it("a run that fails at COMMIT leaves the target's sequence where it was (refresh would move it backwards)", async () => {
    await pair.target.query(`
      CREATE OR REPLACE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$;
      CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON users DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_commit();
    `);
    const before = await tableFingerprint(pair.target, "users");
    const { report } = await syncPair(pair);
    assert.equal(report.committed, false);
    assert.match(report.error ?? "", /commit failed: .*refused at commit/);
    assert.equal(await sequencePosition(pair.target), "120000/true");
    assert.equal(await tableFingerprint(pair.target, "users"), before);
  });

  it("a merge run that fails at COMMIT does not move the sequence forward either", async () => {
    await pair.target.query("SELECT setval('users_id_seq', 1300)");
    await pair.target.query(`
      CREATE OR REPLACE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$;
      CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT OR UPDATE ON users DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_commit();
    `);
    const { report } = await syncPair(pair, { mode: "upsert" });
    assert.equal(report.committed, false);
    assert.equal(await sequencePosition(pair.target), "1300/true");
  });

  it("a run that commits sets the source's position, backwards in refresh mode", async () => {
    const { report } = await syncPair(pair);
    assert.equal(report.committed, true, report.error);
    assert.equal(report.sequencesSet, 1);
    assert.equal(await sequencePosition(pair.target), "50000/true");
    const next = await pair.target.query<{ id: string }>("INSERT INTO users (email) VALUES ('new') RETURNING id::text");
    assert.equal(next.rows[0]!.id, "50001");
  });

  it("upsert never moves a sequence backwards, and a value already handed out is not handed out again", async () => {
    await pair.target.query("SELECT setval('users_id_seq', 50000)");
    const { report } = await syncPair(pair, { mode: "upsert" });
    assert.equal(report.committed, true, report.error);
    const next = await pair.target.query<{ id: string }>("INSERT INTO users (email) VALUES ('new') RETURNING id::text");
    assert.equal(next.rows[0]!.id, "50001");
  });

  it("a role that may update but not own the sequence gets it set right after COMMIT, with a warning", async () => {
    const role = `pgferry_writer_${randomBytes(4).toString("hex")}`;
    const password = randomBytes(9).toString("hex");
    await pair.target.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    try {
      await pair.target.query(`GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON users TO ${role}; GRANT USAGE, SELECT, UPDATE ON users_id_seq TO ${role}`);
      const warnings: string[] = [];
      const { report } = await syncPair(
        { sourceUrl: pair.sourceUrl, targetUrl: withUser(pair.targetUrl, role, password) },
        { onEvent: (e) => void (e.kind === "log" && e.level === "warn" && warnings.push(e.message)) },
      );
      assert.equal(report.committed, true, report.error);
      assert.equal(report.sequencesSet, 1);
      assert.equal(await sequencePosition(pair.target), "50000/true");
      assert.ok(warnings.some((w) => /public\.users_id_seq is not owned by the target role: it was set right after COMMIT/.test(w)), warnings.join("\n"));
    } finally {
      const admin = await connectTo(serverUrls().target);
      await pair.target.query(`REVOKE ALL ON users FROM ${role}; REVOKE ALL ON users_id_seq FROM ${role}; REVOKE ALL ON SCHEMA public FROM ${role}`);
      await admin.query(`DROP ROLE ${role}`);
      await admin.end();
    }
  });

  it("a connection that breaks during COMMIT is reported as an unknown outcome, not as a rollback", async () => {
    await pair.target.query(`
      CREATE OR REPLACE FUNCTION die_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON users DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION die_at_commit();
    `);
    const { report } = await syncPair(pair);
    assert.equal(report.committed, false);
    assert.equal(report.commitUnknown, true, report.error);
    assert.match(report.error ?? "", /^the connection broke during COMMIT: the target may or may not have the new data/);
    assert.equal(await sequencePosition(pair.target), "120000/true");
  });
});

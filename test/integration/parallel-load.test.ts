/**
 * --jobs > 1: new tables load as shadow tables in worker sessions (committed in private load
 * schemas) and the run's transaction moves them into place. A failure or an interrupt must still
 * leave the target as it was, with no load schema behind; a table that needs a type the run
 * creates loads in the run's own transaction at the same time.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { LOAD_SCHEMA_COMMENT } from "../../src/execute/parallel-load.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `
  CREATE TYPE mood AS ENUM ('ok', 'sad');
  CREATE SEQUENCE note_numbers START 100;
  CREATE TABLE orgs (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE, CHECK (name <> ''));
  CREATE TABLE users (id bigserial PRIMARY KEY, org_id int NOT NULL REFERENCES orgs, email text NOT NULL, n int DEFAULT nextval('note_numbers'),
                      doubled bigint GENERATED ALWAYS AS (id * 2) STORED);
  CREATE UNIQUE INDEX users_email_lower ON users (lower(email)) WHERE email <> '';
  COMMENT ON INDEX users_email_lower IS 'one account per address';
  CREATE TABLE moods (id int PRIMARY KEY, user_id bigint REFERENCES users, m mood NOT NULL);
  INSERT INTO orgs (name) SELECT 'org ' || g FROM generate_series(1, 20) g;
  INSERT INTO users (org_id, email) SELECT 1 + g % 20, 'u' || g || '@x.test' FROM generate_series(1, 5000) g;
  INSERT INTO moods SELECT g, g, CASE WHEN g % 2 = 0 THEN 'ok'::mood ELSE 'sad' END FROM generate_series(1, 300) g;
  ANALYZE;`;

async function loadSchemas(pair: DatabasePair): Promise<string[]> {
  const { rows } = await pair.target.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pgferry\\_load\\_%'");
  return rows.map((r) => r.nspname);
}

describe("parallel loading (--jobs 2)", () => {
  let pair: DatabasePair;
  beforeEach(async () => {
    pair = await createDatabasePair("parallel");
    await pair.source.query(SCHEMA);
  });
  afterEach(async () => pair?.drop());

  it("loads plain new tables as shadows, the enum table in the run's transaction, and ends equal to the source", async () => {
    const logs: string[] = [];
    const { report } = await syncPair(pair, { jobs: 2, onEvent: (e) => void (e.kind === "log" && logs.push(e.message)) });
    assert.equal(report.ok, true, report.error);
    assert.ok(logs.includes("loading 2 new table(s) with 2 workers"), logs.join("\n"));
    for (const table of ["orgs", "users", "moods"]) assert.equal(await tableFingerprint(pair.target, table), await tableFingerprint(pair.source, table), table);
    const columns = await pair.target.query(
      `SELECT attname, attidentity, attgenerated, pg_get_expr(d.adbin, d.adrelid) AS def FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE attrelid IN ('public.orgs'::regclass, 'public.users'::regclass) AND attnum > 0 ORDER BY attrelid::regclass::text, attnum`,
    );
    assert.deepEqual(
      columns.rows.map((r) => `${r.attname}:${r.attidentity}:${r.attgenerated}:${r.def}`),
      ["id:a::null", "name:::null", "id:::nextval('users_id_seq'::regclass)", "org_id:::null", "email:::null", "n:::nextval('note_numbers'::regclass)", "doubled::s:(id * 2)"],
      "identity, serial and sequence defaults and the generated column are as on the source",
    );
    const next = await pair.target.query("INSERT INTO orgs (name) VALUES ('new') RETURNING id");
    assert.equal(next.rows[0].id, 21, "the identity continues after the copied rows");
    const user = await pair.target.query("INSERT INTO users (org_id, email) VALUES (1, 'fresh@x.test') RETURNING id, n");
    assert.deepEqual(user.rows[0], { id: "5001", n: 5100 }, "both sequences continue where the source stopped");
    await assert.rejects(pair.target.query("INSERT INTO users (org_id, email) VALUES (1, 'U1@X.TEST')"), /users_email_lower/, "the partial expression index is there");
    await assert.rejects(pair.target.query("INSERT INTO users (org_id, email) VALUES (99, 'x@x.test')"), /users_org_id_fkey/);
    const comment = await pair.target.query("SELECT obj_description('public.users_email_lower'::regclass, 'pg_class') AS c");
    assert.equal(comment.rows[0].c, "one account per address");
    assert.deepEqual(await loadSchemas(pair), []);
  });

  it("a failure while moving the shadows into place rolls everything back and drops the load schemas", async () => {
    // A relation on the target with the name of the source's index: the moved index collides with it.
    // Made after planning (the rehearsal of the plan's DDL would refuse it), just before the run writes.
    const collide = async () => {
      await pair.target.query("CREATE TABLE users_email_lower (keep int); INSERT INTO users_email_lower VALUES (7)");
      return true;
    };
    const { report } = await syncPair(pair, { jobs: 2, confirm: collide });
    assert.equal(report.ok, false);
    assert.equal(report.committed, false);
    assert.match(report.error ?? "", /users_email_lower/);
    const tables = await pair.target.query("SELECT string_agg(relname, ',' ORDER BY relname) AS t FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace");
    assert.equal(tables.rows[0].t, "users_email_lower", "only the table that was there before");
    const kept = await pair.target.query("SELECT keep FROM users_email_lower");
    assert.deepEqual(kept.rows, [{ keep: 7 }]);
    assert.deepEqual(await loadSchemas(pair), []);
  });

  it("an interrupt while the workers load rolls back and drops the load schemas; a stale load schema is removed by the next run", async () => {
    const controller = new AbortController();
    const { report } = await syncPair(pair, {
      jobs: 2,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.kind === "table-start" && e.table.name === "users") controller.abort();
      },
    });
    assert.equal(report.committed, false);
    assert.match(report.error ?? "", /interrupted: target rolled back/);
    const exists = await pair.target.query("SELECT to_regclass('public.users') AS u, to_regtype('public.mood') AS m");
    assert.deepEqual(exists.rows[0], { u: null, m: null });
    assert.deepEqual(await loadSchemas(pair), []);

    // What a killed run leaves behind: the next run (holding the target's lock) drops it.
    await pair.target.query(`CREATE SCHEMA pgferry_load_deadbeef_1; CREATE TABLE pgferry_load_deadbeef_1.users (id int);
      COMMENT ON SCHEMA pgferry_load_deadbeef_1 IS '${LOAD_SCHEMA_COMMENT}'`);
    const again = await syncPair(pair, { jobs: 2 });
    assert.equal(again.report.ok, true, again.report.error);
    assert.deepEqual(await loadSchemas(pair), []);
  });
});

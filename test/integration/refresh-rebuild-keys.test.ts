/**
 * What the index behind a key carries besides the constraint's definition: storage parameters
 * (pg_get_constraintdef leaves them out; pg_dump adds them itself) and its own comment (COMMENT
 * ON INDEX, not the constraint's). The refresh path drops and rebuilds keys, so it must bring
 * both back from the target; a created table's key gets the source's storage parameters.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { nameKey, qualifiedName } from "../../src/model/qualified-name.js";
import { schemaFingerprint, withoutTables } from "../harness/schema-fingerprint.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `
  CREATE TABLE t (id int, code text NOT NULL, note text,
                  CONSTRAINT t_pkey PRIMARY KEY (id) WITH (fillfactor = 70),
                  CONSTRAINT t_code UNIQUE (code) INCLUDE (note) WITH (fillfactor = 80) DEFERRABLE INITIALLY DEFERRED);
  CREATE TABLE r (id int PRIMARY KEY, t_id int REFERENCES t);
`;

describe("refresh path: the index behind a key", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("rebuild_keys");
    await pair.source.query(`${SCHEMA}
      CREATE TABLE n (id int, CONSTRAINT n_pkey PRIMARY KEY (id) WITH (fillfactor = 60));
      COMMENT ON INDEX n_pkey IS 'a created key''s index';
      INSERT INTO t SELECT g, 'c' || g, 'n' || g FROM generate_series(1, 300) g;
      INSERT INTO r SELECT g, g FROM generate_series(1, 300) g;
      INSERT INTO n SELECT generate_series(1, 300);`);
    await pair.target.query(`${SCHEMA}
      ALTER INDEX t_code SET (fillfactor = 90);
      COMMENT ON INDEX t_pkey IS 'the index behind the key';
      COMMENT ON CONSTRAINT t_pkey ON t IS 'the key';
      COMMENT ON INDEX t_code IS 'codes';
      INSERT INTO t VALUES (1, 'old', NULL);`);
  });
  after(async () => pair?.drop());

  for (const jobs of [1, 2]) {
    it(`keeps its storage parameters and comment (--jobs ${jobs}); a created key gets the source's`, async () => {
      await pair.target.query("DROP TABLE IF EXISTS n");
      const schemaBefore = await schemaFingerprint(pair.target);
      const { plan, report } = await syncPair(pair, { jobs });
      assert.equal(report.ok, true, report.error);
      const t = plan.actions.find((a) => nameKey(a.table) === nameKey(qualifiedName("public", "t")));
      assert.equal(t?.kind === "refresh" && t.path?.kind, "rebuild");
      assert.deepEqual(withoutTables(await schemaFingerprint(pair.target), ["n"]), schemaBefore);
      const created = await pair.target.query("SELECT pg_get_indexdef('n_pkey'::regclass) AS definition, obj_description('n_pkey'::regclass, 'pg_class') AS comment");
      assert.match(created.rows[0].definition, /WITH \(fillfactor='?60'?\)/);
      assert.equal(created.rows[0].comment, "a created key's index");
      for (const table of ["t", "r", "n"]) assert.equal(await tableFingerprint(pair.target, table), await tableFingerprint(pair.source, table), table);
    });
  }
});

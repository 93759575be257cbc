/**
 * Issue 12, item 7: quoted names that hold `,` or `:` work from flags as they do from pgferry.yml:
 * `--tables '"a,b"'`, `--where '"a:b":id = 9'`, for sync, diff and --with-parents.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `
  CREATE TABLE "a,b" (id int PRIMARY KEY, note text);
  CREATE TABLE "a:b" (id int PRIMARY KEY, ab_id int REFERENCES "a,b", note text);
  CREATE TABLE other (id int PRIMARY KEY);
`;

describe("quoted table names holding commas and colons on the command line", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("quoted_cli");
    await pair.source.query(`${SCHEMA}
      INSERT INTO "a,b" SELECT i, 'ab ' || i FROM generate_series(1, 10) i;
      INSERT INTO "a:b" SELECT i, i, 'colon ' || i FROM generate_series(1, 10) i;
      INSERT INTO other VALUES (1);`);
  });
  after(async () => pair?.drop());

  it("syncs the tables a comma-separated --tables names, filtered by a --where on the name with a colon", async () => {
    const run = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--tables", '"a,b","a:b"', "--where", '"a:b":id >= 9', "--yes"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((await pair.target.query(`SELECT count(*)::int AS n FROM "a,b"`)).rows, [{ n: 10 }]);
    assert.deepEqual((await pair.target.query(`SELECT array_agg(id ORDER BY id) AS ids FROM "a:b"`)).rows, [{ ids: [9, 10] }]);
    assert.deepEqual((await pair.target.query("SELECT to_regclass('public.other') IS NULL AS absent")).rows, [{ absent: true }], "only the named tables");
  });

  it("diff takes the same names, and --with-parents the same filter", async () => {
    const diff = await runCliProcess(["diff", pair.sourceUrl, pair.targetUrl, "--tables", '"a,b","a:b"']);
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);
    await pair.source.query(`INSERT INTO "a,b" VALUES (11, 'new'); INSERT INTO "a:b" VALUES (11, 11, 'new');`);
    const rows = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--tables", '"a:b"', "--where", '"a:b":id = 11', "--with-parents", "--yes"]);
    assert.equal(rows.code, 0, rows.stderr);
    assert.deepEqual((await pair.target.query(`SELECT ab.note, c.note AS colon FROM "a:b" c JOIN "a,b" ab ON ab.id = c.ab_id WHERE c.id = 11`)).rows, [{ note: "new", colon: "new" }]);
  });
});

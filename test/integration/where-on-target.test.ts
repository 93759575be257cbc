/**
 * A where filter is the user's SQL, and --delete-missing runs it on the target too: there it is
 * checked before anything is written and sent as one statement only, and a filter that names its
 * table means the same on both sides.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConfigError } from "../../src/errors.js";
import { syncRows } from "../../src/ops/sync-rows.js";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `
  CREATE TABLE docs (id int PRIMARY KEY, label text NOT NULL);
  CREATE TABLE victim (id int);
`;

describe("where filters on the target", () => {
  let pair: DatabasePair;

  before(async () => {
    pair = await createDatabasePair("where_target");
    await pair.source.query(SCHEMA);
    await pair.source.query("INSERT INTO docs SELECT g, 'doc ' || g FROM generate_series(1, 30) g");
    await pair.target.query(SCHEMA);
  });
  after(async () => pair?.drop());

  const reset = async () => {
    await pair.target.query("TRUNCATE docs; INSERT INTO docs SELECT g, 'old ' || g FROM generate_series(1, 40) g; INSERT INTO victim VALUES (1)");
  };

  it("a table-qualified filter works with --delete-missing", async () => {
    await reset();
    const { report } = await syncPair(pair, { include: ["docs"], mode: "upsert", deleteMissing: true, where: { docs: "docs.id > 10" } });
    assert.equal(report.committed, true, report.error);
    const rows = await pair.target.query<{ n: number; max: number }>("SELECT count(*)::int AS n, max(id) AS max FROM docs");
    // 1..10 kept (outside the filter), 11..30 from the source, 31..40 deleted (inside the filter, gone from the source).
    assert.deepEqual(rows.rows[0], { n: 30, max: 30 });
  });

  it("a filter that reads as several statements on the target is refused before anything is written", async () => {
    await reset();
    const before = await tableFingerprint(pair.target, "docs");
    const database = new URL(pair.sourceUrl).pathname.slice(1);
    // On a source without standard-conforming strings the backslash escapes the quote: one literal.
    await pair.source.query(`ALTER DATABASE "${database}" SET standard_conforming_strings = off`);
    try {
      // On the target (standard-conforming) the same text would close the literal and go on.
      const where = { docs: "label <> 'x\\') ; DROP TABLE victim; SELECT (1) --'" };
      await assert.rejects(syncPair(pair, { include: ["docs"], mode: "upsert", deleteMissing: true, where }), (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.match(e.message, /where filter for public\.docs is not valid SQL on the target/);
        return true;
      });
    } finally {
      await pair.source.query(`ALTER DATABASE "${database}" RESET standard_conforming_strings`);
    }
    const victim = await pair.target.query("SELECT to_regclass('public.victim')::text AS t");
    assert.equal(victim.rows[0].t, "victim");
    assert.equal(await tableFingerprint(pair.target, "docs"), before);
  });

  it("syncRows takes a table-qualified condition", async () => {
    await reset();
    const config = configSchema.parse({});
    const result = await syncRows({
      source: resolveEndpoint(pair.sourceUrl, "source", config),
      target: resolveEndpoint(pair.targetUrl, "target", config),
      table: "docs",
      where: "public.docs.id = 7",
    });
    assert.equal(result.ok, true, result.error);
    const row = await pair.target.query("SELECT label FROM docs WHERE id = 7");
    assert.equal(row.rows[0].label, "doc 7");
  });
});

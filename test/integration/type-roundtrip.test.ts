/**
 * Every common column type survives a sync exactly: binary COPY when the target table is
 * created (same types), text COPY into an existing table, across PostgreSQL versions.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";
import { assertConverged } from "../harness/assert-converged.js";
import { syncPair } from "../harness/sync-helpers.js";
import { TYPE_ROUNDTRIP_DDL, TYPE_ROUNDTRIP_ROWS } from "../fixtures/type-roundtrip.js";

const SCHEMA = `${TYPE_ROUNDTRIP_DDL}${TYPE_ROUNDTRIP_ROWS}`;

describe("column types round-trip exactly", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("types");
    await pair.source.query(SCHEMA);
  });
  after(async () => pair?.drop());

  it("creates the table on an empty target and keeps every value (text COPY: mood[] carries type oids)", async () => {
    const { plan, report } = await syncPair(pair);
    const action = plan.actions.find((a) => a.table.name === "everything");
    assert.equal(action?.kind, "create");
    assert.equal(action?.kind === "create" && action.copy.format, "text", "user-type arrays (mood[]) force text COPY");
    assert.equal(report.ok, true, report.error);
    assert.equal(report.committed, true);
    assert.equal(await tableFingerprint(pair.target, "everything"), await tableFingerprint(pair.source, "everything"));
    await assertConverged(pair);
  });

  it("refreshes the existing table and keeps every value, identity values included", async () => {
    await pair.source.query("DELETE FROM everything WHERE id = 2");
    await pair.source.query("INSERT INTO everything (txt) VALUES ('added later')");
    const { report } = await syncPair(pair);
    assert.equal(report.ok, true, report.error);
    assert.equal(report.steps[0]?.action, "refresh");
    assert.equal(await tableFingerprint(pair.target, "everything"), await tableFingerprint(pair.source, "everything"));
    const ids = await pair.target.query("SELECT array_agg(id ORDER BY id)::text AS ids FROM everything");
    assert.equal(ids.rows[0].ids, "{1,3,4}");
    // The identity sequence continues after the source's last value.
    const next = await pair.target.query("INSERT INTO everything (txt) VALUES ('x') RETURNING id");
    assert.equal(next.rows[0].id, "5");
  });

  it("copies built-in types with binary COPY", async () => {
    await pair.source.query("CREATE TABLE plain (id int PRIMARY KEY, j jsonb, t text[], n numeric(10,2), at timestamptz, u uuid, b bytea)");
    await pair.source.query(
      "INSERT INTO plain SELECT g, jsonb_build_object('g', g), ARRAY[g::text, NULL], g / 3.0, '2020-01-01'::timestamptz + g * interval '1 hour', md5(g::text)::uuid, decode(md5(g::text), 'hex') FROM generate_series(1, 5000) g",
    );
    const { plan, report } = await syncPair(pair, { include: ["plain"] });
    const action = plan.actions[0];
    assert.equal(action?.kind === "create" && action.copy.format, "binary");
    assert.equal(report.ok, true, report.error);
    assert.equal(await tableFingerprint(pair.target, "plain"), await tableFingerprint(pair.source, "plain"));
  });
});

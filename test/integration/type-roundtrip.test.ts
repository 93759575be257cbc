/**
 * Every common column type survives a sync exactly: binary COPY when the target table is
 * created (same types), text COPY into an existing table, across PostgreSQL versions.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";
import { syncPair } from "../harness/sync-helpers.js";

const SCHEMA = `
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'it''s "complicated"');
  CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
  CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
  CREATE TABLE everything (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    j jsonb, js json, tags text[], nums int[], matrix int[][], price numeric(14,4), big numeric,
    at timestamptz, local_at timestamp, day date, clock time, span interval, uid uuid, raw bytea,
    feeling mood, feelings mood[], qty positive_int, contact email, flag boolean, f4 real, f8 double precision,
    small smallint, txt text, vc varchar(20), ch char(3), addr inet, net cidr, mac macaddr, bits bit varying(8),
    pt point, range int4range, tsv tsvector, money_col money, xml_col xml
  );
  INSERT INTO everything (j, js, tags, nums, matrix, price, big, at, local_at, day, clock, span, uid, raw, feeling, feelings,
                          qty, contact, flag, f4, f8, small, txt, vc, ch, addr, net, mac, bits, pt, range, tsv, money_col, xml_col)
  VALUES
    ('{"a": [1, 2.50, null], "ü": "✓", "nested": {"k": true}}', '{"keep":  "spacing", "dup": 1, "dup": 2}',
     ARRAY['a', 'b c', '', NULL, 'quote"d', 'comma,separated', 'back\\slash'], ARRAY[1, -2, NULL], ARRAY[[1,2],[3,4]],
     12345.6789, 123456789012345678901234567890.123456789, '2024-02-29 23:59:59.999999+05:30', '1999-12-31 23:59:59.123456',
     '0001-01-01', '24:00:00', '1 year 2 mons 3 days 04:05:06.789', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
     '\\x00ff10deadbeef', 'it''s "complicated"', ARRAY['sad', 'happy']::mood[], 42, 'a@b.example', true,
     3.4028235e38, -1.7976931348623157e308, -32768, repeat('long text ', 20000), 'héllo wörld', 'ab',
     '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', B'1010', '(1.5,-2.25)', '[1,10)', 'the quick brown fox',
     '$1,234.56', '<a b="1">x</a>'),
    (NULL, NULL, '{}', '{}', NULL, 'NaN', '-0.0000000001', 'infinity', '-infinity', 'infinity', '00:00', '-00:00:00.000001',
     NULL, '', NULL, '{}', 1, NULL, false, 'NaN', 'Infinity', 0, '', '', '', '::1', '::/0', NULL, B'', NULL, 'empty', '', NULL, NULL),
    (NULL, 'null', ARRAY[E'\\t tab', E'new\\nline', '😀 emoji', 'ß'], NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, '0', NULL, NULL,
     'ok', NULL, NULL, NULL, NULL, '-0', '-0', NULL, E'line1\\nline2\\r\\n\\ttabbed \\\\ backslash', NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL);
`;

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

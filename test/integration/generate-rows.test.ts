/**
 * The real-schema tests' row generator (test/harness/generate-rows.ts) on a small schema with the
 * hard cases: an FK cycle, a composite FK, a self reference, an enum, a domain with a CHECK, arrays,
 * ranges, json, inet, bytea, tsvector, a CHECK list of values, a unique key, a range-partitioned
 * table whose partitions cover only part of the random dates. Same seed, same rows.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateRows } from "../harness/generate-rows.js";
import { relationChecksums } from "../harness/database-state.js";
import { createDatabasePair, machineServerUrl, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE DOMAIN percent AS integer CHECK (VALUE BETWEEN 0 AND 100);
  CREATE TABLE team (id serial PRIMARY KEY, code varchar(3) NOT NULL UNIQUE, captain_id integer);
  CREATE TABLE player (
    id serial PRIMARY KEY, team_id integer NOT NULL REFERENCES team, mentor_id integer REFERENCES player,
    mood mood NOT NULL, form percent NOT NULL, tags text[] NOT NULL, active int4range NOT NULL, stats jsonb NOT NULL,
    ip inet NOT NULL, photo bytea NOT NULL, words tsvector NOT NULL, position text NOT NULL CHECK (position IN ('goal', 'back', 'wing')),
    UNIQUE (team_id, id));
  ALTER TABLE team ADD FOREIGN KEY (captain_id) REFERENCES player;
  CREATE TABLE match (id bigint GENERATED ALWAYS AS IDENTITY, played_at date NOT NULL, team_id integer NOT NULL, player_id integer NOT NULL,
    FOREIGN KEY (team_id, player_id) REFERENCES player (team_id, id)) PARTITION BY RANGE (played_at);
  CREATE TABLE match_2023 PARTITION OF match FOR VALUES FROM ('2023-03-01') TO ('2023-04-01');
  CREATE TABLE match_2024 PARTITION OF match FOR VALUES FROM ('2024-06-01') TO ('2024-07-01');`;

describe("generateRows", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("generate_rows", { source: machineServerUrl(), target: machineServerUrl() });
    for (const client of [pair.source, pair.target]) await client.query(SCHEMA);
  });
  after(async () => pair?.drop());

  it("fills every table in FK order, within the checks and the partition bounds, the same way for the same seed", async () => {
    const report = await generateRows(pair.source, { rowsPerTable: 25 });
    assert.deepEqual(report.map((r) => [r.table, r.rows]), [["public.team", 25], ["public.player", 25], ["public.match", 25]]);
    const partitions = await pair.source.query("SELECT tableoid::regclass::text AS p, count(*)::int AS n FROM match GROUP BY 1 ORDER BY 1");
    assert.equal(partitions.rows.reduce((sum, r) => sum + r.n, 0), 25);
    assert.ok(partitions.rows.length === 2, `both partitions get rows (${JSON.stringify(partitions.rows)})`);
    const pairs = await pair.source.query("SELECT count(*)::int AS n FROM match m JOIN player p ON p.id = m.player_id AND p.team_id = m.team_id");
    assert.equal(pairs.rows[0].n, 25, "the composite FK points at existing players");
    const captains = await pair.source.query("SELECT count(captain_id)::int AS n FROM team");
    assert.equal(captains.rows[0].n, 0, "the FK that closes the cycle (team → player) is left null");

    const again = await generateRows(pair.target, { rowsPerTable: 25 });
    assert.deepEqual(again, report);
    assert.deepEqual(await relationChecksums(pair.target), await relationChecksums(pair.source), "the same seed gives the same rows");
  });
});

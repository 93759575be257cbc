/** FK-safe order, cycles (deferrable or not) and self-references, without superuser; cascade rules. */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { assertConverged } from "../harness/assert-converged.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

const CYCLE = (deferrable: boolean) => `
  CREATE TABLE teams (id int PRIMARY KEY, name text, captain_id int);
  CREATE TABLE players (id int PRIMARY KEY, team_id int REFERENCES teams(id), mentor_id int REFERENCES players(id));
  ALTER TABLE teams ADD CONSTRAINT teams_captain_fk FOREIGN KEY (captain_id) REFERENCES players(id) ${deferrable ? "DEFERRABLE" : ""};
  CREATE TABLE matches (id int PRIMARY KEY, home int NOT NULL REFERENCES teams(id), away int NOT NULL REFERENCES teams(id));
`;
const DATA = `
  BEGIN;
  SET CONSTRAINTS ALL DEFERRED;
  INSERT INTO teams VALUES (1, 'red', NULL), (2, 'blue', NULL);
  INSERT INTO players VALUES (10, 1, NULL), (11, 1, 10), (20, 2, NULL), (21, 2, 20);
  UPDATE teams SET captain_id = CASE id WHEN 1 THEN 11 ELSE 21 END;
  INSERT INTO matches VALUES (100, 1, 2), (101, 2, 1);
  COMMIT;
`;

async function assertSameData(pair: DatabasePair): Promise<void> {
  for (const table of ["teams", "players", "matches"]) {
    assert.equal(await tableFingerprint(pair.target, table), await tableFingerprint(pair.source, table), table);
  }
}

async function fkNames(pair: DatabasePair): Promise<string[]> {
  const rows = await pair.target.query("SELECT conname FROM pg_constraint WHERE contype = 'f' ORDER BY 1");
  return rows.rows.map((r) => r.conname);
}

describe("foreign keys", () => {
  let pair: DatabasePair;
  beforeEach(async () => (pair = await createDatabasePair("fk")));
  afterEach(async () => pair?.drop());

  it("creates cyclic, self-referencing tables on an empty target, FKs after the data", async () => {
    await pair.source.query(CYCLE(false) + DATA);
    const { plan, report } = await syncPair(pair);
    assert.equal(report.ok, true, report.error);
    const order = plan.actions.map((a) => a.table.name);
    assert.ok(order.indexOf("matches") > order.indexOf("teams"), `matches after teams: ${order}`);
    await assertSameData(pair);
    assert.deepEqual(await fkNames(pair), ["matches_away_fkey", "matches_home_fkey", "players_mentor_id_fkey", "players_team_id_fkey", "teams_captain_fk"]);
    await assertConverged(pair);
  });

  it("refreshes a cycle of NOT DEFERRABLE FKs by dropping and re-adding them in the transaction", async () => {
    await pair.source.query(CYCLE(false) + DATA);
    await pair.target.query(CYCLE(false));
    await pair.target.query("INSERT INTO teams VALUES (7, 'old', NULL)");
    const { plan, report } = await syncPair(pair);
    assert.equal(plan.fkStrategy.kind, "break-cycles");
    assert.ok(plan.fkStrategy.kind === "break-cycles" && plan.fkStrategy.dropped.length === 1 && plan.fkStrategy.deferred.length === 0);
    assert.equal(report.ok, true, report.error);
    await assertSameData(pair);
    const valid = await pair.target.query("SELECT bool_and(convalidated) AS ok, count(*)::int AS n FROM pg_constraint WHERE contype = 'f'");
    assert.deepEqual(valid.rows[0], { ok: true, n: 5 });
  });

  it("refreshes a cycle of DEFERRABLE FKs by deferring them", async () => {
    await pair.source.query(CYCLE(true) + DATA);
    await pair.target.query(CYCLE(true));
    const { plan, report } = await syncPair(pair);
    assert.ok(plan.fkStrategy.kind === "break-cycles");
    assert.deepEqual(plan.fkStrategy.deferred.map((c) => c.name), ["teams_captain_fk"]);
    assert.equal(plan.fkStrategy.dropped.length, 0);
    assert.equal(report.ok, true, report.error);
    await assertSameData(pair);
  });

  it("rolls back everything when a re-added FK finds orphan rows", async () => {
    await pair.source.query(CYCLE(false) + DATA);
    await pair.target.query(CYCLE(false) + DATA);
    await pair.source.query("INSERT INTO players VALUES (30, 2, NULL)");
    await pair.source.query("ALTER TABLE teams DROP CONSTRAINT teams_captain_fk; UPDATE teams SET captain_id = 999 WHERE id = 1");
    const before = await Promise.all(["teams", "players", "matches"].map((t) => tableFingerprint(pair.target, t)));
    const { report } = await syncPair(pair);
    assert.equal(report.ok, false);
    assert.equal(report.committed, false);
    const reasons = [report.error, ...report.steps.map((s) => s.reason)].join(" | ");
    assert.match(reasons, /violates foreign key constraint "teams_captain_fk"/);
    assert.equal(report.steps.find((s) => s.table.name === "teams")?.status, "failed");
    const afterRun = await Promise.all(["teams", "players", "matches"].map((t) => tableFingerprint(pair.target, t)));
    assert.deepEqual(afterRun, before);
    assert.equal((await fkNames(pair)).length, 5, "the dropped FK is back after the rollback");
  });

  it("refuses when an unselected table references a refreshed one, and --cascade empties it", async () => {
    await pair.source.query(CYCLE(false) + DATA);
    await pair.target.query(CYCLE(false) + DATA);
    await assert.rejects(syncPair(pair, { include: ["teams", "players"] }), /public\.matches is not selected but references public\.teams through foreign key "matches_(home|away)_fkey": select it too, or pass --cascade/);
    assert.equal(await tableFingerprint(pair.target, "matches"), await tableFingerprint(pair.source, "matches"));

    const { plan, report } = await syncPair(pair, { include: ["teams", "players"], cascade: true });
    assert.equal(report.ok, true, report.error);
    assert.deepEqual(plan.actions.filter((a) => a.kind === "truncate-cascade").map((a) => a.table.name), ["matches"]);
    const left = await pair.target.query("SELECT count(*)::int AS n FROM matches");
    assert.equal(left.rows[0].n, 0);
  });
});

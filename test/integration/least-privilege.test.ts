/**
 * No superuser anywhere: a read-only role on the source and the tables' owner (not superuser) on
 * the target can create, refresh, break an FK cycle and set sequences.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { syncPair } from "../harness/sync-helpers.js";
import { connectTo, createDatabasePair, serverUrls, tableFingerprint, type DatabasePair, withUser } from "../harness/test-databases.js";

const SCHEMA = `
  CREATE TABLE teams (id int PRIMARY KEY, captain_id int);
  CREATE TABLE players (id serial PRIMARY KEY, team_id int NOT NULL REFERENCES teams(id));
  ALTER TABLE teams ADD CONSTRAINT teams_captain_fk FOREIGN KEY (captain_id) REFERENCES players(id);
`;

describe("least privilege", () => {
  let pair: DatabasePair;
  const suffix = randomBytes(4).toString("hex");
  const reader = `pgferry_reader_${suffix}`;
  const owner = `pgferry_owner_${suffix}`;
  const password = randomBytes(9).toString("hex");

  before(async () => {
    pair = await createDatabasePair("privilege");
    await pair.source.query(`CREATE ROLE ${reader} LOGIN PASSWORD '${password}'`);
    await pair.source.query(SCHEMA);
    await pair.source.query("BEGIN; SET CONSTRAINTS ALL DEFERRED; INSERT INTO teams VALUES (1, NULL); INSERT INTO players (team_id) SELECT 1 FROM generate_series(1, 50); UPDATE teams SET captain_id = 7; COMMIT;");
    await pair.source.query(`CREATE TABLE fresh (id int PRIMARY KEY, note text); INSERT INTO fresh VALUES (1, 'new on target')`);
    await pair.source.query(`GRANT USAGE ON SCHEMA public TO ${reader}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${reader}; GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO ${reader}`);

    await pair.target.query(`CREATE ROLE ${owner} LOGIN PASSWORD '${password}'`);
    const targetDb = new URL(pair.targetUrl).pathname.slice(1);
    await pair.target.query(`ALTER DATABASE "${targetDb}" OWNER TO ${owner}`);
    await pair.target.query(`GRANT CREATE ON SCHEMA public TO ${owner}`);
    const asOwner = await connectTo(withUser(pair.targetUrl, owner, password));
    await asOwner.query(SCHEMA);
    await asOwner.end();
  });
  after(async () => {
    await pair?.drop();
    const servers = serverUrls();
    for (const [url, role] of [[servers.source, reader], [servers.target, owner]] as const) {
      const admin = await connectTo(url);
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });

  it("syncs with a read-only source role and a non-superuser owner on the target", async () => {
    const roles = await pair.target.query("SELECT rolsuper FROM pg_roles WHERE rolname = $1", [owner]);
    assert.equal(roles.rows[0].rolsuper, false);
    const { plan, report } = await syncPair({ sourceUrl: withUser(pair.sourceUrl, reader, password), targetUrl: withUser(pair.targetUrl, owner, password) });
    assert.equal(report.ok, true, report.error);
    assert.equal(plan.fkStrategy.kind, "break-cycles");
    assert.deepEqual(plan.actions.map((a) => `${a.kind} ${a.table.name}`).sort(), ["create fresh", "refresh players", "refresh teams"]);
    for (const t of ["teams", "players", "fresh"]) assert.equal(await tableFingerprint(pair.target, t), await tableFingerprint(pair.source, t), t);
    const next = await pair.target.query("SELECT nextval('players_id_seq')::int AS n");
    assert.equal(next.rows[0].n, 51);
    const fks = await pair.target.query("SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND convalidated");
    assert.equal(fks.rows[0].n, 2);
  });
});

/**
 * The fast refresh path (plan/plan-index-rebuild): refreshing a populated target drops and rebuilds
 * keys, indexes and FKs inside the one transaction. pg_dump must not be able to tell the target
 * before a refresh from after it, whatever the target carries (CLUSTER ON, replica identity,
 * statistics targets, comments, a view grouping by a key), refreshed again and again; tables the
 * role does not own keep their indexes in place, and say so.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { nameKey } from "../../src/model/qualified-name.js";
import type { SyncPlan } from "../../src/model/plan.js";
import { dataFingerprints, dumpSchema, loadRentalStore } from "../harness/schema-dump.js";
import { schemaFingerprint } from "../harness/schema-fingerprint.js";
import { assertConverged } from "../harness/assert-converged.js";
import { syncPair } from "../harness/sync-helpers.js";
import { connectTo, createDatabasePair, machineServerUrl, serverUrls, tableFingerprint, withUser, type DatabasePair } from "../harness/test-databases.js";

function pathOf(plan: SyncPlan, table: string): string {
  const action = plan.actions.find((a) => `${a.table.schema}.${a.table.name}` === table);
  if (action?.kind !== "refresh") return action?.kind ?? "absent";
  return action.path ? action.path.kind : "merge";
}

describe("refresh path: a rich schema refreshed again and again, judged by pg_dump", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("rebuild", { source: machineServerUrl(), target: machineServerUrl() });
    await loadRentalStore(pair.source);
    // Selecting last_name while grouping by the key alone: the view depends on actor_pkey.
    await pair.source.query("CREATE VIEW public.actor_film_counts AS SELECT a.actor_id, a.last_name, count(fa.film_id) AS films FROM public.actor a LEFT JOIN public.film_actor fa USING (actor_id) GROUP BY a.actor_id");
  });
  after(async () => pair?.drop());

  it("keeps every object pg_dump sees and every property the target carries, and copies the rows", async () => {
    const first = await syncPair(pair);
    assert.equal(first.report.ok, true, first.report.error);
    await assertConverged(pair);
    // What a target may carry that a drop and rebuild loses unless pgferry restores it.
    await pair.target.query(`
      ALTER TABLE public.actor CLUSTER ON idx_actor_last_name;
      ALTER INDEX public.idx_film_lower_title ALTER COLUMN 1 SET STATISTICS 400;
      ALTER TABLE public.film REPLICA IDENTITY USING INDEX film_pkey;
      COMMENT ON CONSTRAINT film_pkey ON public.film IS 'the film''s key';
    `);
    const before = await dumpSchema(pair.targetUrl);
    const catalogBefore = await schemaFingerprint(pair.target);
    assert.ok([...before.keys()].filter((k) => k.startsWith("FK CONSTRAINT ")).length >= 5, "the judge sees the foreign keys");

    for (const jobs of [1, 2]) {
      // New source rows each round, so the refresh has something to carry.
      await pair.source.query("UPDATE public.actor SET last_name = last_name || 'x' WHERE actor_id % 7 = 0");
      const { plan, report } = await syncPair(pair, { jobs });
      assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps.filter((s) => s.status !== "ok" && s.status !== "skipped")));
      assert.equal(pathOf(plan, "public.film"), "rebuild");
      assert.equal(pathOf(plan, "public.actor"), "rebuild");
      assert.equal(pathOf(plan, "public.payment"), "in-place", "partitioned");
      const actor = plan.actions.find((a) => nameKey(a.table) === nameKey({ schema: "public", name: "actor" }));
      assert.match(actor?.kind === "refresh" && actor.path?.kind === "rebuild" ? actor.path.kept.join() : "", /actor_pkey \(another object depends on it\)/, "the view grouping by actor_id pins the key");
      assert.ok((report.timings?.exclusiveLockSeconds ?? 0) > 0);

      const afterRefresh = await dumpSchema(pair.targetUrl);
      const changed = [...before.keys()].filter((k) => afterRefresh.get(k) !== before.get(k)).map((k) => `${k}\n--- before\n${before.get(k)}\n--- after\n${afterRefresh.get(k)}`);
      assert.deepEqual(changed, [], `pg_dump sees no change after refresh with --jobs ${jobs}`);
      assert.deepEqual([...afterRefresh.keys()].filter((k) => !before.has(k)), []);
      assert.deepEqual(await schemaFingerprint(pair.target), catalogBefore, "same tables (OIDs), indexes, constraints, properties");
      assert.deepEqual(await dataFingerprints(pair.target), await dataFingerprints(pair.source));
    }
  });
});

describe("refresh path: ownership decides, on the harness servers (PostgreSQL 18 target)", () => {
  let pair: DatabasePair;
  const suffix = randomBytes(4).toString("hex");
  const writer = `pgferry_rb_writer_${suffix}`;
  const password = randomBytes(9).toString("hex");
  const SCHEMA = `
    CREATE TABLE owned (id int PRIMARY KEY, code text NOT NULL, note text, during tstzrange,
                        CONSTRAINT owned_code UNIQUE (code), CONSTRAINT owned_pair UNIQUE (id, note) DEFERRABLE INITIALLY DEFERRED,
                        CONSTRAINT owned_no_overlap EXCLUDE USING gist (during WITH &&));
    CREATE INDEX owned_note ON owned (lower(note)) WHERE note IS NOT NULL;
    CREATE TABLE lines (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, owned_code text REFERENCES owned (code) DEFERRABLE,
                        parent_id bigint REFERENCES lines (id), foreign_id int);
    CREATE TABLE foreign_owned (id int PRIMARY KEY, v text);
    ALTER TABLE lines ADD CONSTRAINT lines_foreign FOREIGN KEY (foreign_id) REFERENCES foreign_owned (id) NOT VALID;
  `;

  before(async () => {
    pair = await createDatabasePair("rebuild_owner");
    await pair.source.query(SCHEMA);
    await pair.source.query(`
      INSERT INTO owned SELECT g, 'c' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END, tstzrange(now() + g * interval '1 day', now() + (g + 1) * interval '1 day') FROM generate_series(1, 500) g;
      INSERT INTO foreign_owned SELECT g, 'v' || g FROM generate_series(1, 50) g;
      INSERT INTO lines (owned_code, parent_id, foreign_id) SELECT 'c' || (1 + g % 500), NULL, 1 + g % 50 FROM generate_series(1, 2000) g;
      UPDATE lines SET parent_id = id - 1 WHERE id > 1;`);
    await pair.target.query(`CREATE ROLE ${writer} LOGIN PASSWORD '${password}'`);
    await pair.target.query(SCHEMA);
    // The run's role owns two tables; foreign_owned belongs to the superuser and is only granted.
    await pair.target.query(`ALTER TABLE owned OWNER TO ${writer}; ALTER TABLE lines OWNER TO ${writer};
      GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES ON foreign_owned TO ${writer}; GRANT USAGE, CREATE ON SCHEMA public TO ${writer};
      GRANT SELECT ON owned TO PUBLIC; COMMENT ON INDEX owned_note IS 'notes';
      ALTER TABLE lines CLUSTER ON lines_pkey; ALTER INDEX owned_note ALTER COLUMN 1 SET STATISTICS 250;`);
    await pair.target.query("INSERT INTO owned VALUES (9999, 'stale', 'stale', NULL); INSERT INTO foreign_owned VALUES (9999, 'stale')");
  });
  after(async () => {
    await pair?.drop();
    const admin = await connectTo(serverUrls().target);
    await admin.query(`DROP ROLE IF EXISTS ${writer}`);
    await admin.end();
  });

  it("rebuilds what the role owns, keeps the rest in place, and leaves the catalog exactly as it was, three times over", async () => {
    const catalogBefore = await schemaFingerprint(pair.target);
    for (let round = 1; round <= 3; round++) {
      const { plan, report } = await syncPair({ sourceUrl: pair.sourceUrl, targetUrl: withUser(pair.targetUrl, writer, password) });
      assert.equal(report.ok, true, report.error);
      assert.deepEqual(["public.owned", "public.lines", "public.foreign_owned"].map((t) => pathOf(plan, t)), ["rebuild", "rebuild", "in-place"]);
      const foreign = plan.actions.find((a) => a.table.name === "foreign_owned");
      assert.match(foreign?.kind === "refresh" && foreign.path?.kind === "in-place" ? foreign.path.reason : "", /does not own it/);
      const lines = plan.actions.find((a) => a.table.name === "lines");
      assert.deepEqual(lines?.kind === "refresh" && lines.path, { kind: "rebuild", keys: 1, indexes: 0, foreignKeys: 3, kept: [] });
      assert.deepEqual(await schemaFingerprint(pair.target), catalogBefore, `round ${round}: same tables, indexes, constraints (NOT VALID stays NOT VALID), grants and properties`);
      for (const t of ["owned", "lines", "foreign_owned"]) assert.equal(await tableFingerprint(pair.target, t), await tableFingerprint(pair.source, t), t);
      await pair.source.query(`UPDATE owned SET note = 'round ${round}' WHERE id % 10 = ${round}`);
    }
  });

  it("a row that breaks a rebuilt foreign key fails the run with the constraint's name, and the target keeps its rows and indexes", async () => {
    const catalogBefore = await schemaFingerprint(pair.target);
    const rowsBefore = await tableFingerprint(pair.target, "lines");
    await pair.source.query("ALTER TABLE lines DROP CONSTRAINT lines_owned_code_fkey; INSERT INTO lines (owned_code) VALUES ('no such code')");
    try {
      const { report } = await syncPair({ sourceUrl: pair.sourceUrl, targetUrl: withUser(pair.targetUrl, writer, password) });
      assert.equal(report.ok, false);
      assert.equal(report.committed, false);
      assert.match(report.error ?? "", /lines_owned_code_fkey/);
      assert.deepEqual(await schemaFingerprint(pair.target), catalogBefore);
      assert.equal(await tableFingerprint(pair.target, "lines"), rowsBefore);
    } finally {
      await pair.source.query("DELETE FROM lines WHERE owned_code = 'no such code'; ALTER TABLE lines ADD CONSTRAINT lines_owned_code_fkey FOREIGN KEY (owned_code) REFERENCES owned (code) DEFERRABLE");
    }
  });
});

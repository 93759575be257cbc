/**
 * Fidelity on real public schemas nobody here designed (issue 14): each schema file is read from
 * the machine's mirror of its repository (never copied into this one), loaded into the machine's
 * PostgreSQL 15, filled with generated rows that respect its keys, FKs, checks and partitions,
 * then synced by pgferry into an empty database and again into the now populated one. After each
 * sync, Debian's pg_dump --schema-only of both sides must match object by object, the rows of
 * every table, partition and populated matview and the state of every sequence must be the same,
 * `pgferry diff` must find nothing and a second dry run must plan no schema change. Then the
 * source is given owners and grants as an application's roles would hold them, and a sync with
 * --privileges into a third, empty database (and again into it) must leave pg_dump WITH owners
 * and privileges unable to tell the two apart.
 *
 * Not part of `npm test`: test/run-tests.ts runs test/real-schemas/ only when asked by name,
 * `node --import tsx test/run-tests.ts real-schemas`; PGFERRY_REAL_SCHEMAS=pagila,lago picks some by
 * label. A missing mirror fails with one line naming the repository to fetch.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { randomBytes } from "node:crypto";
import { assertConverged } from "../harness/assert-converged.js";
import { assertSameSchema, dumpSchema, privilegedDumpDifferences } from "../harness/schema-dump.js";
import { generateRows, type GeneratedTable } from "../harness/generate-rows.js";
import { loadSchemaFile } from "../harness/load-schema-file.js";
import { readMirrorFile } from "../harness/read-mirror-file.js";
import { refreshMaterializedViews, relationChecksums, sequenceStates } from "../harness/database-state.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, dropRole, machineServerUrl, type DatabasePair } from "../harness/test-databases.js";
import { REAL_SCHEMAS } from "./real-schema-sources.js";
import type { SyncOutcome } from "../../src/execute/run-sync.js";

/**
 * Owners and grants as an application's roles hold them, over whatever the schema file made: every
 * other relation, free-standing sequence, function, procedure and type (and every schema but public)
 * owned by OWNER; SELECT on every relation, a column grant on every third, USAGE on sequences and
 * schemas, EXECUTE taken from PUBLIC and given to READER and OWNER on every routine, default privileges per
 * schema. Extension members and objects pg_dump does not dump are left alone.
 */
function grantLikeAnApplication(owner: string, reader: string): string {
  const notExtension = (catalog: string, oid: string) =>
    `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;
  const userSchema = (n: string) => `${n}.nspname NOT LIKE 'pg\\_%' AND ${n}.nspname <> 'information_schema'`;
  return `DO $grant$
DECLARE r record; i int := 0;
BEGIN
  FOR r IN SELECT n.nspname FROM pg_namespace n WHERE ${userSchema("n")} AND ${notExtension("pg_namespace", "n.oid")} ORDER BY 1 LOOP
    IF r.nspname <> 'public' THEN EXECUTE format('ALTER SCHEMA %I OWNER TO ${owner}', r.nspname); END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${reader}', r.nspname);
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA %I GRANT SELECT ON TABLES TO ${reader}', r.nspname);
  END LOOP;
  FOR r IN SELECT c.oid, c.oid::regclass AS rel, c.relkind,
                  (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum DESC LIMIT 1) AS col,
                  EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')) AS owned
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND ${userSchema("n")} AND ${notExtension("pg_class", "c.oid")}
            ORDER BY c.oid LOOP
    i := i + 1;
    IF r.relkind = 'S' THEN
      -- an owned sequence follows its table's owner
      IF NOT r.owned AND i % 2 = 0 THEN EXECUTE format('ALTER SEQUENCE %s OWNER TO ${owner}', r.rel); END IF;
      EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO ${reader}', r.rel);
    ELSE
      IF i % 2 = 0 THEN EXECUTE format('ALTER TABLE %s OWNER TO ${owner}', r.rel); END IF;
      EXECUTE format('GRANT SELECT ON %s TO ${reader}', r.rel);
      IF i % 3 = 0 AND r.relkind IN ('r', 'p') THEN EXECUTE format('GRANT UPDATE (%I) ON %s TO ${reader}', r.col, r.rel); END IF;
    END IF;
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS fn, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE ${userSchema("n")} AND ${notExtension("pg_proc", "p.oid")} ORDER BY p.oid LOOP
    i := i + 1;
    IF i % 2 = 0 AND r.prokind <> 'a' THEN EXECUTE format('ALTER ROUTINE %s OWNER TO ${owner}', r.fn); END IF;
    EXECUTE format('REVOKE EXECUTE ON ROUTINE %s FROM PUBLIC', r.fn);
    -- The owner role runs them too: an index on a table it owns calls them as that owner when built.
    EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO ${reader}, ${owner}', r.fn);
  END LOOP;
  FOR r IN SELECT t.oid::regtype AS typ, t.typtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE t.typtype IN ('e', 'd') AND ${userSchema("n")} AND ${notExtension("pg_type", "t.oid")} ORDER BY t.oid LOOP
    i := i + 1;
    IF i % 2 = 0 THEN EXECUTE format('ALTER %s %s OWNER TO ${owner}', CASE r.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, r.typ); END IF;
    EXECUTE format('GRANT USAGE ON TYPE %s TO ${reader}', r.typ);
  END LOOP;
END $grant$`;
}

function failedSteps(outcome: SyncOutcome): string {
  return outcome.report.error ?? JSON.stringify(outcome.report.steps.filter((s) => s.status !== "ok" && s.status !== "skipped"));
}

const picked = process.env.PGFERRY_REAL_SCHEMAS?.split(",").map((l) => l.trim()).filter(Boolean);
const unknown = picked?.filter((l) => !REAL_SCHEMAS.some((s) => s.label === l)) ?? [];
if (unknown.length > 0) throw new Error(`PGFERRY_REAL_SCHEMAS names no real schema: ${unknown.join(", ")} (known: ${REAL_SCHEMAS.map((s) => s.label).join(", ")})`);

for (const schema of REAL_SCHEMAS.filter((s) => !picked || picked.includes(s.label))) describe(`real schema ${schema.label} (github:${schema.repo} ${schema.path})`, () => {
  let pair: DatabasePair;
  let generated: GeneratedTable[] = [];
  const seconds: Record<string, number> = {};
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      seconds[step] = Math.round((performance.now() - t0) / 100) / 10;
    }
  };

  before(async () => {
    const file = await readMirrorFile(schema.repo, schema.path, schema.commit);
    pair = await createDatabasePair(`real_${schema.label}`, { source: machineServerUrl(), target: machineServerUrl() });
    await timed("load", () => loadSchemaFile(pair.sourceUrl, file.text, schema.removals));
    generated = await timed("rows", () => generateRows(pair.source));
    const stale = await refreshMaterializedViews(pair.source);
    assert.deepEqual(stale, [], "every materialized view of the source refreshes");
    await pair.source.query("ANALYZE");
  });
  // Roles the --privileges part gives objects to; dropped after the databases that use them.
  const suffix = randomBytes(3).toString("hex");
  const [owner, reader] = [`pf_rs_owner_${suffix}`, `pf_rs_reader_${suffix}`];
  after(async () => {
    await pair?.drop();
    for (const role of [owner, reader]) await dropRole(machineServerUrl(), role);
  });

  const checkCopy = (when: string) => {
    it(`${when}: pg_dump --schema-only sees the same objects on both sides, none different`, async () => {
      await timed(`dump ${when}`, () => assertSameSchema(pair.sourceUrl, pair.targetUrl));
    });
    it(`${when}: every table, partition and populated matview has the same rows`, async () => {
      assert.deepEqual(await relationChecksums(pair.target), await relationChecksums(pair.source));
    });
    it(`${when}: every sequence is in the same state`, async () => {
      assert.deepEqual(await sequenceStates(pair.target), await sequenceStates(pair.source));
    });
    it(`${when}: pgferry diff finds no drift and a second dry run plans no schema change`, async () => {
      await timed(`converged ${when}`, () => assertConverged(pair));
    });
  };

  it("the generator fills the schema", (t) => {
    const rows = generated.reduce((sum, g) => sum + g.rows, 0);
    const empty = generated.filter((g) => g.rows === 0).map((g) => `${g.table}: ${g.lastError ?? "no row"}`);
    t.diagnostic(`${schema.label}: ${generated.length} tables, ${rows} rows generated in ${seconds.rows} s (schema loaded in ${seconds.load} s); left empty: ${empty.join("; ") || "none"}`);
    assert.ok(rows >= generated.length * 10, `at least 10 rows a table on average (${rows} rows in ${generated.length} tables)`);
  });

  it("a sync into the empty target succeeds", async (t) => {
    const outcome = await timed("sync 1", () => syncPair(pair));
    t.diagnostic(`${schema.label}: first sync ${seconds["sync 1"]} s, ${outcome.plan.diagnostics.filter((d) => d.level !== "info").length} warning(s)`);
    assert.equal(outcome.report.ok, true, failedSteps(outcome));
  });
  checkCopy("after the first sync");

  it("a second sync into the populated target succeeds", async (t) => {
    const outcome = await timed("sync 2", () => syncPair(pair));
    t.diagnostic(`${schema.label}: second sync ${seconds["sync 2"]} s`);
    assert.equal(outcome.report.ok, true, failedSteps(outcome));
  });
  checkCopy("after the second sync");

  describe("with --privileges and the same roles (one server: roles are cluster-wide)", () => {
    let privileged: DatabasePair;
    let acls = 0;
    const third = () => ({ sourceUrl: pair.sourceUrl, targetUrl: privileged.targetUrl });
    before(async () => {
      await pair.source.query(`CREATE ROLE ${owner}; CREATE ROLE ${reader}`);
      await pair.source.query(grantLikeAnApplication(owner, reader));
      acls = [...(await dumpSchema(pair.sourceUrl, { privileges: true })).keys()].filter((k) => k.startsWith("ACL ")).length;
      // Only its target is used: an empty third database.
      privileged = await createDatabasePair(`real_${schema.label}_privs`, { source: machineServerUrl(), target: machineServerUrl() });
    });
    after(async () => privileged?.drop());

    for (const when of ["into an empty database", "again into it"]) {
      it(`a sync with --privileges ${when}: pg_dump with owners and privileges cannot tell the sides apart`, async (t) => {
        const outcome = await timed(`privileges ${when}`, () => syncPair(third(), { privileges: { roles: {} } }));
        assert.equal(outcome.report.ok, true, failedSteps(outcome));
        t.diagnostic(`${schema.label}: ${acls} ACL entries in the source's pg_dump`);
        assert.ok(acls > 10, `the source holds grants to compare (${acls})`);
        assert.deepEqual(await privilegedDumpDifferences(pair.sourceUrl, privileged.targetUrl), []);
      });
      it(`after the sync with --privileges ${when}: diff --privileges finds no drift and a second dry run plans no change`, async () => {
        await assertConverged(third(), {}, { privileges: true });
      });
    }
  });

  it("reports its numbers", async (t) => {
    const objects = (await dumpSchema(pair.sourceUrl)).size;
    t.diagnostic(`${schema.label}: ${objects} pg_dump objects; seconds: ${JSON.stringify(seconds)}`);
  });
});

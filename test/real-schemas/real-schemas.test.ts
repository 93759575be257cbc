/**
 * Fidelity on real public schemas nobody here designed (issue 14): each schema file is read from
 * the machine's mirror of its repository (never copied into this one), loaded into the machine's
 * PostgreSQL 15, filled with generated rows that respect its keys, FKs, checks and partitions,
 * then synced by pgferry into an empty database and again into the now populated one. After each
 * sync, Debian's pg_dump --schema-only of both sides must match object by object, and the rows of
 * every table, partition and populated matview and the state of every sequence must be the same.
 *
 * Not part of `npm test`: test/run-tests.ts runs test/real-schemas/ only when asked by name,
 * `node --import tsx test/run-tests.ts real-schemas`; PGFERRY_REAL_SCHEMAS=pagila,lago picks some by
 * label. A missing mirror fails with one line naming the repository to fetch.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertSameSchema, dumpSchema } from "../harness/schema-dump.js";
import { generateRows, type GeneratedTable } from "../harness/generate-rows.js";
import { loadSchemaFile } from "../harness/load-schema-file.js";
import { readMirrorFile } from "../harness/read-mirror-file.js";
import { refreshMaterializedViews, relationChecksums, sequenceStates } from "../harness/database-state.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, machineServerUrl, type DatabasePair } from "../harness/test-databases.js";
import { REAL_SCHEMAS } from "./real-schema-sources.js";
import type { SyncOutcome } from "../../src/execute/run-sync.js";

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
  after(async () => pair?.drop());

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

  it("reports its numbers", async (t) => {
    const objects = (await dumpSchema(pair.sourceUrl)).size;
    t.diagnostic(`${schema.label}: ${objects} pg_dump objects; seconds: ${JSON.stringify(seconds)}`);
  });
});

/**
 * Issue 12, item 8: the events a real run emits for its progress display. copy-start names every
 * copied table before the first COPY; table-progress is throttled (not one per chunk); workers
 * report their index builds; the DDL phases report their statement counts; a restore's estimates
 * are the manifest's exact sizes.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { dumpSnapshot } from "../../src/archive/dump-snapshot.js";
import { restoreSnapshot } from "../../src/archive/restore-snapshot.js";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { PROGRESS_INTERVAL_MS, type SyncEvent } from "../../src/execute/events.js";
import { createFileStore } from "../../src/storage/file-store.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `CREATE TABLE parent (id int PRIMARY KEY, name text NOT NULL);
  CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent, note text);
  CREATE INDEX child_parent ON child (parent_id);`;

describe("progress events of a run", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("progress_events");
    await pair.source.query(`${SCHEMA}
      INSERT INTO parent SELECT g, 'parent ' || g FROM generate_series(1, 20000) g;
      INSERT INTO child SELECT g, 1 + g % 20000, repeat('x', 200) FROM generate_series(1, 60000) g;`);
    await pair.source.query("VACUUM ANALYZE parent");
    await pair.source.query("VACUUM ANALYZE child");
  });
  after(async () => pair?.drop());

  it("sync --jobs 2: copy-start first, throttled bytes, worker index builds, and counted post-data statements", async () => {
    await pair.target.query("DROP TABLE IF EXISTS child, parent");
    const events: SyncEvent[] = [];
    const { report } = await syncPair(pair, { jobs: 2, onEvent: (e) => void events.push(e) });
    assert.equal(report.ok, true, report.error);

    const copyStart = events.findIndex((e) => e.kind === "copy-start");
    const firstTable = events.findIndex((e) => e.kind === "table-start");
    assert.ok(copyStart >= 0 && copyStart < firstTable, "copy-start comes before the first table-start");
    const planned = events[copyStart] as Extract<SyncEvent, { kind: "copy-start" }>;
    assert.deepEqual(planned.tables.map((t) => t.table.name).sort(), ["child", "parent"]);
    assert.ok(planned.tables.every((t) => t.estimatedBytes > 0 && (t.estimatedRows ?? 0) > 0), "the analyzed tables have estimates");

    for (const name of ["parent", "child"]) {
      const done = events.find((e): e is Extract<SyncEvent, { kind: "table-done" }> => e.kind === "table-done" && e.table.name === name)!;
      const progress = events.filter((e) => e.kind === "table-progress" && e.table.name === name).length;
      // One per PROGRESS_INTERVAL_MS at most (the child's ~13 MB arrive in hundreds of chunks).
      assert.ok(progress >= 1 && progress <= Math.ceil((done.seconds * 1000) / PROGRESS_INTERVAL_MS) + 1, `${name}: ${progress} progress events in ${done.seconds} s`);
      const builds = events.filter((e): e is Extract<SyncEvent, { kind: "table-build" }> => e.kind === "table-build" && e.table.name === name);
      assert.ok(builds.length >= 2, `${name}: the worker reports its key and index builds`);
      assert.deepEqual(builds.map((b) => b.done), [...builds.keys()], `${name}: 0, 1, … statements done`);
      assert.equal(builds.at(-1)!.done, builds.at(-1)!.statements);
    }

    const phase = events.filter((e) => "phase" in e && e.phase === "post-data");
    assert.equal(phase[0]?.kind, "phase-start");
    const total = (phase[0] as Extract<SyncEvent, { kind: "phase-start" }>).statements;
    assert.ok(total >= 1, "the FK is built in the run's transaction");
    assert.deepEqual(
      phase.slice(1).map((e) => (e.kind === "statement-done" ? e.done : e.kind)),
      [...Array.from({ length: total }, (_, i) => i + 1), "phase-done"],
    );
    const end = phase.at(-1) as Extract<SyncEvent, { kind: "phase-done" }>;
    assert.deepEqual([end.done, end.statements, end.ok], [total, total, true]);
    assert.ok(events.some((e) => e.kind === "phase-done" && e.phase === "attach" && e.ok), "the shadows moved into place as a phase");
  });

  it("a phase that fails ends with phase-done ok: false and the count of statements that ran", async () => {
    await pair.target.query("DROP TABLE IF EXISTS child, parent");
    // The target's parent table is empty: the new child table's FK, built after the load, fails.
    await pair.target.query("CREATE TABLE parent (id int PRIMARY KEY, name text NOT NULL)");
    const events: SyncEvent[] = [];
    const { report } = await syncPair(pair, { include: ["public.child"], onEvent: (e) => void events.push(e) });
    assert.equal(report.ok, false);
    assert.equal(report.committed, false);
    const phase = events.filter((e) => "phase" in e && e.phase === "post-data");
    assert.equal(phase[0]?.kind, "phase-start", JSON.stringify(events.filter((e) => e.kind !== "table-progress")));
    const end = phase.at(-1)!;
    assert.equal(end.kind, "phase-done");
    assert.equal(end.ok, false);
    assert.ok(end.done < end.statements, `${end.done} of ${end.statements}`);
    assert.equal(phase.filter((e) => e.kind === "statement-done").length, end.done);
  });

  it("a restore's estimates are the manifest's rows and COPY bytes", async () => {
    await pair.target.query("DROP TABLE IF EXISTS child, parent");
    const config = configSchema.parse({});
    const store = createFileStore(mkdtempSync(join(tmpdir(), "pgferry-progress-")));
    const dumped = await dumpSnapshot({
      source: resolveEndpoint(pair.sourceUrl, "source", config),
      store,
      selection: { include: ["public.parent", "public.child"], exclude: [], where: {} },
      lockTimeoutSeconds: 10,
      pgferryVersion: "test",
    });
    const events: SyncEvent[] = [];
    const restored = await restoreSnapshot({ store, snapshot: "latest", target: resolveEndpoint(pair.targetUrl, "target", config), onEvent: (e) => void events.push(e) });
    assert.equal(restored.report.ok, true, restored.report.error);
    for (const entry of dumped.manifest.tables) {
      const start = events.find((e): e is Extract<SyncEvent, { kind: "table-start" }> => e.kind === "table-start" && e.table.name === entry.name)!;
      const done = events.find((e): e is Extract<SyncEvent, { kind: "table-done" }> => e.kind === "table-done" && e.table.name === entry.name)!;
      assert.deepEqual([start.estimatedBytes, start.estimatedRows], [entry.rawBytes, entry.rows], entry.name);
      assert.deepEqual([done.bytes, done.rows], [entry.rawBytes, entry.rows], `${entry.name}: the estimate was exact`);
    }
  });
});

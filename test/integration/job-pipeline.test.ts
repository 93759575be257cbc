/**
 * restore and syncRows go through the same job pipeline as sync (ops/run-job): their hooks run
 * after the commit, on the run's own session, under the target's advisory lock, and the history
 * row is written there before the lock goes.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { dumpSnapshot } from "../../src/archive/dump-snapshot.js";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { LockedError } from "../../src/errors.js";
import type { HookSpec } from "../../src/hooks/hook-spec.js";
import { runRestoreJob } from "../../src/ops/run-restore-job.js";
import { syncRows } from "../../src/ops/sync-rows.js";
import { createFileStore } from "../../src/storage/file-store.js";
import type { ObjectStore } from "../../src/storage/object-store.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

describe("restore and syncRows through the job pipeline", () => {
  let pair: DatabasePair;
  let dir: string;
  let store: ObjectStore;
  const config = configSchema.parse({});
  const endpoint = (url: string, role: "source" | "target") => resolveEndpoint(url, role, config);
  /** A slow SQL hook, and a promise that resolves once it started. */
  const slowHook = () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const hook: HookSpec = { kind: "sql", name: "slow", statements: ["SELECT pg_sleep(2)", "UPDATE items SET label = 'hooked'"] };
    return { hooks: [hook], running, onLine: (line: string) => void (/hook slow: running/.test(line) && started()) };
  };

  before(async () => {
    pair = await createDatabasePair("job_pipeline");
    await pair.source.query("CREATE TABLE items (id int PRIMARY KEY, label text); INSERT INTO items SELECT g, 'src' FROM generate_series(1, 50) g");
    dir = mkdtempSync(join(tmpdir(), "pgferry-job-pipeline-"));
    store = createFileStore(dir);
    await dumpSnapshot({ source: endpoint(pair.sourceUrl, "source"), store, selection: { include: [], exclude: [], where: {} }, jobs: 1, lockTimeoutSeconds: 10, pgferryVersion: "test" });
  });
  after(async () => pair?.drop());

  it("a restore's hooks run under its lock, after the commit, and its history row names the snapshot", async () => {
    const { hooks, running, onLine } = slowHook();
    const first = runRestoreJob({
      job: null,
      restore: { store, snapshot: "latest", target: endpoint(pair.targetUrl, "target") },
      hooks,
      hookContext: { cwd: dir, env: process.env, onLine },
      history: { schema: "pgferry" },
      onWarning: (message) => assert.fail(message),
    });
    await running;
    await assert.rejects(syncPair(pair), (e: unknown) => e instanceof LockedError, "a sync is locked out while the restore's hooks run");
    const outcome = await first;
    assert.equal(outcome.status, "ok", outcome.error);
    assert.deepEqual(outcome.hooks.map((h) => `${h.name}:${h.status}`), ["slow:ok"]);
    assert.deepEqual((await pair.target.query("SELECT DISTINCT label FROM items")).rows, [{ label: "hooked" }], "the hook ran on the restored rows");
    const { rows } = await pair.target.query("SELECT status, mode, source, tables, rows, report->'hooks'->0->>'status' AS hook FROM pgferry.runs ORDER BY id DESC LIMIT 1");
    assert.equal(rows[0].status, "ok");
    assert.equal(rows[0].mode, "restore");
    assert.match(rows[0].source, new RegExp(`^snapshot ${outcome.result!.snapshot} \\(file://`));
    assert.deepEqual(rows[0].tables, ["public.items"]);
    assert.equal(rows[0].rows, "50");
    assert.equal(rows[0].hook, "ok");
  });

  it("syncRows writes no history row and runs no hook unless asked; asked, both happen under its lock", async () => {
    const runs = async () => Number((await pair.target.query("SELECT count(*) AS n FROM pgferry.runs")).rows[0].n);
    const before_ = await runs();
    await pair.source.query("UPDATE items SET label = 'changed' WHERE id = 1");
    const cheap = await syncRows({ source: endpoint(pair.sourceUrl, "source"), target: endpoint(pair.targetUrl, "target"), table: "items", keys: [1] });
    assert.equal(cheap.ok, true, cheap.error);
    assert.deepEqual(cheap.hooks, []);
    assert.equal(await runs(), before_, "the library call records nothing by default");

    const { hooks, running, onLine } = slowHook();
    const first = syncRows({
      source: endpoint(pair.sourceUrl, "source"),
      target: endpoint(pair.targetUrl, "target"),
      table: "items",
      keys: [2],
      history: { schema: "pgferry" },
      hooks,
      hookContext: { cwd: dir, env: process.env, onLine },
      job: "signup",
    });
    await running;
    await assert.rejects(syncPair(pair), (e: unknown) => e instanceof LockedError, "a sync is locked out while syncRows' hooks run");
    const result = await first;
    assert.equal(result.ok, true, result.error);
    assert.equal(result.committed, true);
    assert.deepEqual(result.hooks.map((h) => `${h.name}:${h.status}`), ["slow:ok"]);
    assert.deepEqual((await pair.target.query("SELECT DISTINCT label FROM items")).rows, [{ label: "hooked" }]);
    const { rows } = await pair.target.query("SELECT job, status, mode, tables, rows FROM pgferry.runs ORDER BY id DESC LIMIT 1");
    assert.deepEqual(rows, [{ job: "signup", status: "ok", mode: "rows", tables: ["public.items"], rows: "1" }]);
    assert.equal(await runs(), before_ + 1);
  });

  it("syncRows with history records a failure too, and a failed hook leaves the rows committed", async () => {
    const target = endpoint(pair.targetUrl, "target");
    const failed = await syncRows({ source: endpoint(pair.sourceUrl, "source"), target, table: "items", where: "nope = 1", history: { schema: "pgferry" } });
    assert.equal(failed.ok, false);
    assert.equal(failed.committed, false);
    const [last] = (await pair.target.query("SELECT status, mode, error FROM pgferry.runs ORDER BY id DESC LIMIT 1")).rows;
    assert.equal(last.status, "failed");
    assert.equal(last.mode, "rows");
    assert.match(last.error, /where condition for public\.items is not valid SQL here/);

    await pair.source.query("UPDATE items SET label = 'again' WHERE id = 3");
    const hookFailed = await syncRows({
      source: endpoint(pair.sourceUrl, "source"),
      target,
      table: "items",
      keys: [3],
      hooks: [{ kind: "command", name: "flaky", run: "exit 5" }],
      hookContext: { cwd: dir, env: process.env },
    });
    assert.equal(hookFailed.ok, false);
    assert.equal(hookFailed.committed, true);
    assert.match(hookFailed.error!, /hook "flaky" failed: command exited with code 5/);
    assert.equal((await pair.target.query("SELECT label FROM items WHERE id = 3")).rows[0].label, "again");
  });
});

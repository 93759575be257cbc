/**
 * Post-sync hooks and the history row run on the run's own target session, under the target's
 * advisory lock: no other run reloads the tables between the commit and the hooks. A failed hook
 * is tried again on its own, never the whole sync.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { LockedError } from "../../src/errors.js";
import type { HookSpec } from "../../src/hooks/hook-spec.js";
import { runSyncJob, type SyncJobInput } from "../../src/ops/run-sync-job.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

describe("hooks under the run's lock", () => {
  let pair: DatabasePair;
  let dir: string;

  before(async () => {
    pair = await createDatabasePair("hooks_lock");
    await pair.source.query("CREATE TABLE items (id int PRIMARY KEY, label text); INSERT INTO items SELECT g, 'src' FROM generate_series(1, 50) g");
    dir = mkdtempSync(join(tmpdir(), "pgferry-hooklock-"));
  });
  after(async () => pair?.drop());

  function job(hooks: HookSpec[], extra: Partial<SyncJobInput> = {}, onLine: (line: string) => void = () => undefined): SyncJobInput {
    const config = configSchema.parse({});
    return {
      job: null,
      sync: {
        source: resolveEndpoint(pair.sourceUrl, "source", config),
        target: resolveEndpoint(pair.targetUrl, "target", config),
        selection: { include: [], exclude: [], where: {} },
      },
      hooks,
      hookContext: { cwd: dir, env: process.env, onLine },
      history: { schema: "pgferry" },
      onWarning: (message) => assert.fail(message),
      ...extra,
    };
  }

  it("another run is locked out while the hooks of the first still run", async () => {
    let hookStarted!: () => void;
    const started = new Promise<void>((resolve) => (hookStarted = resolve));
    const first = runSyncJob(
      job([{ kind: "sql", name: "slow", statements: ["SELECT pg_sleep(2)", "UPDATE items SET label = 'hooked'"] }], {}, (line) => {
        if (/hook slow: running/.test(line)) hookStarted();
      }),
    );
    await started;
    // The source snapshot is closed before the hooks: a long hook holds nothing on production.
    const sourceSessions = await pair.source.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pgferry' AND datname = current_database()");
    assert.equal(sourceSessions.rows[0].n, 0);
    await assert.rejects(syncPair(pair), (e: unknown) => e instanceof LockedError);
    const outcome = await first;
    assert.equal(outcome.status, "ok", outcome.error);
    const labels = await pair.target.query("SELECT DISTINCT label FROM items");
    assert.deepEqual(labels.rows, [{ label: "hooked" }], "the hook's update applied to this run's data, not another's");
    const history = await pair.target.query("SELECT status FROM pgferry.runs ORDER BY id DESC LIMIT 1");
    assert.equal(history.rows[0].status, "ok");
  });

  it("a failed hook is retried alone: the sync runs once", async () => {
    const marker = join(dir, "second-try");
    const hooks: HookSpec[] = [{ kind: "command", name: "flaky", run: `if [ -f ${marker} ]; then echo ok; else touch ${marker}; exit 1; fi` }];
    let tables = 0;
    const input = job(hooks, { hookRetries: { retries: 2, delaySeconds: 0 } });
    const outcome = await runSyncJob({ ...input, sync: { ...input.sync, onEvent: (e) => void (e.kind === "table-start" && (tables += 1)) } });
    assert.equal(outcome.status, "ok", outcome.error);
    assert.ok(existsSync(marker));
    assert.equal(tables, 1, "one table copied once");
    assert.deepEqual(outcome.hooks.map((h) => h.status), ["ok"]);
  });
});

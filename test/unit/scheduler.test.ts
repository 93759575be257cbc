/** The scheduler keeps going when a job's run rejects: it counts as a failed run (no hang). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { SyncJobOutcome } from "../../src/ops/run-sync-job.js";
import { runScheduler } from "../../src/ops/scheduler.js";

describe("scheduler", () => {
  it("a run that rejects is a failed run, and --max-runs still ends the scheduler", async () => {
    const finished: SyncJobOutcome[] = [];
    const controller = new AbortController();
    const scheduler = runScheduler(
      [{ name: "broken", cron: "* * * * * *", retries: 0, retryDelaySeconds: 0, run: () => Promise.reject(new Error("boom")) }],
      { signal: controller.signal, maxRuns: 1, onFinish: (_job, outcome) => void finished.push(outcome) },
    );
    const result = await Promise.race([scheduler.then(() => "resolved"), sleep(5000).then(() => "hung")]);
    controller.abort();
    assert.equal(result, "resolved");
    assert.equal(finished.length, 1);
    assert.equal(finished[0]!.status, "failed");
    assert.equal(finished[0]!.error, "boom");
  });
});

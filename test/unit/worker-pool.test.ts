/** The worker pool: every worker closes, the first failure stops the rest and is the one thrown, a caller's interrupt stops it too. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { runWorkerPool } from "../../src/execute/worker-pool.js";

function tracker() {
  let open = 0;
  let opened = 0;
  return {
    openWorker: async () => {
      opened += 1;
      open += 1;
      return { close: async () => void (open -= 1) };
    },
    get open() {
      return open;
    },
    get opened() {
      return opened;
    },
  };
}

describe("worker pool", () => {
  it("processes every item with at most `jobs` workers, and closes them all", async () => {
    const workers = tracker();
    const seen: number[] = [];
    const result = await runWorkerPool({ items: [1, 2, 3, 4, 5], jobs: 2, openWorker: workers.openWorker, process: async (item) => void seen.push(item) });
    assert.deepEqual(result, { interrupted: false });
    assert.deepEqual(seen.sort(), [1, 2, 3, 4, 5]);
    assert.equal(workers.opened, 2);
    assert.equal(workers.open, 0);
  });

  it("the first failure stops the other workers, which settle and close before it is thrown", async () => {
    const workers = tracker();
    const started: number[] = [];
    let stoppedSeen = false;
    await assert.rejects(
      runWorkerPool({
        items: [1, 2, 3, 4, 5, 6],
        jobs: 2,
        openWorker: workers.openWorker,
        process: async (item, _worker, _index, stop) => {
          started.push(item);
          if (item === 1) throw new Error("first");
          await sleep(30);
          stoppedSeen ||= stop.aborted;
          if (stop.aborted) throw new Error("stopped by the first");
        },
      }),
      /^Error: first$/,
    );
    assert.ok(stoppedSeen, "the running worker saw the stop signal");
    assert.ok(!started.includes(6), `no new item after the failure: ${started.join(",")}`);
    assert.equal(workers.open, 0);
  });

  it("a worker that cannot open stops the pool", async () => {
    let opens = 0;
    let closed = 0;
    await assert.rejects(
      runWorkerPool({
        items: [1, 2, 3],
        jobs: 2,
        openWorker: async () => {
          opens += 1;
          if (opens === 2) throw new Error("cannot open");
          return { close: async () => void (closed += 1) };
        },
        process: async () => sleep(20),
      }),
      /cannot open/,
    );
    assert.equal(closed, 1, "the worker that did open is closed");
  });

  it("the caller's signal stops it: resolved as interrupted, workers closed", async () => {
    const workers = tracker();
    const controller = new AbortController();
    const done: number[] = [];
    const result = await runWorkerPool({
      items: [1, 2, 3, 4],
      jobs: 1,
      signal: controller.signal,
      openWorker: workers.openWorker,
      process: async (item) => {
        done.push(item);
        if (item === 2) controller.abort();
      },
    });
    assert.deepEqual(result, { interrupted: true });
    assert.deepEqual(done, [1, 2]);
    assert.equal(workers.open, 0);
  });
});

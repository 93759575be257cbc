/**
 * --mode upsert and insert-missing with foreign keys declared only on partitions, or only on the
 * partitioned parent of a partition selected on its own: each merge into the populated target
 * loads rental first and commits, run after run.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { SyncMode } from "../../src/model/plan.js";
import { syncPair } from "../harness/sync-helpers.js";
import { addReferencingRows, PARTITION_FKS_DDL, PARTITION_FKS_ROWS, REFUND_2022_KEY } from "../fixtures/partition-fks.js";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

const loadOrder = (actions: readonly { kind: string; table: { name: string } }[]) =>
  actions.filter((a) => a.kind === "refresh" || a.kind === "create").map((a) => a.table.name);

describe("merge modes with FKs declared on partitions", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("partition_fks_merge");
    await pair.source.query(`${PARTITION_FKS_DDL}${PARTITION_FKS_ROWS}`);
    await pair.target.query(PARTITION_FKS_DDL);
  });
  after(async () => pair?.drop());

  for (const mode of ["upsert", "insert-missing"] as const satisfies readonly SyncMode[]) {
    it(`--mode ${mode}: a first, second and third merge into the populated target commit`, async () => {
      for (const [run, jobs] of [1, 2, 1].entries()) {
        await addReferencingRows(pair.source);
        const { plan, report } = await syncPair(pair, { mode, jobs });
        assert.equal(report.committed, true, `run ${run + 1} (--jobs ${jobs}): ${report.error ?? JSON.stringify(report.steps.filter((s) => s.status === "failed"))}`);
        const order = loadOrder(plan.actions);
        assert.ok(order.indexOf("rental") < order.indexOf("payment") && order.indexOf("rental") < order.indexOf("refund"), order.join(", "));
        for (const table of ["rental", "payment", "refund"]) assert.equal(await tableFingerprint(pair.target, table), await tableFingerprint(pair.source, table), `run ${run + 1}: ${table}`);
      }
    });
  }

  it("--mode upsert of one partition orders it after what its parent's FK references", async () => {
    for (let run = 1; run <= 3; run++) {
      await addReferencingRows(pair.source);
      const { plan, report } = await syncPair(pair, { mode: "upsert", include: ["refund_2022", "rental"], tables: REFUND_2022_KEY });
      assert.equal(report.committed, true, `run ${run}: ${report.error ?? JSON.stringify(report.steps.filter((s) => s.status === "failed"))}`);
      assert.deepEqual(loadOrder(plan.actions), ["rental", "refund_2022"], `run ${run}`);
      for (const table of ["rental", "refund_2022"]) assert.equal(await tableFingerprint(pair.target, table), await tableFingerprint(pair.source, table), `run ${run}: ${table}`);
    }
  });
});

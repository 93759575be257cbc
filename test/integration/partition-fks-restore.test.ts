/**
 * `pgferry restore` into a populated target with foreign keys declared only on partitions: the
 * restore plan loads rental before the partitioned tables whose partitions reference it, restore
 * after restore (refresh, then upsert), into the target the previous restore filled.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { dumpSnapshot } from "../../src/archive/dump-snapshot.js";
import { restoreSnapshot } from "../../src/archive/restore-snapshot.js";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import type { SyncMode } from "../../src/model/plan.js";
import { createFileStore } from "../../src/storage/file-store.js";
import { addReferencingRows, PARTITION_FKS_DDL, PARTITION_FKS_ROWS } from "../fixtures/partition-fks.js";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

describe("restore with FKs declared on partitions", () => {
  let pair: DatabasePair;
  let dir: string;
  const config = configSchema.parse({});

  before(async () => {
    pair = await createDatabasePair("partition_fks_restore");
    dir = mkdtempSync(join(tmpdir(), "pgferry-partition-fks-"));
    await pair.source.query(`${PARTITION_FKS_DDL}${PARTITION_FKS_ROWS}`);
    // Populated before the first restore: the same schema (FKs on the partitions) and older rows.
    await pair.target.query(`${PARTITION_FKS_DDL}
      INSERT INTO rental SELECT g, 'old' FROM generate_series(1, 10) g;
      INSERT INTO payment SELECT g, 1 + g % 10, DATE '2022-01-01' + (g % 59), 1 FROM generate_series(1, 20) g;`);
  });
  after(async () => {
    await pair?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("orders every restore by the partitions' FKs: three refreshes, then two upserts, of the restored target", async () => {
    const store = createFileStore(dir);
    const modes: SyncMode[] = ["refresh", "refresh", "refresh", "upsert", "upsert"];
    for (const [run, mode] of modes.entries()) {
      // New rentals referenced by new payments and refunds: loaded before their rental, they fail the FK.
      await addReferencingRows(pair.source);
      const dumped = await dumpSnapshot({
        source: resolveEndpoint(pair.sourceUrl, "source", config),
        store,
        selection: { include: [], exclude: [], where: {} },
        jobs: 2,
        lockTimeoutSeconds: 10,
        pgferryVersion: "test",
      });
      const { plan, report } = await restoreSnapshot({ store, snapshot: dumped.name, target: resolveEndpoint(pair.targetUrl, "target", config), mode });
      const label = `restore ${run + 1} (${mode})`;
      assert.equal(report.committed, true, `${label}: ${report.error ?? JSON.stringify(report.steps.filter((s) => s.status === "failed"))}`);
      const order = plan.actions.filter((a) => a.kind === "refresh").map((a) => a.table.name);
      assert.ok(order.indexOf("rental") < order.indexOf("payment") && order.indexOf("rental") < order.indexOf("refund"), `${label}: ${order.join(", ")}`);
      for (const table of ["rental", "payment", "refund"]) assert.equal(await tableFingerprint(pair.target, table), await tableFingerprint(pair.source, table), `${label}: ${table}`);
    }
  });
});

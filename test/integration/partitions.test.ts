/** Partitioned tables: created with their partitions, rows copied once through the parent. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertConverged } from "../harness/assert-converged.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

describe("partitioned tables", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("partitions");
    await pair.source.query(`
      CREATE TABLE payments (id bigint, paid_at date NOT NULL, amount numeric(10,2), PRIMARY KEY (id, paid_at)) PARTITION BY RANGE (paid_at);
      CREATE TABLE payments_2024 PARTITION OF payments FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      CREATE TABLE payments_2025 PARTITION OF payments FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
      CREATE TABLE payments_other PARTITION OF payments DEFAULT;
      CREATE INDEX payments_amount_idx ON payments (amount);
      INSERT INTO payments SELECT g, DATE '2024-01-01' + (g % 800), g / 7.0 FROM generate_series(1, 3000) g;
    `);
  });
  after(async () => pair?.drop());

  it("creates the parent and its partitions and copies every row once", async () => {
    const { plan, report } = await syncPair(pair, { include: ["payments"] });
    assert.equal(report.ok, true, report.error);
    assert.deepEqual(plan.actions.map((a) => `${a.kind} ${a.table.name}`), ["create payments", "skip payments_2024", "skip payments_2025", "skip payments_other"]);
    assert.equal(report.steps[0]?.rows, 3000);
    for (const t of ["payments", "payments_2024", "payments_2025", "payments_other"]) {
      assert.equal(await tableFingerprint(pair.target, t), await tableFingerprint(pair.source, t), t);
    }
    const parts = await pair.target.query("SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'payments'::regclass");
    assert.equal(parts.rows[0].n, 3);
    const idx = await pair.target.query("SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'payments_2025'");
    assert.equal(idx.rows[0].n, 2, "primary key and amount index reach the partitions through the parent");
    await assertConverged(pair, { include: ["payments"] });
  });

  it("refreshes through the parent", async () => {
    await pair.source.query("DELETE FROM payments WHERE id % 3 = 0");
    const { report } = await syncPair(pair, { include: ["payments"] });
    assert.equal(report.ok, true, report.error);
    assert.equal(report.steps[0]?.rows, 2000);
    assert.equal(await tableFingerprint(pair.target, "payments"), await tableFingerprint(pair.source, "payments"));
  });
});

/**
 * syncRows (and so `sync --with-parents`) with foreign keys declared only on partitions, or only
 * on the partitioned parent of the partition whose rows are chosen: the referenced rows come
 * along and are upserted first, call after call, into a populated target.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { syncRows } from "../../src/ops/sync-rows.js";
import { addReferencingRows, PARTITION_FKS_DDL, PARTITION_FKS_ROWS, REFUND_2022_KEY } from "../fixtures/partition-fks.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

describe("syncRows with FKs declared on partitions", () => {
  let pair: DatabasePair;
  const endpoints = () => {
    const config = configSchema.parse({});
    return { source: resolveEndpoint(pair.sourceUrl, "source", config), target: resolveEndpoint(pair.targetUrl, "target", config) };
  };

  before(async () => {
    pair = await createDatabasePair("partition_fks_rows");
    await pair.source.query(`${PARTITION_FKS_DDL}${PARTITION_FKS_ROWS}`);
    // A populated target: the same schema and some of the rows.
    await pair.target.query(`${PARTITION_FKS_DDL}
      INSERT INTO rental SELECT g, 'r' || g FROM generate_series(1, 10) g;
      INSERT INTO payment SELECT g, 1 + g % 10, DATE '2022-01-01' + (g % 59), 1 FROM generate_series(1, 20) g;`);
  });
  after(async () => pair?.drop());

  it("brings the rental a payment references through its partition's FK, and writes it first", async () => {
    for (let call = 1; call <= 3; call++) {
      const added = await addReferencingRows(pair.source);
      const result = await syncRows({ ...endpoints(), table: "payment", keys: [{ payment_id: added.payment, paid_on: "2022-02-15" }] });
      assert.equal(result.ok, true, `call ${call}: ${result.error}`);
      assert.deepEqual(result.tables.map((t) => `${t.table.name}: ${t.inserted} inserted`), ["rental: 1 inserted", "payment: 1 inserted"], `call ${call}`);
      const copied = await pair.target.query("SELECT r.note FROM payment p JOIN rental r USING (rental_id) WHERE p.payment_id = $1", [added.payment]);
      assert.deepEqual(copied.rows, [{ note: "new" }], `call ${call}`);
    }
  });

  it("brings the rental a partition's rows reference through an FK declared on its partitioned parent", async () => {
    for (let call = 1; call <= 2; call++) {
      const added = await addReferencingRows(pair.source);
      const result = await syncRows({ ...endpoints(), table: "refund_2022", where: `refund_id = ${added.refund}`, tables: REFUND_2022_KEY });
      assert.equal(result.ok, true, `call ${call}: ${result.error}`);
      assert.deepEqual(result.tables.map((t) => `${t.table.name}: ${t.inserted} inserted`), ["rental: 1 inserted", "refund_2022: 1 inserted"], `call ${call}`);
    }
  });

  it("follows the partitions' FKs from the rows of a where condition on the partitioned table, across partitions", async () => {
    const added = await addReferencingRows(pair.source);
    const result = await syncRows({ ...endpoints(), table: "payment", where: `payment_id IN (${added.payment}, 7) ` });
    assert.equal(result.ok, true, result.error);
    const rentals = result.tables.find((t) => t.table.name === "rental");
    assert.deepEqual(rentals && { rows: rentals.rows, inserted: rentals.inserted }, { rows: 2, inserted: 1 }, "payment 7 (January) references rental 8, already on the target");
    assert.equal(result.tables.at(-1)?.table.name, "payment");
  });
});

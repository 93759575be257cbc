/**
 * Foreign keys declared only on partitions (the Pagila and GitLab pattern) order the load too: a
 * refresh of a populated target loads the referenced table before the partitioned one that is
 * filled through its parent, run after run, with --jobs 1 and 2.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertConverged } from "../harness/assert-converged.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

// Names sort so that "payment" comes before "rental": only the FK can put rental first.
const SCHEMA = `
  CREATE TABLE rental (rental_id int PRIMARY KEY, note text);
  CREATE TABLE payment (payment_id int NOT NULL, rental_id int NOT NULL, paid_on date NOT NULL, amount numeric(6,2)) PARTITION BY RANGE (paid_on);
  CREATE TABLE payment_p2022_01 PARTITION OF payment FOR VALUES FROM ('2022-01-01') TO ('2022-02-01');
  CREATE TABLE payment_p2022_02 PARTITION OF payment FOR VALUES FROM ('2022-02-01') TO ('2022-03-01');
  ALTER TABLE payment_p2022_01 ADD CONSTRAINT payment_p2022_01_rental_id_fkey FOREIGN KEY (rental_id) REFERENCES rental (rental_id);
  ALTER TABLE payment_p2022_02 ADD CONSTRAINT payment_p2022_02_rental_id_fkey FOREIGN KEY (rental_id) REFERENCES rental (rental_id);
`;

describe("FKs declared on partitions", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("partition_fks");
    await pair.source.query(SCHEMA);
    await pair.source.query(`INSERT INTO rental SELECT g, 'r' || g FROM generate_series(1, 500) g;
      INSERT INTO payment SELECT g, 1 + g % 500, DATE '2022-01-01' + (g % 59), g % 100 FROM generate_series(1, 3000) g`);
  });
  after(async () => pair?.drop());

  it("orders the partitioned table after the table its partitions reference", async () => {
    for (const jobs of [1, 2, 1, 2]) {
      // New rentals referenced by new payments: a payment loaded before its rental fails the FK.
      await pair.source.query("INSERT INTO rental SELECT max(rental_id) + 1, 'new' FROM rental");
      await pair.source.query("INSERT INTO payment SELECT max(payment_id) + 1, (SELECT max(rental_id) FROM rental), DATE '2022-02-15', 9 FROM payment");
      const { plan, report } = await syncPair(pair, { jobs });
      assert.equal(report.committed, true, `--jobs ${jobs}: ${report.error ?? JSON.stringify(report.steps.filter((s) => s.status === "failed"))}`);
      const order = plan.actions.filter((a) => a.kind === "refresh" || a.kind === "create").map((a) => a.table.name);
      assert.ok(order.indexOf("rental") < order.indexOf("payment"), order.join(", "));
      for (const table of ["rental", "payment"]) assert.equal(await tableFingerprint(pair.target, table), await tableFingerprint(pair.source, table), table);
    }
    await assertConverged(pair);
  });
});

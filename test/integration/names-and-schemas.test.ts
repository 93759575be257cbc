/** Quoted, mixed-case, non-ASCII names and names with spaces or dots; tables in two schemas. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertConverged } from "../harness/assert-converged.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

describe("names and schemas", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("names");
    await pair.source.query(`
      CREATE SCHEMA "Billing Dept";
      CREATE SCHEMA app;
      CREATE DOMAIN "Billing Dept"."bıgınt" AS bigint CHECK (VALUE >= 0);
      CREATE TYPE "Billing Dept"."Status ""quoted""" AS ENUM ('Open', 'closed.for good');
      CREATE TABLE app."User" ("Id" serial PRIMARY KEY, "E-mail Address" text UNIQUE, "naïve column" text);
      CREATE TABLE "Billing Dept"."Invoice.2024" (
        "Nº" "Billing Dept"."bıgınt" PRIMARY KEY,
        "user id" int NOT NULL REFERENCES app."User"("Id"),
        "état" "Billing Dept"."Status ""quoted""" DEFAULT 'Open',
        "select" text
      );
      CREATE INDEX "Idx With Space" ON "Billing Dept"."Invoice.2024" ("user id", "état");
      CREATE UNLOGGED TABLE app.users (id int PRIMARY KEY);
      CREATE TABLE "Billing Dept".users (id int PRIMARY KEY, note text);
      INSERT INTO app."User" ("E-mail Address", "naïve column") VALUES ('A@x', 'ü'), ('b@x', '日本語');
      INSERT INTO "Billing Dept"."Invoice.2024" VALUES (1, 1, 'closed.for good', 'kw'), (2, 2, DEFAULT, NULL);
      INSERT INTO app.users VALUES (1), (2);
      INSERT INTO "Billing Dept".users VALUES (10, 'billing');
    `);
  });
  after(async () => pair?.drop());

  it("creates and fills every table with its odd names intact", async () => {
    const { report } = await syncPair(pair);
    assert.equal(report.ok, true, report.error);
    for (const table of [`app."User"`, `"Billing Dept"."Invoice.2024"`, "app.users", `"Billing Dept".users`]) {
      assert.equal(await tableFingerprint(pair.target, table), await tableFingerprint(pair.source, table), table);
    }
    const idx = await pair.target.query(`SELECT 1 FROM pg_indexes WHERE schemaname = 'Billing Dept' AND indexname = 'Idx With Space'`);
    assert.equal(idx.rowCount, 1);
    const unlogged = await pair.target.query("SELECT relpersistence FROM pg_class WHERE oid = 'app.users'::regclass");
    assert.equal(unlogged.rows[0].relpersistence, "u", "an UNLOGGED table stays unlogged");
    const next = await pair.target.query(`INSERT INTO app."User" ("E-mail Address") VALUES ('c@x') RETURNING "Id"`);
    assert.equal(next.rows[0].Id, 3, "serial sequence set to the source's value");
    await assertConverged(pair);
  });

  it("selects by quoted, schema-qualified and unqualified patterns", async () => {
    const quoted = await syncPair(pair, { include: [`"Billing Dept"."Invoice.2024"`], dryRun: true });
    assert.deepEqual(quoted.plan.actions.map((a) => a.table.name), ["Invoice.2024"]);
    const unqualified = await syncPair(pair, { include: ["users"], dryRun: true });
    assert.deepEqual(unqualified.plan.actions.map((a) => `${a.table.schema}.${a.table.name}`).sort(), ["Billing Dept.users", "app.users"]);
    const glob = await syncPair(pair, { include: ["app.*"], exclude: ["app.users"], dryRun: true });
    assert.deepEqual(glob.plan.actions.map((a) => a.table.name), ["User"]);
  });

  it("refreshes one schema's table without touching the same name in the other", async () => {
    await pair.target.query(`INSERT INTO app.users VALUES (99)`);
    await pair.target.query(`UPDATE "Billing Dept".users SET note = 'target-only edit'`);
    const before = await tableFingerprint(pair.target, `"Billing Dept".users`);
    const { report } = await syncPair(pair, { include: ["app.users"] });
    assert.equal(report.ok, true, report.error);
    assert.equal(await tableFingerprint(pair.target, "app.users"), await tableFingerprint(pair.source, "app.users"));
    assert.equal(await tableFingerprint(pair.target, `"Billing Dept".users`), before);
  });
});

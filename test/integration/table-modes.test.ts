/**
 * Issue 12, item 1: a per-table mode (tables.<t>.mode / deleteMissing) over the run's, and a
 * refreshed table that a merged table references written as upsert + delete-missing instead of
 * being refused (what made pgferry.yml with `preserve` fail on its second run).
 */
import assert from "node:assert/strict";
import { after, beforeEach, describe, it } from "node:test";
import type { SyncPlan } from "../../src/model/plan.js";
import { writeMode } from "../../src/plan/write-mode.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `
  CREATE TABLE orgs (id int PRIMARY KEY, name text NOT NULL);
  CREATE TABLE users (id int PRIMARY KEY, org_id int NOT NULL REFERENCES orgs, email text NOT NULL, cognito_sub text);
  CREATE TABLE events (id int PRIMARY KEY, user_id int REFERENCES users, kind text NOT NULL);
`;
const TABLES = ["orgs", "users", "events"];
const rows = async (pair: DatabasePair, side: "source" | "target", sql: string) => (await pair[side].query(sql)).rows.map((r: Record<string, unknown>) => Object.values(r).join(" "));
const modes = (plan: SyncPlan) => Object.fromEntries(plan.actions.map((a) => [a.table.name, writeMode(a) ?? a.kind]));

describe("per-table modes", () => {
  let pair: DatabasePair;
  beforeEach(async () => {
    await pair?.drop();
    pair = await createDatabasePair("table_modes");
    await pair.source.query(`${SCHEMA}
      INSERT INTO orgs VALUES (1, 'Acme'), (2, 'Globex renamed');
      INSERT INTO users VALUES (1, 1, 'a@example.com', 'prod-1'), (2, 2, 'b@example.com', 'prod-2'), (3, 1, 'c@example.com', 'prod-3');
      INSERT INTO events VALUES (1, 1, 'signup'), (2, 2, 'signup');`);
    await pair.target.query(`${SCHEMA}
      INSERT INTO orgs VALUES (1, 'Acme'), (2, 'Globex'), (9, 'Staging only org');
      INSERT INTO users VALUES (1, 1, 'old-a@example.com', 'staging-1'), (4, 1, 'tester@example.com', 'staging-4');
      INSERT INTO events VALUES (1, 1, 'signup'), (50, 4, 'staging-only event');`);
  });
  after(async () => pair?.drop());

  it("a table's own mode wins over the run's; the table it references is refreshed as upsert + delete-missing, not refused", async () => {
    const { plan, report } = await syncPair(pair, { include: TABLES, tables: { users: { mode: "upsert" } } });
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps));
    assert.deepEqual(modes(plan), { orgs: "refresh (upsert + delete-missing)", users: "upsert", events: "refresh" });
    assert.deepEqual(plan.truncate.map((t) => t.table.name), ["events"]);
    assert.match(
      plan.diagnostics.find((d) => d.table?.name === "orgs" && d.level === "info")?.message ?? "",
      /^refreshed as upsert \+ delete-missing, not with TRUNCATE: public\.users is merged by key and references it through foreign key "users_org_id_fkey"/,
    );
    assert.deepEqual(await rows(pair, "target", "SELECT * FROM orgs ORDER BY id"), await rows(pair, "source", "SELECT * FROM orgs ORDER BY id"), "orgs ends equal to the source");
    assert.deepEqual(await rows(pair, "target", "SELECT * FROM users ORDER BY id"), [
      "1 1 a@example.com prod-1",
      "2 2 b@example.com prod-2",
      "3 1 c@example.com prod-3",
      "4 1 tester@example.com staging-4",
    ]);
    assert.deepEqual(await rows(pair, "target", "SELECT * FROM events ORDER BY id"), await rows(pair, "source", "SELECT * FROM events ORDER BY id"));
    assert.deepEqual(report.steps.find((s) => s.table.name === "orgs")?.changes, { inserted: 0, updated: 1, unchanged: 1, deleted: 1 });
  });

  it("a table's deleteMissing wins over the run's", async () => {
    const { plan, report } = await syncPair(pair, { include: TABLES, mode: "upsert", deleteMissing: true, tables: { users: { deleteMissing: false } } });
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps));
    assert.deepEqual(modes(plan), { orgs: "upsert + delete-missing", users: "upsert", events: "upsert + delete-missing" });
    assert.deepEqual(await rows(pair, "target", "SELECT id FROM users ORDER BY id"), ["1", "2", "3", "4"]);
    assert.deepEqual(await rows(pair, "target", "SELECT id FROM orgs ORDER BY id"), ["1", "2"]);
  });

  it("a row the refreshed parent loses while a kept row references it fails the run, and everything rolls back", async () => {
    await pair.target.query("UPDATE users SET org_id = 9 WHERE id = 4");
    const before = await rows(pair, "target", "SELECT * FROM orgs ORDER BY id");
    const { report } = await syncPair(pair, { include: TABLES, tables: { users: { mode: "upsert" } } });
    assert.equal(report.ok, false);
    assert.equal(report.committed, false);
    assert.match(report.steps.find((s) => s.table.name === "orgs")?.reason ?? "", /^deleting rows the source no longer has: .*violates foreign key constraint "users_org_id_fkey"/);
    assert.deepEqual(await rows(pair, "target", "SELECT * FROM orgs ORDER BY id"), before);
    assert.deepEqual(await rows(pair, "target", "SELECT id FROM events ORDER BY id"), ["1", "50"], "the TRUNCATE of events rolled back too");
  });

  it("refuses a table's deleteMissing when the run's mode, which it takes, is insert-missing", async () => {
    const { plan, report } = await syncPair(pair, { include: TABLES, mode: "insert-missing", dryRun: true, tables: { events: { deleteMissing: true } } });
    assert.equal(report.ok, false);
    assert.deepEqual(
      plan.diagnostics.filter((d) => d.level === "error").map((d) => `${d.table?.name}: ${d.message}`),
      ["events: tables.<table>.deleteMissing works with mode upsert only, and this table's mode is insert-missing"],
    );
  });

  it("a run-wide delete-missing serves the tables whose own mode is upsert; with none it is refused", async () => {
    const served = await syncPair(pair, { include: TABLES, deleteMissing: true, dryRun: true, tables: { events: { mode: "upsert" } } });
    assert.equal(served.report.ok, true, served.report.error);
    // events (merged) references users, which references orgs: neither can be truncated.
    assert.deepEqual(modes(served.plan), { orgs: "refresh (upsert + delete-missing)", users: "refresh (upsert + delete-missing)", events: "upsert + delete-missing" });
    await assert.rejects(syncPair(pair, { include: TABLES, deleteMissing: true, dryRun: true }), /--delete-missing works with --mode upsert only/);
  });
});

describe("a referenced refresh whose unique value moved to another key", () => {
  let pair: DatabasePair;
  after(async () => pair?.drop());

  it("fails the run, since rows the source lacks are deleted after the upsert, and rolls everything back", async () => {
    pair = await createDatabasePair("table_modes_moved");
    const schema = `CREATE TABLE orgs (id int PRIMARY KEY, slug text NOT NULL UNIQUE);
      CREATE TABLE users (id int PRIMARY KEY, org_id int NOT NULL REFERENCES orgs, sub text);`;
    await pair.source.query(`${schema} INSERT INTO orgs VALUES (2, 'acme'); INSERT INTO users VALUES (1, 2, 'prod');`);
    await pair.target.query(`${schema} INSERT INTO orgs VALUES (1, 'acme'); INSERT INTO users VALUES (1, 1, 'staging');`);
    const { report } = await syncPair(pair, { include: ["orgs", "users"], tables: { users: { preserve: ["sub"] } } });
    assert.equal(report.ok, false);
    assert.match(report.steps.find((s) => s.table.name === "orgs")?.reason ?? "", /duplicate key value violates unique constraint "orgs_slug_key"/);
    assert.deepEqual(await rows(pair, "target", "SELECT * FROM orgs"), ["1 acme"]);
  });
});

describe("a referenced refresh that cannot be merged", () => {
  let pair: DatabasePair;
  after(async () => pair?.drop());

  it("keeps the refusal, saying why it cannot be merged, until a key is configured", async () => {
    pair = await createDatabasePair("table_modes_nokey");
    const schema = `CREATE TABLE regions (code text NOT NULL, CONSTRAINT regions_code UNIQUE (code));
      CREATE TABLE shops (id int PRIMARY KEY, region text NOT NULL REFERENCES regions (code), api_key text);`;
    await pair.source.query(`${schema} INSERT INTO regions VALUES ('eu'), ('us'); INSERT INTO shops VALUES (1, 'eu', 'prod');`);
    await pair.target.query(`${schema} INSERT INTO regions VALUES ('eu'), ('apac'); INSERT INTO shops VALUES (1, 'eu', 'staging');`);
    const tables = { shops: { preserve: ["api_key"] } };
    const refused = await syncPair(pair, { include: ["regions", "shops"], dryRun: true, tables });
    assert.deepEqual(
      refused.plan.diagnostics.filter((d) => d.level === "error").map((d) => d.message),
      [
        'public.shops is merged by key (upsert, insert-missing or preserved columns) but references public.regions through foreign key "shops_region_fkey", which is refreshed with TRUNCATE (and cannot be written as upsert + delete-missing instead: upsert + delete-missing needs a primary key: the target table has none (configure one: tables.<table>.key: [columns] with a unique constraint)): give both the same mode',
      ],
    );
    const { report } = await syncPair(pair, { include: ["regions", "shops"], tables: { ...tables, regions: { key: ["code"] } } });
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps));
    assert.deepEqual(await rows(pair, "target", "SELECT code FROM regions ORDER BY code"), ["eu", "us"]);
    assert.deepEqual(await rows(pair, "target", "SELECT * FROM shops"), ["1 eu staging"]);
  });
});

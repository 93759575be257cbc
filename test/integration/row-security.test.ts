/**
 * Row-level security on the source: a role that policies filter would copy part of a table and
 * verify it against the same filtered count. The plan refuses such a table unless allowed.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { syncRows } from "../../src/ops/sync-rows.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, serverUrls, type DatabasePair, withUser, dropRole } from "../harness/test-databases.js";

describe("row-level security on the source", () => {
  let pair: DatabasePair;
  const reader = `pgferry_rls_${randomBytes(4).toString("hex")}`;
  const password = randomBytes(9).toString("hex");
  const asReader = () => ({ sourceUrl: withUser(pair.sourceUrl, reader, password), targetUrl: pair.targetUrl });
  const errors = (diagnostics: readonly { level: string; table?: { name: string }; message: string }[]) =>
    diagnostics.filter((d) => d.level === "error").map((d) => d.table?.name);

  before(async () => {
    pair = await createDatabasePair("row_security");
    await pair.source.query(`
      CREATE ROLE ${reader} LOGIN PASSWORD '${password}';
      CREATE TABLE accounts (id int PRIMARY KEY, tenant int NOT NULL, note text);
      INSERT INTO accounts SELECT g, g % 2, 'note ' || g FROM generate_series(1, 100) g;
      ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant_one ON accounts FOR SELECT USING (tenant = 1);
      CREATE TABLE own_notes (id int PRIMARY KEY, secret boolean NOT NULL);
      INSERT INTO own_notes SELECT g, g > 5 FROM generate_series(1, 10) g;
      ALTER TABLE own_notes ENABLE ROW LEVEL SECURITY;
      CREATE POLICY public_only ON own_notes FOR SELECT USING (NOT secret);
      ALTER TABLE own_notes OWNER TO ${reader};
      CREATE TABLE plain (id int PRIMARY KEY);
      INSERT INTO plain SELECT generate_series(1, 7);
      GRANT USAGE ON SCHEMA public TO ${reader};
      GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${reader};
    `);
  });
  after(async () => {
    await pair?.drop();
    await dropRole(serverUrls().source, reader);
  });

  it("refuses a table whose rows the source role's policies filter, before writing anything", async () => {
    const { plan } = await syncPair(asReader(), { dryRun: true });
    assert.deepEqual(errors(plan.diagnostics), ["accounts"], "the owner of own_notes reads all of it (no FORCE); plain has no RLS");
    assert.match(
      plan.diagnostics.find((d) => d.level === "error")?.message ?? "",
      /^row-level security hides rows of this table from the source role .*set tables\."public\.accounts"\.allowRowSecurity: true/,
    );
    await assert.rejects(syncPair(asReader()), { name: "ConfigError", message: /nothing was written: public\.accounts: row-level security hides rows/ });
    const tables = await pair.target.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
    assert.equal(tables.rows[0].n, 0);
  });

  it("refuses the owner's own table under FORCE ROW LEVEL SECURITY", async () => {
    await pair.source.query("ALTER TABLE own_notes FORCE ROW LEVEL SECURITY");
    try {
      const { plan } = await syncPair(asReader(), { dryRun: true });
      assert.deepEqual(errors(plan.diagnostics).sort(), ["accounts", "own_notes"]);
    } finally {
      await pair.source.query("ALTER TABLE own_notes NO FORCE ROW LEVEL SECURITY");
    }
  });

  it("copies what the policies show when allowRowSecurity is set, with a warning", async () => {
    const { plan, report } = await syncPair(asReader(), { tables: { accounts: { allowRowSecurity: true } } });
    assert.equal(report.ok, true, report.error);
    assert.match(plan.diagnostics.find((d) => d.level === "warning" && d.table?.name === "accounts")?.message ?? "", /only the rows its policies show are copied/);
    const counts = await pair.target.query("SELECT (SELECT count(*) FROM accounts)::int AS accounts, (SELECT count(*) FROM own_notes)::int AS notes, (SELECT count(*) FROM plain)::int AS plain");
    assert.deepEqual(counts.rows[0], { accounts: 50, notes: 10, plain: 7 });
  });

  it("a superuser source reads every row and nothing is refused", async () => {
    const { plan, report } = await syncPair(pair, { include: ["accounts"] });
    assert.equal(report.ok, true, report.error);
    assert.deepEqual(errors(plan.diagnostics), []);
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM accounts")).rows[0].n, 100);
  });

  it("syncRows refuses rows of such a table too, and writes nothing", async () => {
    const config = configSchema.parse({});
    const endpoints = { source: resolveEndpoint(asReader().sourceUrl, "source", config), target: resolveEndpoint(pair.targetUrl, "target", config) };
    await pair.target.query("DELETE FROM accounts");
    const refused = await syncRows({ ...endpoints, table: "accounts", where: "id <= 10" });
    assert.equal(refused.ok, false);
    assert.match(refused.error ?? "", /^public\.accounts: row-level security hides rows of this table from the source role/);
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM accounts")).rows[0].n, 0);
    const allowed = await syncRows({ ...endpoints, table: "accounts", where: "id <= 10", tables: { accounts: { allowRowSecurity: true } } });
    assert.equal(allowed.ok, true, allowed.error);
    assert.equal(allowed.rows, 5);
  });
});

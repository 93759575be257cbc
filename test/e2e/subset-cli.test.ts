/**
 * Issue 15, subsetting through the built CLI: pgferry.yml's `subset:` in the plan (each table's
 * share and an estimate), in the report (kept of total), in `dump --dry-run`, turned off by
 * --no-subset, and bad subsets refused in one line with exit 2 before anything is written.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const ENVIRONMENTS = `environments:\n  prod: { url: "\${SRC}" }\n  staging: { url: "\${DST}" }\ndefaults: { from: prod, to: staging }\n`;

describe("subset through the CLI", () => {
  let pair: DatabasePair;
  let dir: string;
  const cli = (args: string[], config: string) => {
    writeFileSync(join(dir, "pgferry.yml"), `${ENVIRONMENTS}${config}`);
    return runCliProcess(args, { cwd: dir, env: { SRC: pair.sourceUrl, DST: pair.targetUrl } });
  };
  const SUBSET = `subset:\n  roots:\n    public.orders: "id <= 30"\n`;
  const tablesOnTarget = async () => (await pair.target.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0]!.n;

  before(async () => {
    pair = await createDatabasePair("subset_cli");
    await pair.source.query(`
      CREATE TABLE users (id int PRIMARY KEY, email text);
      CREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users);
      CREATE TABLE order_items (order_id int REFERENCES orders, sku text);
      CREATE TABLE settings (k text PRIMARY KEY);
      INSERT INTO users SELECT g, 'u' || g || '@example.org' FROM generate_series(1, 1000) g;
      INSERT INTO orders SELECT g, 1 + (g * 37) % 1000 FROM generate_series(1, 3000) g;
      INSERT INTO order_items SELECT 1 + g % 3000, 'sku' FROM generate_series(1, 6000) g;
      INSERT INTO settings VALUES ('a'), ('b');
      ANALYZE;`);
    dir = mkdtempSync(join(tmpdir(), "pgferry-subset-"));
  });
  after(async () => pair?.drop());

  it("refuses an unknown root table, a root filter that is not valid SQL and a virtual FK naming an unknown column: one line, exit 2, nothing written", async () => {
    const bad = [
      { config: `subset:\n  roots:\n    public.nope: "true"\n`, error: /subset root "public\.nope" matches no selected table/ },
      { config: `subset:\n  roots:\n    orders: "no_such_column = 1"\n`, error: /subset root filter for public\.orders is not valid SQL here: column "no_such_column" does not exist/ },
      {
        config: `${SUBSET}  virtualForeignKeys:\n    - { from: "public.order_items(nope)", to: "public.orders(id)" }\n`,
        error: /public\.order_items: subset\.virtualForeignKeys\[0\]: no column "nope" in public\.order_items/,
      },
    ];
    for (const { config, error } of bad) {
      const run = await cli(["sync", "--yes"], config);
      assert.equal(run.code, 2, run.stderr);
      const lines = errorLines(run.stderr);
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, error);
      assert.equal(await tablesOnTarget(), 0, "nothing was written");
    }
  });

  it("--dry-run shows each table's share of the subset and its estimate; --json carries them", async () => {
    const run = await cli(["sync", "--dry-run"], SUBSET);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /public\.orders .*~30 of ~3,000 .*subset: root: id <= 30/);
    assert.match(run.stdout, /public\.users .* of ~1,000 .*subset: parents of public\.orders/);
    assert.match(run.stdout, /public\.order_items .*~0 of ~6,000 .*subset: no rows \(list it in subset\.children to keep its rows that reference kept rows\)/);
    assert.match(run.stdout, /public\.settings .*subset: copied whole/);
    const json = await cli(["sync", "--dry-run", "--json"], SUBSET);
    assert.equal(json.code, 0, json.stderr);
    const orders = (JSON.parse(json.stdout) as { tables: { table: { name: string }; rows: number; subset?: { summary: string; tableRowsEstimate: number } }[] }).tables.find((t) => t.table.name === "orders")!;
    assert.deepEqual(orders.subset, { summary: "root: id <= 30", tableRowsEstimate: 3000 });
    assert.ok(orders.rows >= 20 && orders.rows <= 40, `the estimate comes from EXPLAIN on the subset: ${orders.rows}`);
    assert.equal(await tablesOnTarget(), 0);
  });

  it("a sync reports the rows kept of each table's total; --no-subset copies whole tables", async () => {
    const run = await cli(["sync", "--yes"], SUBSET);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /public\.orders\s+create\s+30 of ~3,000/);
    const users = (await pair.source.query<{ n: number }>("SELECT count(DISTINCT user_id)::int AS n FROM orders WHERE id <= 30")).rows[0]!.n;
    assert.deepEqual((await pair.target.query("SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM order_items) AS items, (SELECT count(*)::int FROM settings) AS settings")).rows, [
      { orders: 30, users, items: 0, settings: 2 },
    ]);
    const whole = await cli(["sync", "--yes", "--no-subset"], SUBSET);
    assert.equal(whole.code, 0, whole.stderr);
    assert.deepEqual((await pair.target.query("SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM users) AS users")).rows, [{ orders: 3000, users: 1000 }]);
  });

  it("dump --dry-run shows the subset's share of each table", async () => {
    const run = await cli(["dump", "--dry-run", "--to", `file://${join(dir, "store")}`], SUBSET);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /public\.orders .*~30 .*root: id <= 30/);
    assert.match(run.stdout, /public\.users .*parents of public\.orders/);
  });
});

/**
 * Issue 14 item 5 through the built CLI: `pgferry sync --dry-run` from PostgreSQL 18 into the
 * machine's 15 prints one refusal line per object the target's version cannot create and exits
 * non-zero; the real run refuses the same way and writes nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startEmbeddedServer, type RunningServer } from "../harness/embedded-server.js";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, machineServerUrl, type DatabasePair } from "../harness/test-databases.js";

describe("pgferry sync across versions: refusals before anything is written", () => {
  let server: RunningServer;
  let pair: DatabasePair;
  before(async () => {
    server = await startEmbeddedServer("18");
    pair = await createDatabasePair("xver_cli", { source: server.adminUrl, target: machineServerUrl() });
    await pair.source.query(`
      CREATE TABLE tickets (id uuid PRIMARY KEY DEFAULT uuidv7(), note text);
      CREATE TABLE labels (id int PRIMARY KEY, doubled int GENERATED ALWAYS AS (id * 2) VIRTUAL);
      CREATE VIEW fresh_ids AS SELECT uuidv7() AS id, doubled FROM labels;
      INSERT INTO tickets (note) VALUES ('one');
    `);
  });
  after(async () => {
    await pair?.drop();
    await server?.stop();
  });

  it("--dry-run prints one line per refused object and the translation warning, exit 2", async () => {
    const run = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--dry-run"]);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    const lines = run.stdout.split("\n").filter((line) => /^(error|warning): /.test(line));
    assert.deepEqual(lines, [
      'warning: public.labels: column "doubled": VIRTUAL generated columns need PostgreSQL 18, so it is created STORED on PostgreSQL 15 (same values, computed on write)',
      "error: table public.tickets: cannot be created on PostgreSQL 15: function uuidv7() does not exist",
      "error: view public.fresh_ids: cannot be created on PostgreSQL 15: function uuidv7() does not exist",
    ]);
  });

  it("the real run refuses with one line and creates nothing", async () => {
    const run = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--yes"]);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.deepEqual(errorLines(run.stderr), [
      "pgferry: error: the plan has 2 problems; nothing was written: table public.tickets: cannot be created on PostgreSQL 15: function uuidv7() does not exist; view public.fresh_ids: cannot be created on PostgreSQL 15: function uuidv7() does not exist",
    ]);
    const tables = await pair.target.query("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'");
    assert.deepEqual(tables.rows, []);
  });
});

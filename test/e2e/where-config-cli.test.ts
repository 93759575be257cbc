/**
 * Issue 12, item 2: pgferry.yml's sync.where filters the tables it names when a run selects them,
 * so `--tables`, `--group`, `dump` and scheduled jobs that leave such a table out still run; a
 * --where on the command line that matches no selected table is refused.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

describe("sync.where in pgferry.yml with a narrower selection", () => {
  let pair: DatabasePair;
  let dir: string;
  const cli = (args: string[]) => runCliProcess(args, { cwd: dir, env: { SRC: pair.sourceUrl, DST: pair.targetUrl } });
  before(async () => {
    pair = await createDatabasePair("where_cfg");
    await pair.source.query(`
      CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE events (id int PRIMARY KEY);
      INSERT INTO users SELECT generate_series(1, 10); INSERT INTO events SELECT generate_series(1, 10);`);
    dir = mkdtempSync(join(tmpdir(), "pgferry-where-"));
    writeFileSync(
      join(dir, "pgferry.yml"),
      `environments:\n  prod: { url: "\${SRC}" }\n  staging: { url: "\${DST}" }\ndefaults: { from: prod, to: staging }\n` +
        `groups:\n  people: [users]\nsync:\n  where:\n    events: "id > 7"\n    users: "id <= 4"\n`,
    );
  });
  after(async () => pair?.drop());

  it("runs --tables and --group without the filtered table, filtering the selected one", async () => {
    for (const args of [["--tables", "users"], ["--group", "people"]]) {
      const run = await cli(["sync", ...args, "--yes"]);
      assert.equal(run.code, 0, `${args.join(" ")}: ${run.stderr}`);
      assert.deepEqual((await pair.target.query("SELECT count(*)::int AS n FROM users")).rows, [{ n: 4 }]);
      assert.deepEqual((await pair.target.query("SELECT to_regclass('public.events') IS NULL AS absent")).rows, [{ absent: true }]);
    }
    const all = await cli(["sync", "--yes", "--where", "users:id <= 2"]);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual((await pair.target.query("SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM events) AS events")).rows, [{ users: 2, events: 3 }], "--where replaces the configured filter of its table");
  });

  it("refuses a command-line --where that matches no selected table, in one line, writing nothing", async () => {
    const run = await cli(["sync", "--tables", "users", "--where", "events:id > 1", "--yes"]);
    assert.equal(run.code, 2, run.stderr);
    assert.deepEqual(errorLines(run.stderr), ['pgferry: error: where filter for "events" matches no selected table']);
    assert.deepEqual((await pair.target.query("SELECT count(*)::int AS n FROM users")).rows, [{ n: 2 }], "the target is as the last run left it");
  });
});

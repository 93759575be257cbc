/**
 * Issue 12, item 6: plans and reports name how each table's rows are written (upsert and
 * insert-missing tables used to read "refresh").
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = "CREATE TABLE users (id int PRIMARY KEY, email text, sub text); CREATE TABLE events (id int PRIMARY KEY);";

describe("the write mode of each table in plans and reports", () => {
  let pair: DatabasePair;
  let dir: string;
  const cli = (args: string[]) => runCliProcess(args, { cwd: dir, env: { SRC: pair.sourceUrl, DST: pair.targetUrl } });
  before(async () => {
    pair = await createDatabasePair("write_modes");
    await pair.source.query(`${SCHEMA} INSERT INTO users VALUES (1, 'a@x', 'prod'); INSERT INTO events VALUES (1), (2);`);
    await pair.target.query(`${SCHEMA} INSERT INTO users VALUES (1, 'old@x', 'staging');`);
    dir = mkdtempSync(join(tmpdir(), "pgferry-modes-"));
    writeFileSync(
      join(dir, "pgferry.yml"),
      `environments:\n  prod: { url: "\${SRC}" }\n  staging: { url: "\${DST}" }\ndefaults: { from: prod, to: staging }\ntables:\n  users: { preserve: [sub] }\n`,
    );
  });
  after(async () => pair?.drop());

  it("names upsert, insert-missing, upsert + delete-missing and refresh (preserve) in the dry run", async () => {
    const cases: [string[], RegExp, RegExp][] = [
      [["--mode", "upsert"], /public\.users\s+upsert\b/, /public\.events\s+upsert\b/],
      [["--mode", "insert-missing"], /public\.users\s+insert-missing\b/, /public\.events\s+insert-missing\b/],
      [["--mode", "upsert", "--delete-missing"], /public\.users\s+upsert \+ delete-missing/, /public\.events\s+upsert \+ delete-missing/],
      [[], /public\.users\s+refresh \(preserve\)/, /public\.events\s+refresh\b/],
    ];
    for (const [flags, users, events] of cases) {
      const run = await cli(["sync", "--dry-run", ...flags]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout + run.stderr, users, flags.join(" "));
      assert.match(run.stdout + run.stderr, events, flags.join(" "));
    }
  });

  it("reports the mode of each written table, also in --json", async () => {
    const run = await cli(["sync", "--mode", "insert-missing", "--yes", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { tables: { table: { name: string }; action: string; mode: string | null }[] };
    assert.deepEqual(report.tables.map((t) => [t.table.name, t.action, t.mode]).sort(), [["events", "refresh", "insert-missing"], ["users", "refresh", "insert-missing"]]);
    const human = await cli(["sync", "--mode", "upsert", "--yes"]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout + human.stderr, /public\.users\s+upsert\s/);
  });
});

/**
 * Issue 12, item 8: `pgferry sync --jobs 2` through the built CLI shows its progress: on a
 * terminal (a pseudo-terminal from `script`) a frame with a bar, percentage and size per table,
 * the run's share, and the post-data phase with its statement count; piped, plain lines (one per
 * table, one per phase start and end), no escape sequences and no line per statement.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { CLI, collectCliRun, runCliProcess, type CliRun } from "../harness/sync-helpers.js";
import { assertNoPgferrySessions, createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `CREATE TABLE parent (id int PRIMARY KEY, name text NOT NULL);
  CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent, note text);
  CREATE INDEX child_parent ON child (parent_id);`;

const ESC = "\u001b";

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, "'\\''")}'`;
}

/** The built CLI on a pseudo-terminal of 200 columns (util-linux `script`); stdout and stderr both arrive as `stdout`. */
function runCliOnTerminal(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  const command = `stty cols 200; exec ${[process.execPath, CLI, ...args].map(shellQuote).join(" ")}`;
  return collectCliRun(spawn("script", ["-qec", command, "/dev/null"], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] }));
}

describe("sync progress through the CLI (--jobs 2)", () => {
  let pair: DatabasePair;
  let dir: string;
  const env = () => ({ SRC: pair.sourceUrl, DST: pair.targetUrl });
  before(async () => {
    pair = await createDatabasePair("progress_cli");
    await pair.source.query(`${SCHEMA}
      INSERT INTO parent SELECT g, 'parent ' || g FROM generate_series(1, 20000) g;
      INSERT INTO child SELECT g, 1 + g % 20000, repeat('x', 40) FROM generate_series(1, 50000) g;`);
    // Sizes come from relpages: a table never vacuumed or analyzed has no estimate (and no percentage).
    await pair.source.query("VACUUM ANALYZE parent");
    await pair.source.query("VACUUM ANALYZE child");
    dir = mkdtempSync(join(tmpdir(), "pgferry-progress-"));
    writeFileSync(join(dir, "pgferry.yml"), `environments:\n  prod: { url: "\${SRC}" }\n  staging: { url: "\${DST}" }\ndefaults: { from: prod, to: staging }\n`);
  });
  beforeEach(async () => pair.target.query("DROP TABLE IF EXISTS child, parent"));
  after(async () => pair?.drop());

  it("prints plain lines when stderr is not a terminal: one per table and per phase start and end", async () => {
    const run = await runCliProcess(["sync", "--jobs", "2", "--yes"], { cwd: dir, env: env() });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!run.stderr.includes(ESC), "no escape sequences off a terminal");
    assert.match(run.stderr, /^pgferry: copied public\.parent: 20,000 rows, [\d.]+ [kM]B in [\d.]+ s$/m);
    assert.match(run.stderr, /^pgferry: copied public\.child: 50,000 rows, [\d.]+ [kM]B in [\d.]+ s$/m);
    const started = /^pgferry: building keys, indexes and foreign keys: (\d+) statements?$/m.exec(run.stderr);
    assert.ok(started, run.stderr);
    assert.match(run.stderr, new RegExp(`^pgferry: built keys, indexes and foreign keys: ${started[1]} statements? in [\\d.]+ s$`, "m"));
    assert.match(run.stderr, /^pgferry: moved the tables loaded in parallel into place: \d+ statements? in [\d.]+ s$/m);
    assert.equal(run.stderr.match(/keys, indexes and foreign keys/g)?.length, 2, "no line per statement");
    const rows = await pair.target.query("SELECT (SELECT count(*) FROM parent)::int AS parents, (SELECT count(*) FROM child)::int AS children");
    assert.deepEqual(rows.rows[0], { parents: 20000, children: 50000 });
    await assertNoPgferrySessions(pair.target);
  });

  it("draws a frame on a terminal: bars with percentages per table, the run's share, the post-data phase's statement count", async () => {
    const run = await runCliOnTerminal(["sync", "--jobs", "2", "--yes"], dir, env());
    const screen = run.stdout;
    assert.equal(run.code, 0, screen);
    assert.match(screen, /copying: \d of 2 tables done, \d+% of ~[\d.]+ [kM]B/);
    assert.match(screen, /public\.parent\s+[█░]{20} +\d+% [\d.]+ k?B of ~[\d.]+ [kM]B/);
    assert.match(screen, /public\.child\s+[█░]{20} +\d+% [\d.]+ k?B of ~[\d.]+ [kM]B/);
    assert.match(screen, /building keys, indexes and foreign keys: 0\/\d+ statements, \d+ s/);
    // The frame is erased (cursor up, clear below) before a line is written or it is drawn again.
    assert.ok(screen.includes(`${ESC}[0J`), screen);
    assert.match(screen, /pgferry: copied public\.parent: 20,000 rows/);
    assert.match(screen, /pgferry: built keys, indexes and foreign keys: \d+ statements? in [\d.]+ s/);
    const rows = await pair.target.query("SELECT (SELECT count(*) FROM parent)::int AS parents, (SELECT count(*) FROM child)::int AS children");
    assert.deepEqual(rows.rows[0], { parents: 20000, children: 50000 });
    await assertNoPgferrySessions(pair.target);
  });
});

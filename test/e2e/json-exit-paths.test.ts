/**
 * --json through the built CLI (`npm run build` first): every exit path of every command that
 * takes --json prints exactly one JSON object on stdout, with ok, exitCode and error, and the
 * error is not null when the command failed. Logs and the one error line go to stderr.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { errorLines, runCliProcess, type CliOptions, type CliRun } from "../harness/sync-helpers.js";
import { connectTo, createDatabasePair, tableFingerprint, waitForPgferryLockWait, type DatabasePair } from "../harness/test-databases.js";

interface JsonResult {
  readonly ok: boolean;
  readonly exitCode: number;
  readonly error: string | null;
  readonly [field: string]: unknown;
}

/** stdout is exactly one JSON object whose exitCode is the process's; ok and error agree with it. */
function oneObject(run: CliRun, code: number): JsonResult {
  assert.equal(run.code, code, `exit code; stderr: ${run.stderr}`);
  let parsed: unknown;
  assert.doesNotThrow(() => (parsed = JSON.parse(run.stdout)), `stdout is one JSON value: ${run.stdout}`);
  assert.ok(parsed !== null && typeof parsed === "object" && !Array.isArray(parsed), `an object: ${run.stdout}`);
  const result = parsed as JsonResult;
  assert.equal(result.exitCode, code);
  assert.equal(result.ok, code === 0);
  assert.ok(result.error === null || typeof result.error === "string");
  return result;
}

/** A failure: one object with the error, the same one line on stderr. */
function failed(run: CliRun, code: number, pattern: RegExp): JsonResult {
  const result = oneObject(run, code);
  assert.ok(result.error !== null, "a failure has an error");
  assert.match(result.error, pattern);
  const lines = errorLines(run.stderr);
  assert.equal(lines.length, 1, `one error line: ${run.stderr}`);
  assert.ok(lines[0]!.endsWith(result.error), `stderr says the same: ${lines[0]} / ${result.error}`);
  return result;
}

describe("--json on every exit path", () => {
  let pair: DatabasePair;
  let dir: string;
  let targetBefore: string;
  const cli = (args: string[], options: CliOptions = {}) => runCliProcess(args, { cwd: dir, ...options });

  before(async () => {
    pair = await createDatabasePair("json_exits");
    await pair.source.query("CREATE TABLE items (id int PRIMARY KEY, label text); INSERT INTO items SELECT g, 'src' FROM generate_series(1, 50) g;");
    await pair.source.query("CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'too long for the target');");
    await pair.target.query("CREATE TABLE items (id int PRIMARY KEY, label text); INSERT INTO items VALUES (1, 'kept');");
    // The target's own CHECK fails this table's rows: a failed table, not a failed run.
    await pair.target.query("CREATE TABLE notes (id int PRIMARY KEY, body text CHECK (length(body) < 5))");
    targetBefore = await tableFingerprint(pair.target, "items");
    dir = mkdtempSync(join(tmpdir(), "pgferry-json-"));
    writeFileSync(join(dir, "typo.yml"), "environments:\n  staging:\n    url: postgres://u@127.0.0.1/x\n    protect: true\n");
    writeFileSync(join(dir, "protected.yml"), `environments:\n  prod:\n    url: ${pair.targetUrl}\n    protected: true\n`);
  });
  after(async () => pair?.drop());

  it("success: sync, with error null", async () => {
    const result = oneObject(await cli(["sync", pair.sourceUrl, pair.targetUrl, "--yes", "--json", "--tables", "items"]), 0);
    assert.equal(result.error, null);
    assert.equal(result.committed, true);
    assert.equal(result.tablesSynced, 1);
    await pair.target.query("UPDATE items SET label = 'kept' WHERE id = 1");
    targetBefore = await tableFingerprint(pair.target, "items"); // what every later failure must leave
  });

  it("a config error (a typo) and a usage error", async () => {
    failed(await cli(["sync", "a", "b", "--config", "typo.yml", "--json", "--yes"]), 2, /typo\.yml: unknown key protect in environments\.staging$/);
    const usage = oneObject(await cli(["sync", pair.sourceUrl, pair.targetUrl, "--json", "--bogus"]), 2);
    assert.match(usage.error ?? "", /unknown option '--bogus'/);
    failed(await cli(["sync", pair.sourceUrl, pair.targetUrl, "--json", "--yes", "--jobs", "0"]), 2, /--jobs/);
  });

  it("a connection error", async () => {
    failed(await cli(["sync", pair.sourceUrl, "postgres://nobody@127.0.0.1:1/none", "--yes", "--json"]), 4, /cannot connect to target/);
  });

  it("refusals: a protected target, no confirmation possible, a plan with problems (and its dry run)", async () => {
    failed(await cli(["sync", pair.sourceUrl, "prod", "--config", "protected.yml", "--yes", "--json"]), 3, /is protected/);
    failed(await cli(["sync", pair.sourceUrl, pair.targetUrl, "--json"]), 3, /--yes/);
    await pair.target.query("ALTER TABLE items ADD COLUMN extra int");
    try {
      failed(await cli(["sync", pair.sourceUrl, pair.targetUrl, "--tables", "items", "--strict", "--yes", "--json"]), 2, /the plan has 1 problem/);
      const dry = oneObject(await cli(["sync", pair.sourceUrl, pair.targetUrl, "--tables", "items", "--strict", "--dry-run", "--json"]), 2);
      assert.match(dry.error ?? "", /the plan has 1 problem/);
      assert.equal(dry.dryRun, true);
    } finally {
      await pair.target.query("ALTER TABLE items DROP COLUMN extra");
    }
    assert.equal(await tableFingerprint(pair.target, "items"), targetBefore, "nothing written");
  });

  it("failed tables: the error names them, and the history row keeps it", async () => {
    const run = await cli(["sync", pair.sourceUrl, pair.targetUrl, "--yes", "--json"]);
    const result = oneObject(run, 1);
    assert.match(result.error ?? "", /^1 table failed: public\.notes: .*check constraint/);
    assert.equal(result.committed, false);
    assert.equal(await tableFingerprint(pair.target, "items"), targetBefore, "rolled back");
    const { rows } = await pair.target.query<{ status: string; error: string | null }>("SELECT status, error FROM pgferry.runs ORDER BY id DESC LIMIT 1");
    assert.equal(rows[0]?.status, "failed");
    assert.equal(rows[0]?.error, result.error);
    const history = oneObject(await cli(["history", pair.targetUrl, "--json", "--limit", "1"]), 0);
    assert.equal((history.runs as { error: string }[])[0]?.error, result.error);
  });

  it("interrupted: exit 130, the run rolled back", async () => {
    const locker = await connectTo(pair.targetUrl);
    try {
      await locker.query("BEGIN; LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
      let child: Parameters<NonNullable<CliOptions["onSpawn"]>>[0] | undefined;
      const running = cli(["sync", pair.sourceUrl, pair.targetUrl, "--tables", "items", "--yes", "--json"], { onSpawn: (c) => (child = c) });
      await waitForPgferryLockWait(pair.target);
      child!.kill("SIGINT");
      const result = oneObject(await running, 130);
      assert.ok(result.error !== null);
      assert.match(result.error, /interrupt/);
    } finally {
      await locker.query("ROLLBACK").catch(() => undefined);
      await locker.end();
    }
    assert.equal(await tableFingerprint(pair.target, "items"), targetBefore);
  });

  it("the other commands: their success and their errors", async () => {
    const store = `file://${join(dir, "snapshots")}`;
    const dumped = oneObject(await cli(["dump", pair.sourceUrl, "--to", store, "--tables", "items", "--json"]), 0);
    assert.equal(dumped.error, null);
    const listed = oneObject(await cli(["snapshots", "list", "--from", store, "--json"]), 0);
    assert.equal((listed.snapshots as unknown[]).length, 1);
    oneObject(await cli(["snapshots", "show", "latest", "--from", store, "--json"]), 0);
    failed(await cli(["snapshots", "list", "--from", "nowhere", "--json"]), 2, /unknown store "nowhere"/);
    failed(await cli(["restore", "no-such-snapshot", pair.targetUrl, "--from", store, "--yes", "--json"]), 1, /no-such-snapshot/);
    failed(await cli(["dump", "postgres://nobody@127.0.0.1:1/none", "--to", store, "--json"]), 4, /cannot connect/);
    const diff = oneObject(await cli(["diff", pair.sourceUrl, pair.targetUrl, "--json"]), 1);
    assert.equal(diff.error, null, "differences are no failure");
    failed(await cli(["diff", pair.sourceUrl, "postgres://nobody@127.0.0.1:1/none", "--json"]), 2, /cannot connect/);
    failed(await cli(["remap", pair.targetUrl, "--yes", "--json"]), 2, /remap needs --table/);
    failed(await cli(["history", "postgres://nobody@127.0.0.1:1/none", "--json"]), 4, /cannot connect/);
    failed(await cli(["bucket-sync", store, store, "--json"]), 3, /same store/);
    failed(await cli(["sync", pair.sourceUrl, pair.targetUrl, "--with-parents", "--tables", "items", "--json", "--yes"]), 2, /--with-parents takes one table and one filter/);
  });
});

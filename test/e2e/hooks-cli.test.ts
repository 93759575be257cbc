/** Hooks, run history and remap through the real CLI, with a pgferry.yml. */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createClient } from "redis";
import { freePort } from "../harness/embedded-server.js";
import { testRedisUrl } from "../harness/redis-server.js";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, cognito_sub text);";

describe("pgferry sync with hooks, history and remap", () => {
  let pair: DatabasePair;
  let dir: string;
  const env = () => ({ SRC: pair.sourceUrl, DST: pair.targetUrl, REDIS: testRedisUrl(13) });
  const writeConfig = (hooks: string, extra = "") =>
    writeFileSync(
      join(dir, "pgferry.yml"),
      `environments:\n  prod: { url: "\${SRC}", protected: true }\n  staging: { url: "\${DST}", redis: "\${REDIS}" }\ndefaults: { from: prod, to: staging }\nhooks:\n  after:\n${hooks}\n${extra}`,
    );
  const cli = (args: string[]) => runCliProcess(args, { cwd: dir, env: env() });
  const redisKeys = async () => {
    const client = createClient({ url: testRedisUrl(13) });
    await client.connect();
    try {
      return (await client.keys("*")).sort();
    } finally {
      client.destroy();
    }
  };
  const seedRedis = async () => {
    const client = createClient({ url: testRedisUrl(13) });
    await client.connect();
    await client.flushDb();
    await client.set("dashboard:1", "x");
    await client.set("dashboard:2", "x");
    await client.set("session:1", "x");
    client.destroy();
  };

  before(async () => {
    pair = await createDatabasePair("hooks_cli");
    dir = mkdtempSync(join(tmpdir(), "pgferry-hooks-cli-"));
    await pair.source.query(`${SCHEMA} INSERT INTO users VALUES (1, 'ada@example.com', 'prod-sub-1'), (2, 'Bob@Example.com', 'prod-sub-2')`);
    writeFileSync(join(dir, "idp.csv"), "email,sub\nADA@example.com,staging-sub-1\nbob@example.com,staging-sub-2\n");
  });
  after(async () => pair?.drop());

  it("runs the hooks in order after the sync, reports them, and records the run", async () => {
    await seedRedis();
    writeConfig(`    - redis: { keys: ["dashboard:*"] }
    - sql: ["UPDATE users SET email = lower(email)"]
    - name: migrations
      command: "echo applied 2 migrations"
    - remap: { table: users, match: email, set: cognito_sub, from: idp.csv }`);
    const run = await cli(["sync", "--yes"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /redis delete keys dashboard:\*\s+redis\s+[\d.]+\s+ok\s+deleted 2 keys/);
    assert.match(run.stdout, /remap users\.cognito_sub by email\s+remap\s+[\d.]+\s+ok\s+2 pairs: matched 2, updated 2, unmatched 0/);
    assert.match(run.stderr, /hook migrations: applied 2 migrations/);
    assert.deepEqual(await redisKeys(), ["session:1"]);
    const { rows } = await pair.target.query("SELECT email, cognito_sub FROM users ORDER BY id");
    assert.deepEqual(rows, [{ email: "ada@example.com", cognito_sub: "staging-sub-1" }, { email: "bob@example.com", cognito_sub: "staging-sub-2" }]);

    const history = await cli(["history", "--json"]);
    assert.equal(history.code, 0, history.stderr);
    const { runs } = JSON.parse(history.stdout) as { runs: { job: string | null; status: string; tables: string[]; rows: number; mode: string; source: string }[] };
    assert.equal(runs[0]?.status, "ok");
    assert.deepEqual(runs[0]?.tables, ["public.users"]);
    assert.equal(runs[0]?.rows, 2);
    assert.equal(runs[0]?.job, null);
    assert.match(runs[0]!.source, /^prod \(postgres:/);
  });

  it("a failing hook fails the run (exit 1) but keeps the synced data, skips the hooks after it, and is recorded", async () => {
    await pair.source.query("INSERT INTO users VALUES (3, 'carol@example.com', NULL)");
    writeConfig(`    - command: "echo migration failed >&2; exit 4"
    - sql: "DELETE FROM users"`);
    const run = await cli(["sync", "--yes", "--json"]);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as { ok: boolean; committed: boolean; error: string; hooks: { status: string }[] };
    assert.equal(report.ok, false);
    assert.equal(report.committed, true);
    assert.match(report.error, /hook "command #1" failed: command exited with code 4/);
    assert.deepEqual(report.hooks.map((h) => h.status), ["failed", "skipped"]);
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM users")).rows[0].n, 3, "the sync stayed committed and the DELETE never ran");
    const history = await cli(["history", "--limit", "1"]);
    assert.match(history.stdout, /\bfailed\s+hook "command #1" failed/);
  });

  it("--no-hooks skips them; --dry-run lists them and runs none", async () => {
    writeConfig(`    - sql: "DELETE FROM users"`);
    const dry = await cli(["sync", "--dry-run"]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Hooks after a successful sync, in order:\n\s+1\. sql \(1 statement\) \(sql\)/);
    const skipped = await cli(["sync", "--yes", "--no-hooks"]);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.doesNotMatch(skipped.stdout, /hook/);
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM users")).rows[0].n, 3);
  });

  it("an unreachable Redis fails the run with the hook's name, the data stays, no password is printed", async () => {
    const port = await freePort();
    writeConfig(`    - name: flush cache\n      redis: { url: "redis://:hunter22@127.0.0.1:${port}/0", flush: 0 }`);
    await pair.source.query("UPDATE users SET email = 'carol@new.example.com' WHERE id = 3");
    const run = await cli(["sync", "--yes"]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /Hook "flush cache" failed; the synced data stays committed\./);
    assert.match(run.stdout, /cannot reach Redis at redis:\/\/:\*\*\*\*@127\.0\.0\.1/);
    assert.doesNotMatch(run.stdout + run.stderr, /hunter22/);
    assert.equal((await pair.target.query("SELECT email FROM users WHERE id = 3")).rows[0].email, "carol@new.example.com");
  });

  it("the history schema is never synced from a source that has one", async () => {
    await pair.source.query("CREATE SCHEMA pgferry; CREATE TABLE pgferry.runs (id int PRIMARY KEY); INSERT INTO pgferry.runs VALUES (424242)");
    writeConfig("    []");
    const run = await cli(["sync", "--yes", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { tables: { table: { schema: string } }[] };
    assert.ok(report.tables.every((t) => t.table.schema !== "pgferry"));
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM pgferry.runs WHERE id = 424242")).rows[0].n, 0);
    // Both sides have a pgferry.runs of different shapes; diff leaves pgferry's own schema out.
    const diff = await cli(["diff", "--json"]);
    assert.ok(diff.code === 0 || diff.code === 1, diff.stderr);
    assert.doesNotMatch(diff.stdout, /pgferry/);
  });

  it("a redis flush: N that contradicts the database in the environment's redis URL is refused before the sync", async () => {
    await seedRedis(); // db 13, the staging environment's redis URL
    const other = createClient({ url: testRedisUrl(15) });
    await other.connect();
    await other.set("e2e-keep", "x");
    other.destroy();
    writeConfig("    - redis: { flush: 15 }");
    await pair.source.query("INSERT INTO users VALUES (40, 'new@example.com', NULL)");
    const before_ = (await pair.target.query("SELECT count(*)::int AS n FROM users")).rows[0].n as number;
    const run = await cli(["sync", "--yes"]);
    assert.equal(run.code, 2, run.stderr);
    const lines = errorLines(run.stderr);
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /hooks\.after\[0\]: flush: 15 contradicts database 13 in the redis URL redis:\/\/.*\/13/);
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM users")).rows[0].n, before_, "the sync did not run");
    assert.deepEqual(await redisKeys(), ["dashboard:1", "dashboard:2", "session:1"]);
    const check = createClient({ url: testRedisUrl(15) });
    await check.connect();
    assert.equal(await check.get("e2e-keep"), "x");
    check.destroy();
  });

  it("pgferry remap needs no source, and refuses a malformed file or a protected target in one line", async () => {
    writeConfig("    []");
    writeFileSync(join(dir, "again.json"), JSON.stringify({ "carol@new.example.com": "staging-sub-3", "zed@example.com": "staging-sub-9" }));
    const ok = await cli(["remap", "staging", "--table", "users", "--set", "cognito_sub", "--from", "again.json", "--yes", "--json"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { pairs: 2, matched: 1, updated: 1, unmatched: 1, ok: true, exitCode: 0, error: null });

    writeFileSync(join(dir, "dupes.csv"), "email,sub\na@x.com,1\nA@X.com,2\n");
    const cases: [string[], number, RegExp][] = [
      [["remap", "staging", "--table", "users", "--set", "cognito_sub", "--from", "dupes.csv", "--yes"], 2, /duplicate email a@x\.com \(entries 1 and 2\)/],
      [["remap", "staging", "--table", "users", "--set", "nope", "--from", "again.json", "--yes"], 2, /public\.users has no column "nope" \(set\)/],
      [["remap", "prod", "--table", "users", "--set", "cognito_sub", "--from", "again.json", "--yes"], 3, /target prod .* is protected/],
      [["remap", "staging", "--table", "users", "--from", "again.json", "--yes"], 2, /remap needs --table, --set and --from/],
    ];
    for (const [args, code, message] of cases) {
      const run = await cli(args);
      assert.equal(run.code, code, `${args.join(" ")}: ${run.stderr}`);
      const lines = errorLines(run.stderr);
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, message);
    }
    assert.equal((await pair.target.query("SELECT cognito_sub FROM users WHERE id = 3")).rows[0].cognito_sub, "staging-sub-3");
  });
});

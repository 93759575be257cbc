/** Post-sync hooks against real servers: Redis (flush and SCAN + UNLINK), SQL, a shell command, remap by email. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createClient } from "redis";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { registerSecret } from "../../src/config/redact.js";
import { ConfigError } from "../../src/errors.js";
import type { HookSpec } from "../../src/hooks/hook-spec.js";
import { runRedisHook } from "../../src/hooks/redis-hook.js";
import { runRemapHook } from "../../src/hooks/remap-hook.js";
import { runHooks } from "../../src/hooks/run-hooks.js";
import { freePort } from "../harness/embedded-server.js";
import { testRedisUrl } from "../harness/redis-server.js";
import { assertNoPgferrySessions, createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

type Redis = ReturnType<typeof createClient>;

describe("post-sync hooks", () => {
  let pair: DatabasePair;
  let dir: string;
  const targetAccess = () => ({ target: resolveEndpoint(pair.targetUrl, "target", configSchema.parse({})) });
  const context = () => ({ ...targetAccess(), cwd: dir, env: process.env });
  before(async () => {
    pair = await createDatabasePair("hooks");
    dir = mkdtempSync(join(tmpdir(), "pgferry-hooks-"));
    await pair.target.query(`CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, cognito_sub text);
      INSERT INTO users VALUES (1, 'Ada@Example.com', 'prod-1'), (2, 'bob@example.com', 'prod-2'), (3, 'carol@example.com', NULL), (4, 'dave@example.com', 'keep-4')`);
  });
  after(async () => pair?.drop());

  async function withRedis<T>(db: number, work: (client: Redis) => Promise<T>): Promise<T> {
    const client = createClient({ url: testRedisUrl(db) });
    await client.connect();
    try {
      return await work(client);
    } finally {
      client.destroy();
    }
  }

  it("redis flush empties only the configured database", async () => {
    await withRedis(11, (c) => c.set("other-db-key", "stays"));
    await withRedis(10, async (c) => {
      await c.flushDb();
      for (let i = 0; i < 50; i += 1) await c.set(`k${i}`, "v");
    });
    const summary = await runRedisHook({ url: testRedisUrl(10), flush: 10 });
    assert.equal(summary, "flushed db 10 (50 keys)");
    assert.equal(await withRedis(10, (c) => c.dbSize()), 0);
    assert.equal(await withRedis(11, (c) => c.get("other-db-key")), "stays");
  });

  it("redis keys deletes exactly the matching keys with SCAN + UNLINK, in batches", async () => {
    await withRedis(12, async (c) => {
      await c.flushDb();
      const multi = c.multi();
      for (let i = 0; i < 5000; i += 1) multi.set(`dashboard:${i}`, "x");
      for (let i = 0; i < 30; i += 1) multi.set(`session:${i}`, "x");
      multi.set("report:1", "x");
      await multi.exec();
    });
    const summary = await runRedisHook({ url: testRedisUrl(12), keys: ["dashboard:*", "report:*"] });
    assert.equal(summary, "deleted 5001 keys from db 12");
    const left = await withRedis(12, async (c) => (await c.keys("*")).sort());
    assert.equal(left.length, 30);
    assert.ok(left.every((k) => k.startsWith("session:")));
  });

  // Databases 14 (and 11, which the first test of this file uses too) belong to this file.
  const seed = (db: number, keys: readonly string[]) =>
    withRedis(db, async (c) => {
      await c.flushDb();
      for (const key of keys) await c.set(key, "v");
    });

  it("redis flush: N flushes database N even when the URL names another one or none, and reports it", async () => {
    await seed(14, ["a", "b", "c"]);
    await seed(11, ["d", "e", "f", "g", "h", "i", "j"]);
    // The URL names db 11, the hook says flush: 14: a contradiction is refused, nothing is flushed.
    await assert.rejects(runRedisHook({ url: testRedisUrl(11), flush: 14 }), (e: Error) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.message, /^flush: 14 contradicts database 11 in the redis URL redis:\/\/.*\/11/);
      return true;
    });
    assert.equal(await withRedis(14, (c) => c.dbSize()), 3);
    assert.equal(await withRedis(11, (c) => c.dbSize()), 7);
    // A URL without a database: flush: 14 empties db 14, not db 0.
    const summary = await runRedisHook({ url: testRedisUrl(14).replace(/\/14$/, ""), flush: 14 });
    assert.equal(summary, "flushed db 14 (3 keys)");
    assert.equal(await withRedis(14, (c) => c.dbSize()), 0);
    assert.equal(await withRedis(11, (c) => c.dbSize()), 7);
  });

  it("redis keys purges run on the URL's database and say which", async () => {
    await seed(14, ["cache:1", "cache:2", "other"]);
    await seed(11, ["cache:1"]);
    assert.equal(await runRedisHook({ url: testRedisUrl(14), keys: ["cache:*"] }), "deleted 2 keys from db 14");
    assert.deepEqual(await withRedis(14, (c) => c.keys("*")), ["other"]);
    assert.deepEqual(await withRedis(11, (c) => c.keys("*")), ["cache:1"]);
  });

  it("an unreachable Redis fails the hook with one clear line and no password", async () => {
    const port = await freePort();
    await assert.rejects(runRedisHook({ url: `redis://:s3cretpw@127.0.0.1:${port}/10`, flush: 10 }), (e: Error) => {
      assert.match(e.message, new RegExp(`^cannot reach Redis at redis://:\\*\\*\\*\\*@127\\.0\\.0\\.1:${port}/10: .*ECONNREFUSED`));
      assert.doesNotMatch(e.message, /s3cretpw/);
      return true;
    });
  });

  it("sql statements run in one transaction: a failing one undoes the ones before it", async () => {
    const hooks: HookSpec[] = [{ kind: "sql", name: "bad sql", statements: ["UPDATE users SET cognito_sub = 'x' WHERE id = 4", "UPDATE no_such_table SET a = 1"] }];
    const [result] = await runHooks(hooks, context());
    assert.equal(result?.status, "failed");
    assert.match(result?.error ?? "", /^statement 2: relation "no_such_table" does not exist/);
    const { rows } = await pair.target.query("SELECT cognito_sub FROM users WHERE id = 4");
    assert.equal(rows[0].cognito_sub, "keep-4");

    const [ok] = await runHooks([{ kind: "sql", name: "ok sql", statements: ["CREATE TABLE hook_marker (n int)", "INSERT INTO hook_marker VALUES (1), (2)"] }], context());
    assert.equal(ok?.status, "ok");
    assert.equal(ok?.summary, "2 statements, 2 rows changed");
  });

  it("a sql hook whose target connection is lost says so, naming the target, and leaves no session behind", async () => {
    await pair.target.query(`CREATE FUNCTION end_my_session() RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(5); RETURN true; END $$`);
    const hooks: HookSpec[] = [{ kind: "sql", name: "lost", statements: ["UPDATE users SET cognito_sub = 'x' WHERE id = 4", "SELECT end_my_session()"] }];
    const [result] = await runHooks(hooks, context());
    assert.equal(result?.status, "failed");
    assert.equal(result?.error, "lost the connection to the target while running statement 2 of the sql hook: terminating connection due to administrator command [SQLSTATE 57P01]");
    const { rows } = await pair.target.query("SELECT cognito_sub FROM users WHERE id = 4");
    assert.equal(rows[0].cognito_sub, "keep-4");
    await assertNoPgferrySessions(pair.target);
  });

  it("a command gets the target URL in DATABASE_URL, streams its output, and its exit code counts", async () => {
    const lines: string[] = [];
    const out = join(dir, "url.txt");
    const hooks: HookSpec[] = [
      { kind: "command", name: "migrate", run: `printf '%s' "$DATABASE_URL" > ${out}; echo migrated 3 files` },
      { kind: "command", name: "broken", run: "echo about to fail >&2; exit 3" },
      { kind: "sql", name: "after the failure", statements: ["SELECT 1"] },
    ];
    const results = await runHooks(hooks, { ...context(), onLine: (l) => lines.push(l) });
    assert.equal(readFileSync(out, "utf8"), pair.targetUrl);
    assert.deepEqual(results.map((r) => r.status), ["ok", "failed", "skipped"]);
    assert.equal(results[1]?.error, "command exited with code 3");
    assert.equal(results[2]?.summary, "an earlier hook failed");
    assert.ok(lines.includes("hook migrate: migrated 3 files"), lines.join("\n"));
    assert.ok(lines.includes("hook broken: about to fail"), lines.join("\n"));
  });

  it("a command's output lines, its name and its error pass through redaction, for library callers too", async () => {
    registerSecret("lib-hook-secret-31");
    const lines: string[] = [];
    const hooks: HookSpec[] = [
      { kind: "command", name: "shows lib-hook-secret-31", run: "echo token=lib-hook-secret-31; echo postgres://u:pw@h/db >&2; echo lib-hook-secret-31 >&2; exit 5" },
    ];
    const [result] = await runHooks(hooks, { ...context(), onLine: (l) => lines.push(l) });
    assert.equal(result?.status, "failed");
    assert.equal(result?.name, "shows ****");
    assert.deepEqual(lines.sort(), ["hook shows ****: ****", "hook shows ****: postgres://u:****@h/db", "hook shows ****: running", "hook shows ****: token=****"]);
  });

  it("a library caller's PGPASSWORD, which a command inherits, is hidden in its output without loadConfig", async () => {
    const lines: string[] = [];
    const env = { ...process.env, PGPASSWORD: "lib-pgpassword-77" };
    const [result] = await runHooks([{ kind: "command", name: "echo", run: "echo $PGPASSWORD" }], { ...context(), env, onLine: (l) => lines.push(l) });
    assert.equal(result?.status, "ok");
    assert.deepEqual(lines, ["hook echo: running", "hook echo: ****"]);
  });

  it("a command that runs too long is stopped", async () => {
    const [result] = await runHooks([{ kind: "command", name: "slow", run: "sleep 30", timeoutSeconds: 0.3 }], context());
    assert.equal(result?.status, "failed");
    assert.equal(result?.error, "command timed out after 0.3 s");
    assert.ok(result!.seconds < 5);
  });

  it("remap sets the column by email, case-insensitively, and reports matched / updated / unmatched", async () => {
    writeFileSync(join(dir, "cognito.csv"), "email,sub\nada@example.COM,stg-1\n BOB@example.com ,stg-2\nnobody@example.com,stg-9\ndave@example.com,keep-4\n");
    const spec = { table: "users", match: "email", set: "cognito_sub", from: { file: "cognito.csv" }, attribute: "sub" };
    const counts = await runRemapHook(targetAccess(), spec, { cwd: dir, env: process.env, onLine: () => undefined });
    assert.deepEqual(counts, { pairs: 4, matched: 3, updated: 2, unmatched: 1 });
    const { rows } = await pair.target.query("SELECT id, cognito_sub FROM users ORDER BY id");
    assert.deepEqual(rows.map((r) => r.cognito_sub), ["stg-1", "stg-2", null, "keep-4"]);
    const again = await runRemapHook(targetAccess(), spec, { cwd: dir, env: process.env, onLine: () => undefined });
    assert.equal(again.updated, 0);
  });

  it("remap reads a Cognito list-users export printed by a command", async () => {
    const users = { Users: [{ Username: "u1", Attributes: [{ Name: "sub", Value: "cg-3" }, { Name: "email", Value: "Carol@example.com" }] }, { Username: "phone-only", Attributes: [{ Name: "sub", Value: "cg-x" }] }] };
    writeFileSync(join(dir, "users.json"), JSON.stringify(users));
    const spec = { table: "public.users", match: "email", set: "cognito_sub", from: { command: "cat users.json" }, attribute: "sub" };
    const counts = await runRemapHook(targetAccess(), spec, { cwd: dir, env: process.env, onLine: () => undefined });
    assert.deepEqual(counts, { pairs: 1, matched: 1, updated: 1, unmatched: 0 });
    const { rows } = await pair.target.query("SELECT cognito_sub FROM users WHERE id = 3");
    assert.equal(rows[0].cognito_sub, "cg-3");
  });

  it("remap refuses duplicate emails, unknown columns and missing files before changing anything", async () => {
    writeFileSync(join(dir, "dupes.json"), JSON.stringify([{ email: "ada@example.com", value: "a" }, { email: "ADA@example.com", value: "b" }]));
    const base = { table: "users", match: "email", set: "cognito_sub", attribute: "sub" };
    const run = (spec: typeof base & { from: { file: string } }) => runRemapHook(targetAccess(), spec, { cwd: dir, env: process.env, onLine: () => undefined });
    await assert.rejects(run({ ...base, from: { file: "dupes.json" } }), /duplicate email ada@example\.com \(entries 1 and 2\)/);
    await assert.rejects(run({ ...base, set: "okta_id", from: { file: "cognito.csv" } }), /^Error: remap: public\.users has no column "okta_id" \(set\)$|has no column "okta_id"/);
    await assert.rejects(run({ ...base, table: "people", from: { file: "cognito.csv" } }), /remap: table "people" does not exist on the target/);
    await assert.rejects(run({ ...base, from: { file: "missing.csv" } }), /missing\.csv cannot be read: ENOENT/);
    const { rows } = await pair.target.query("SELECT cognito_sub FROM users ORDER BY id");
    assert.deepEqual(rows.map((r) => r.cognito_sub), ["stg-1", "stg-2", "cg-3", "keep-4"]);
  });
});

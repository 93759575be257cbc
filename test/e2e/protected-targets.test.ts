/**
 * A protected database is never written, whatever reaches it: other spellings of the loopback
 * address, host/port/database from PG* variables, an unprotected environment with the same URL,
 * or any URL at all once the database carries the `pgferry protect` marker — through sync,
 * --with-parents, restore, remap and the library. URL parameters the driver ignores are refused.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { SafetyError } from "../../src/errors.js";
import { syncRows } from "../../src/ops/sync-rows.js";
import { errorLines, runCliProcess, syncPair, type CliRun } from "../harness/sync-helpers.js";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

describe("protected targets", () => {
  let pair: DatabasePair;
  let dir: string;
  let fingerprint: string;
  let target: URL;

  before(async () => {
    pair = await createDatabasePair("protected");
    await pair.source.query("CREATE TABLE items (id int PRIMARY KEY, label text); INSERT INTO items SELECT g, 'src' FROM generate_series(1, 100) g;");
    await pair.target.query("CREATE TABLE items (id int PRIMARY KEY, label text); INSERT INTO items VALUES (1, 'production');");
    fingerprint = await tableFingerprint(pair.target, "items");
    dir = mkdtempSync(join(tmpdir(), "pgferry-protected-"));
    target = new URL(pair.targetUrl);
  });
  after(async () => pair?.drop());

  const database = () => target.pathname.slice(1);
  const withHost = (host: string) => {
    const url = new URL(pair.targetUrl);
    url.hostname = host;
    return url.toString();
  };

  function config(text: string): string {
    const path = join(dir, `c${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(path, text);
    return path;
  }

  async function expectRefused(run: CliRun, pattern: RegExp, code = 3): Promise<void> {
    assert.equal(run.code, code, run.stderr);
    const lines = errorLines(run.stderr);
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, pattern);
    assert.ok(!run.stderr.includes(target.password), "no password");
    assert.equal(await tableFingerprint(pair.target, "items"), fingerprint, "target unchanged");
  }

  it("other spellings of the same host, and an unprotected environment with the same URL, are refused", async () => {
    const path = config(`environments:\n  prod:\n    url: ${pair.targetUrl}\n    protected: true\n  alias:\n    url: ${pair.targetUrl}\n`);
    for (const host of ["127.1", "0.0.0.0", "2130706433", "0x7f000001", "[::ffff:127.0.0.1]", "localhost", "LOCALHOST."]) {
      await expectRefused(await runCliProcess(["sync", pair.sourceUrl, withHost(host), "--config", path, "--yes"]), /is protected/);
    }
    await expectRefused(await runCliProcess(["sync", pair.sourceUrl, "alias", "--config", path, "--yes"]), /target alias .* is protected/);
  });

  it("host, port and database taken from PGHOST, PGPORT and PGDATABASE count", async () => {
    const path = config(`environments:\n  prod:\n    url: ${pair.targetUrl}\n    protected: true\n`);
    const run = await runCliProcess(["sync", pair.sourceUrl, "postgres:///", "--config", path, "--yes"], {
      env: { PGHOST: "127.0.0.1", PGPORT: target.port, PGDATABASE: database(), PGUSER: target.username, PGPASSWORD: target.password },
    });
    await expectRefused(run, new RegExp(`target postgres://${target.username}:\\*\\*\\*\\*@127\\.0\\.0\\.1:${target.port}/${database()} is protected`));
  });

  it("URL parameters the driver would ignore are refused instead of connecting elsewhere", async () => {
    for (const parameter of ["dbname", "database"]) {
      const url = `postgres://${target.username}:${target.password}@127.0.0.1:${target.port}/?${parameter}=${database()}`;
      const run = await runCliProcess(["sync", pair.sourceUrl, url, "--yes"]);
      await expectRefused(run, new RegExp(`the URL parameter "${parameter}" is not supported .*put the database in the URL's path`), 2);
    }
  });

  it("a database marked by pgferry protect is refused through any URL, sync, --with-parents, restore, remap and the library", async () => {
    const marked = await runCliProcess(["protect", pair.targetUrl]);
    assert.equal(marked.code, 0, marked.stderr);
    assert.match(marked.stdout, new RegExp(`Database "${database()}" .* is now protected`));
    try {
      // No config at all: only the server knows.
      await expectRefused(await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--yes"]), /is marked pgferry\.protected = on/);
      await expectRefused(await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--tables", "items", "--where", "items:id = 5", "--with-parents", "--yes"]), /is marked pgferry\.protected = on/);
      // A session setting cannot switch it off.
      const override = new URL(pair.targetUrl);
      override.searchParams.set("options", "-c pgferry.protected=off");
      await expectRefused(await runCliProcess(["sync", pair.sourceUrl, override.toString(), "--yes"]), /is marked pgferry\.protected = on/);
      writeFileSync(join(dir, "pairs.json"), JSON.stringify([{ email: "a@example.org", value: "x" }]));
      await expectRefused(await runCliProcess(["remap", pair.targetUrl, "--table", "items", "--match", "label", "--set", "label", "--from", join(dir, "pairs.json"), "--yes"]), /is marked pgferry\.protected = on/);
      const snapshots = config(`stores:\n  local: { url: "file://${join(dir, "snapshots")}" }\n`);
      const dumped = await runCliProcess(["dump", pair.sourceUrl, "--to", "local", "--config", snapshots]);
      assert.equal(dumped.code, 0, dumped.stderr);
      await expectRefused(await runCliProcess(["restore", "latest", pair.targetUrl, "--from", "local", "--config", snapshots, "--yes"]), /is marked pgferry\.protected = on/);

      const endpoints = { source: resolveEndpoint(pair.sourceUrl, "source", configSchema.parse({})), target: resolveEndpoint(pair.targetUrl, "target", configSchema.parse({})) };
      await assert.rejects(syncPair(pair), (e: unknown) => e instanceof SafetyError && /marked pgferry\.protected = on/.test(e.message));
      const rows = await syncRows({ ...endpoints, table: "items", keys: [5] });
      assert.equal(rows.ok, false);
      assert.match(rows.error ?? "", /marked pgferry\.protected = on/);
      // A dry run only reads: allowed.
      const dry = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--dry-run"]);
      assert.equal(dry.code, 0, dry.stderr);
      assert.equal(await tableFingerprint(pair.target, "items"), fingerprint);
    } finally {
      const unmarked = await runCliProcess(["protect", pair.targetUrl, "--off"]);
      assert.equal(unmarked.code, 0, unmarked.stderr);
    }
    const { report } = await syncPair(pair);
    assert.equal(report.committed, true, "writable again once the mark is removed");
  });
});

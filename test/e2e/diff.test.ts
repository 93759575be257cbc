/** `pgferry diff` through the real CLI: a known drift in text and JSON, identical schemas, migration versions, errors. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const COMMON = `
  CREATE TABLE same (id int PRIMARY KEY, label text NOT NULL);
  CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
  CREATE SEQUENCE invoice_numbers;
`;

describe("pgferry diff", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("diff");
    await pair.source.query(`${COMMON}
      CREATE TYPE status AS ENUM ('new', 'paid', 'void');
      CREATE TABLE admin_config (key text PRIMARY KEY, value numeric, updated_at timestamptz);
      CREATE TABLE orders (id int PRIMARY KEY, total numeric(12,2) CHECK (total >= 0), state status);
      CREATE INDEX orders_total ON orders (total);
      CREATE TABLE only_here (id int);
      CREATE SEQUENCE counter INCREMENT 5;
      INSERT INTO alembic_version VALUES ('4f2a9c1e');
    `);
    await pair.target.query(`${COMMON}
      CREATE TYPE status AS ENUM ('new', 'paid', 'refunded');
      CREATE TABLE admin_config (key text PRIMARY KEY, value jsonb, note text);
      CREATE TABLE orders (id int PRIMARY KEY, total numeric(12,2) CHECK (total > 0), state status);
      CREATE INDEX orders_state ON orders (state);
      CREATE TABLE only_there (id int);
      CREATE SEQUENCE counter INCREMENT 1;
      INSERT INTO alembic_version VALUES ('9b77d0aa');
    `);
  });
  after(async () => pair?.drop());

  it("prints every difference and the migration version of each side, exit 1", async () => {
    const run = await runCliProcess(["diff", pair.sourceUrl, pair.targetUrl]);
    assert.equal(run.code, 1, run.stderr);
    for (const line of [
      /table\s+public\.only_here\s+only on the source/,
      /table\s+public\.only_there\s+only on the target/,
      /column\s+public\.admin_config\.value\s+type: numeric → jsonb/,
      /column\s+public\.admin_config\.updated_at\s+only on the source; timestamp with time zone/,
      /column\s+public\.admin_config\.note\s+only on the target; text/,
      /constraint\s+public\.orders\.orders_total_check\s+definition: CHECK \(\(total >= \(0\)::numeric\)\) → CHECK \(\(total > \(0\)::numeric\)\)/,
      /index\s+public\.orders\.orders_total\s+only on the source/,
      /index\s+public\.orders\.orders_state\s+only on the target/,
      /sequence\s+public\.counter\s+increment: 5 → 1/,
      /enum\s+public\.status\s+labels missing on the target: 'void'; labels only on the target: 'refunded'/,
      /source: alembic \(public\.alembic_version\): latest 4f2a9c1e \(1 applied\)/,
      /target: alembic \(public\.alembic_version\): latest 9b77d0aa \(1 applied\)/,
      /^10 differences\.$/m,
    ]) {
      assert.match(run.stdout, line);
    }
    assert.doesNotMatch(run.stdout, /public\.same|invoice_numbers/, "identical objects are not listed");
  });

  it("gives the same drift as JSON", async () => {
    const run = await runCliProcess(["diff", pair.sourceUrl, pair.targetUrl, "--json", "--tables", "admin_config,only_*"]);
    assert.equal(run.code, 1, run.stderr);
    const json = JSON.parse(run.stdout) as { identical: boolean; differences: unknown[]; migrations: { source: { version: string }[] } };
    assert.equal(json.identical, false);
    assert.deepEqual(json.differences, [
      { kind: "column", owner: "public.admin_config", name: "value", change: "differs", details: ["type: numeric → jsonb"] },
      { kind: "column", owner: "public.admin_config", name: "updated_at", change: "only-source", details: ["timestamp with time zone"] },
      { kind: "column", owner: "public.admin_config", name: "note", change: "only-target", details: ["text"] },
      { kind: "table", owner: "public.only_here", name: null, change: "only-source", details: [] },
      { kind: "table", owner: "public.only_there", name: null, change: "only-target", details: [] },
    ]);
    assert.equal(json.migrations.source[0]?.version, "4f2a9c1e");
  });

  it("exits 0 for identical schemas", async () => {
    const run = await runCliProcess(["diff", pair.sourceUrl, pair.targetUrl, "--tables", "same,alembic_version"]);
    assert.equal(run.code, 0, `only the chosen tables and what they use are compared: ${run.stdout}`);
    const same = await createDatabasePair("diff_same");
    try {
      await same.source.query(COMMON);
      await same.target.query(COMMON);
      const identical = await runCliProcess(["diff", same.sourceUrl, same.targetUrl]);
      assert.equal(identical.code, 0, identical.stdout + identical.stderr);
      assert.match(identical.stdout, /No difference in tables, columns, constraints, indexes, sequences, enums or domains\./);
      assert.match(identical.stdout, /source: alembic \(public\.alembic_version\): no migration applied/);
    } finally {
      await same.drop();
    }
  });

  it("exits 2 with one error line on bad input or an unreachable side", async () => {
    for (const args of [
      ["diff", pair.sourceUrl, pair.targetUrl, "--tables", "nope"],
      ["diff", pair.sourceUrl, "postgres://pgferry:secret@127.0.0.1:1/none"],
      ["diff", pair.sourceUrl, "no_such_environment"],
    ]) {
      const run = await runCliProcess(args);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.equal(errorLines(run.stderr).length, 1, run.stderr);
      assert.doesNotMatch(run.stderr, /secret/);
    }
  });

  // These change the target: they run after the diff checks above.
  it("sync --strict refuses the drift, --no-create skips, and a plain sync converts numeric → jsonb", async () => {
    const strict = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--strict", "--dry-run"]);
    assert.equal(strict.code, 2, strict.stderr);
    assert.match(strict.stdout, /error: public\.admin_config: column "value" is numeric on the source and jsonb on the target: converted \(numeric → jsonb via to_jsonb\) \[--strict\]/);
    assert.match(strict.stdout, /error: public\.only_here: missing on the target: created \[--strict\]/);

    const skipped = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--tables", "only_here,admin_config", "--no-create", "--yes"]);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stderr, /warning: public\.only_here: missing on the target: skipped \(--no-create\)/);
    const after = await runCliProcess(["diff", pair.sourceUrl, pair.targetUrl, "--tables", "only_here", "--json"]);
    assert.equal((JSON.parse(after.stdout) as { differences: unknown[] }).differences.length, 1, "only_here is still missing");

    await pair.source.query("INSERT INTO admin_config VALUES ('limit', 12.5, now())");
    const synced = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--tables", "admin_config", "--yes"]);
    assert.equal(synced.code, 0, synced.stderr);
    assert.deepEqual((await pair.target.query("SELECT key, value FROM admin_config")).rows, [{ key: "limit", value: 12.5 }]);
  });
});

/**
 * Dry runs of `sync --with-parents`, `dump` and `remap`, `snapshots prune`'s plan and refusal,
 * and what `dump` selects (what a sync selects, as the README says), through the built CLI with a pgferry.yml. A dry run reads, prints and
 * writes nothing: no target row, no store object, no history row.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `
  CREATE TABLE organizations (id int PRIMARY KEY, name text);
  CREATE TABLE users (id int PRIMARY KEY, org_id int REFERENCES organizations, email text, cognito_sub text);
  CREATE TABLE events (id int PRIMARY KEY, kind text);
  CREATE TABLE audit_log (id int PRIMARY KEY, note text);
`;

const CONFIG = `environments:
  prod: { url: "\${SRC}", protected: true }
  staging: { url: "\${DST}" }
defaults: { from: prod, to: staging, store: backups }
stores:
  backups: { url: "file://snapshots", retainDays: 30 }
  daily: { url: "file://prune-store", keepDaily: 1 }
sync:
  tables: [organizations, users, events]
  exclude: [audit_log]
  where:
    events: "kind = 'kept'"
`;

describe("dry runs of --with-parents, dump and remap; prune's plan; dump's selection", () => {
  let pair: DatabasePair;
  let dir: string;
  const cli = (args: string[]) => runCliProcess(args, { cwd: dir, env: { SRC: pair.sourceUrl, DST: pair.targetUrl } });
  const targetState = async () => {
    const rows = await pair.target.query("SELECT (SELECT count(*) FROM organizations)::int AS orgs, (SELECT string_agg(id || ':' || org_id || ':' || coalesce(cognito_sub, '-'), ',' ORDER BY id) FROM users) AS users");
    const history = await pair.target.query("SELECT to_regclass('pgferry.runs') IS NOT NULL AS present");
    const runs = history.rows[0].present ? (await pair.target.query("SELECT count(*)::int AS n FROM pgferry.runs")).rows[0].n : 0;
    return { ...rows.rows[0], runs };
  };

  before(async () => {
    pair = await createDatabasePair("dry_runs_cli");
    dir = mkdtempSync(join(tmpdir(), "pgferry-dry-runs-"));
    writeFileSync(join(dir, "pgferry.yml"), CONFIG);
    await pair.source.query(`${SCHEMA}
      INSERT INTO organizations VALUES (1, 'Acme'), (2, 'Globex');
      INSERT INTO users VALUES (10, 2, 'new@example.com', NULL), (11, 1, 'old@example.com', NULL);
      INSERT INTO events VALUES (1, 'kept'), (2, 'dropped');
      INSERT INTO audit_log VALUES (1, 'secret');
      ANALYZE`);
    await pair.target.query(`${SCHEMA} INSERT INTO organizations VALUES (2, 'Globex (old name)'), (1, 'Acme'); INSERT INTO users VALUES (11, 1, 'old@example.com', 'sub-11')`);
  });
  after(async () => pair?.drop());

  it("sync --with-parents --dry-run counts the rows and parents it would upsert, and writes nothing", async () => {
    const before = await targetState();
    const text = await cli(["sync", "--tables", "users", "--where", "users:id IN (10, 11)", "--with-parents", "--dry-run"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Source: prod \(postgres:.*\nTarget: staging \(postgres:/);
    assert.match(text.stdout, /table\s+rows\s+would insert\s+would update\s+unchanged/);
    assert.match(text.stdout, /public\.organizations\s+2\s+0\s+1\s+1\n/);
    assert.match(text.stdout, /public\.users\s+2\s+1\s+1\s+0\n/);
    assert.match(text.stdout, /Dry run, nothing written: 4 row\(s\) of 2 table\(s\), parents first, would be upserted into staging/);

    const json = await cli(["sync", "--tables", "users", "--where", "users:id = 10", "--with-parents", "--dry-run", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { ok: boolean; exitCode: number; error: string | null; dryRun: boolean; committed: boolean; rows: number; tables: { table: string; rows: number; inserted: number; updated: number; unchanged: number }[] };
    assert.deepEqual([report.ok, report.exitCode, report.error, report.dryRun, report.committed, report.rows], [true, 0, null, true, false, 2]);
    assert.deepEqual(report.tables.map((t) => [t.table, t.rows, t.inserted, t.updated, t.unchanged]), [
      ["public.organizations", 1, 0, 1, 0],
      ["public.users", 1, 1, 0, 0],
    ]);
    assert.deepEqual(await targetState(), before, "no target row and no history row written");

    // As sync --dry-run: no --yes needed, and a protected target may be read.
    const protectedTarget = await cli(["sync", "staging", "prod", "--tables", "users", "--where", "users:id = 11", "--with-parents", "--dry-run"]);
    assert.equal(protectedTarget.code, 0, protectedTarget.stderr);
    assert.match(protectedTarget.stdout, /public\.users\s+1\s+0\s+1\s+0\n/);

    const bad = await cli(["sync", "--tables", "users", "--where", "users:nope = 1", "--with-parents", "--dry-run"]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.deepEqual(errorLines(bad.stderr).length, 1, bad.stderr);
    assert.match(errorLines(bad.stderr)[0]!, /where condition for public\.users is not valid SQL here/);
    assert.equal(bad.stdout, "");
  });

  it("dump --dry-run prints the tables, filters, store and snapshot name, and writes nothing to the store", async () => {
    const text = await cli(["dump", "--dry-run"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Source: prod \(postgres:.*\nStore: file:\/\/.*\/snapshots\nSnapshot: \d{8}T\d{6}\.\d{3}Z-[0-9a-f]{6}_prod /);
    assert.match(text.stdout, /public\.events\s+~2\s+\S+ \S+\s+kind = 'kept'\n/);
    assert.doesNotMatch(text.stdout, /audit_log/, "sync.exclude applies to a dump");
    assert.match(text.stdout, /Dry run, nothing written: 3 table\(s\) would be dumped to file:\/\//);
    assert.equal(existsSync(join(dir, "snapshots")), false, "the store was not touched");

    const json = await cli(["dump", "--dry-run", "--json", "--tables", "users", "--where", "users:id = 10"]);
    assert.equal(json.code, 0, json.stderr);
    const preview = JSON.parse(json.stdout) as { ok: boolean; dryRun: boolean; snapshot: string; store: string; tables: { name: string; where: string | null; estimatedRows: number | null }[] };
    assert.deepEqual([preview.ok, preview.dryRun], [true, true]);
    assert.match(preview.snapshot, /_prod$/);
    assert.deepEqual(preview.tables.map((t) => t.name), ["users"]);
    assert.match(preview.tables[0]!.where!, /^filtered \(sha256 [0-9a-f]{16}\)$/, "the filter's text is not in the JSON, as in the manifest");
    assert.doesNotMatch(json.stdout, /id = 10/);

    const bad = await cli(["dump", "--dry-run", "--where", "events:nope = 1"]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.equal(errorLines(bad.stderr).length, 1, bad.stderr);
    assert.match(errorLines(bad.stderr)[0]!, /where filter for public\.events is not valid SQL/);
    assert.equal(existsSync(join(dir, "snapshots")), false);
  });

  it("dump selects what a sync selects: sync.tables, sync.exclude and sync.where, under the flags", async () => {
    const rowsOf = (stdout: string) => (JSON.parse(stdout) as { tables: { name: string; rows: number }[] }).tables.map((t) => [t.name, t.rows]).sort();
    const configured = await cli(["dump", "--json"]);
    assert.equal(configured.code, 0, configured.stderr);
    assert.deepEqual(rowsOf(configured.stdout), [["events", 1], ["organizations", 2], ["users", 2]]);

    const flagged = await cli(["dump", "--json", "--tables", "events,audit_log", "--where", "events:true"]);
    assert.equal(flagged.code, 0, flagged.stderr);
    assert.deepEqual(rowsOf(flagged.stdout), [["events", 2]], "--tables replaces sync.tables, --where replaces sync.where's filter, sync.exclude stays");

    writeFileSync(join(dir, "bare.yml"), CONFIG.slice(0, CONFIG.indexOf("sync:")));
    const bare = await cli(["--config", "bare.yml", "dump", "--json"]);
    assert.equal(bare.code, 0, bare.stderr);
    assert.deepEqual(rowsOf(bare.stdout), [["audit_log", 1], ["events", 2], ["organizations", 2], ["users", 2]], "without sync: every table, every row");
  });

  it("remap --dry-run counts matched, changed and unmatched emails and writes nothing", async () => {
    writeFileSync(join(dir, "idp.csv"), "email,sub\nOLD@example.com,sub-11\nnew@example.com,sub-10\nnobody@example.com,sub-99\n");
    await pair.target.query("INSERT INTO users VALUES (12, 1, 'New@Example.com', NULL) ON CONFLICT DO NOTHING");
    const before = await tableFingerprint(pair.target, "users");
    const text = await cli(["remap", "--table", "users", "--set", "cognito_sub", "--from", "idp.csv", "--dry-run"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Dry run, nothing written: 3 pairs: would match 2, would update 1 \(users\.cognito_sub in staging \(postgres:.*\)\), unmatched 1\.\n$/);
    const json = await cli(["remap", "--table", "users", "--set", "cognito_sub", "--from", "idp.csv", "--dry-run", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), { pairs: 3, matched: 2, updated: 1, unmatched: 1, dryRun: true, ok: true, exitCode: 0, error: null });
    assert.equal(await tableFingerprint(pair.target, "users"), before, "nothing was updated");

    const bad = await cli(["remap", "--table", "users", "--set", "nope", "--from", "idp.csv", "--dry-run"]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.equal(errorLines(bad.stderr).length, 1, bad.stderr);
    assert.match(errorLines(bad.stderr)[0]!, /public\.users has no column "nope" \(set\)/);
    await pair.target.query("DELETE FROM users WHERE id = 12");
  });

  it("snapshots prune prints its plan with reasons, refuses without --yes, and with --yes also removes empty snapshot folders", async () => {
    const store = join(dir, "prune-store");
    const dumped = await cli(["dump", "--to", "file://prune-store", "--json", "--tables", "organizations"]);
    assert.equal(dumped.code, 0, dumped.stderr);
    const { snapshot } = JSON.parse(dumped.stdout) as { snapshot: string };
    // Two older snapshots of prod (copies with older names) and an empty folder an old dump left behind.
    cpSync(join(store, snapshot), join(store, "20200101T000000.000Z-aaaaaa_prod"), { recursive: true });
    cpSync(join(store, snapshot), join(store, "20200102T000000.000Z-bbbbbb_prod"), { recursive: true });
    mkdirSync(join(store, "20200103T000000.000Z-cccccc_prod", "data"), { recursive: true });
    mkdirSync(join(store, "not-a-snapshot", "empty"), { recursive: true });
    const listing = () => readdirSync(store).sort();

    const refused = await cli(["snapshots", "prune", "--from", "file://prune-store", "--days", "30"]);
    assert.equal(refused.code, 3, refused.stderr);
    assert.equal(errorLines(refused.stderr).length, 1, refused.stderr);
    assert.match(errorLines(refused.stderr)[0]!, /refusing to write to file:\/\/.*prune-store without confirmation: no terminal to ask on, pass --yes/);
    assert.match(refused.stdout, /^Prune file:\/\/.*prune-store \(snapshots older than 30 day\(s\); the newest complete one of each environment is kept\):\n/);
    assert.match(refused.stdout, /\n {2}delete 20200102T000000\.000Z-bbbbbb_prod \([^)]+\): older than 30 day\(s\)\n/);
    assert.match(refused.stdout, /\n {2}delete 20200101T000000\.000Z-aaaaaa_prod \([^)]+\): older than 30 day\(s\)\n/);
    assert.match(refused.stdout, /\n {2}remove empty folder 20200103T000000\.000Z-cccccc_prod\/data\/\n {2}remove empty folder 20200103T000000\.000Z-cccccc_prod\/\n/);
    assert.doesNotMatch(refused.stdout, /not-a-snapshot/);
    assert.equal(listing().length, 5, "nothing deleted");

    const keep = await cli(["snapshots", "prune", "--from", "file://prune-store", "--keep", "2", "--dry-run"]);
    assert.equal(keep.code, 0, keep.stderr);
    assert.match(keep.stdout, /delete 20200101T000000\.000Z-aaaaaa_prod \([^)]+\): beyond the newest 2 of prod\n/);
    assert.match(keep.stdout, /Dry run, nothing deleted\.\n$/);
    assert.equal(listing().length, 5, "nothing deleted");

    // 2020-01-01 and 2020-01-02 are in ISO week 2020-W01: two weeks keep the newer of them.
    const weekly = await cli(["snapshots", "prune", "--from", "file://prune-store", "--keep-weekly", "2", "--dry-run"]);
    assert.equal(weekly.code, 0, weekly.stderr);
    assert.match(weekly.stdout, /\(snapshots kept by none of: 2 weekly per environment; /);
    assert.match(weekly.stdout, /\n {2}delete 20200101T000000\.000Z-aaaaaa_prod \([^)]+\): kept by no rule \(2 weekly\) of prod\n/);
    assert.doesNotMatch(weekly.stdout, /delete 20200102/);
    // The store's own rule in pgferry.yml (keepDaily: 1), and a flag added to it.
    const daily = await cli(["snapshots", "prune", "--from", "daily", "--dry-run"]);
    assert.equal(daily.code, 0, daily.stderr);
    assert.match(daily.stdout, /delete 20200102T000000\.000Z-bbbbbb_prod \([^)]+\): kept by no rule \(1 daily\) of prod\n/);
    assert.match(daily.stdout, /delete 20200101T000000\.000Z-aaaaaa_prod \([^)]+\): kept by no rule \(1 daily\) of prod\n/);
    const monthly = await cli(["snapshots", "prune", "--from", "daily", "--keep-monthly", "2", "--dry-run"]);
    assert.match(monthly.stdout, /\(snapshots kept by none of: 1 daily, 2 monthly per environment; /);
    assert.match(monthly.stdout, /delete 20200101T000000\.000Z-aaaaaa_prod \([^)]+\): kept by no rule \(1 daily, 2 monthly\) of prod\n/);
    assert.doesNotMatch(monthly.stdout, /delete 20200102/);
    assert.equal(listing().length, 5, "nothing deleted");

    const pruned = await cli(["snapshots", "prune", "--from", "file://prune-store", "--days", "30", "--yes"]);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /Deleted 2 snapshot\(s\), [^;]+; removed 2 empty folder\(s\)\.\n$/);
    assert.deepEqual(listing(), ["not-a-snapshot", snapshot].sort());
    const again = await cli(["snapshots", "prune", "--from", "file://prune-store", "--days", "30", "--yes"]);
    assert.match(again.stdout, /^Nothing to prune\.\n$/);
  });
});

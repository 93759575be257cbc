/** pgferry dump / snapshots / restore through the real CLI with a file store from pgferry.yml. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

describe("pgferry dump, snapshots and restore", () => {
  let pair: DatabasePair;
  let dir: string;
  const CONFIG = `environments:\n  prod: { url: "\${SRC}", protected: true }\n  staging: { url: "\${DST}" }\nstores:\n  backups: { url: "file://snapshots", retainDays: 30 }\ndefaults: { from: prod, to: staging, store: backups }\n`;
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCliProcess(args, { cwd: dir, env: { SRC: pair.sourceUrl, DST: pair.targetUrl, ...env } });

  before(async () => {
    pair = await createDatabasePair("snapshots_cli");
    dir = mkdtempSync(join(tmpdir(), "pgferry-snapshots-cli-"));
    writeFileSync(join(dir, "pgferry.yml"), CONFIG);
    await pair.source.query("CREATE TABLE books (id int PRIMARY KEY, title text); INSERT INTO books SELECT g, 'book ' || g FROM generate_series(1, 1000) g");
  });
  after(async () => pair?.drop());

  it("dumps, lists, shows and restores the latest snapshot of an environment", async () => {
    const dump = await cli(["dump", "--json"]);
    assert.equal(dump.code, 0, dump.stderr);
    const dumped = JSON.parse(dump.stdout) as { snapshot: string; tables: { name: string; rows: number; sha256: string }[] };
    assert.match(dumped.snapshot, /^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{6}_prod$/);
    assert.deepEqual(dumped.tables.map((t) => [t.name, t.rows]), [["books", 1000]]);

    const list = await cli(["snapshots", "list"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${dumped.snapshot}\\s+\\S+\\s+prod\\s+.*complete`));
    const show = await cli(["snapshots", "show", "latest"]);
    assert.match(show.stdout, new RegExp(`public\\.books\\s+1,000\\s+.*${dumped.tables[0]!.sha256.slice(0, 16)}`));

    const dry = await cli(["restore", "latest", "--env", "prod", "--dry-run"]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /public\.books\s+create/);
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'books'")).rows[0].n, 0, "a dry run changes nothing");

    const restored = await cli(["restore", "latest", "staging", "--yes", "--jobs", "2"]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.equal(await tableFingerprint(pair.target, "books"), await tableFingerprint(pair.source, "books"));

    const prune = await cli(["snapshots", "prune", "--dry-run"]);
    assert.equal(prune.code, 0, prune.stderr);
    assert.match(prune.stdout, /Nothing to prune\./);
  });

  it("refuses bad input in one line", async () => {
    const cases: [string[], number, RegExp][] = [
      [["dump", "--to", "nowhere"], 2, /unknown store "nowhere": use a store name \(known: backups\), file:\/\/PATH or s3:\/\/BUCKET\/PREFIX/],
      [["dump", "--to", "s3://Bad_Bucket/x"], 2, /s3:\/\/Bad_Bucket\/x is not a valid s3:\/\/BUCKET\/PREFIX URL/],
      [["dump", "--encrypt"], 2, /--encrypt needs the key in \$PGFERRY_SNAPSHOT_KEY/],
      [["restore", "latest", "prod", "--yes"], 3, /target prod .* is protected/],
      [["restore", "latest", "staging", "--yes", "--from", "file://empty-store"], 1, /no snapshot in file:\/\//],
      [["restore", "20200101T000000Z_prod", "staging", "--env", "prod", "--yes"], 2, /--env works with latest only/],
      [["restore", "latest", "staging", "--tables", "nope", "--yes"], 2, /table pattern "nope" matches no table in the snapshot/],
      [["restore", "latest", "staging"], 3, /no terminal/],
      [["snapshots", "prune", "--from", "file://empty-store"], 2, /prune needs a rule: --days, --keep, --keep-daily, --keep-weekly or --keep-monthly, or retainDays\/keepLast\/keepDaily\/keepWeekly\/keepMonthly on the store in pgferry\.yml/],
    ];
    for (const [args, code, message] of cases) {
      const run = await cli(args);
      assert.equal(run.code, code, `${args.join(" ")}: ${run.stderr}`);
      const lines = errorLines(run.stderr);
      assert.equal(lines.length, 1, `${args.join(" ")}: ${run.stderr}`);
      assert.match(lines[0]!, message);
    }
  });

  it("runs the post-sync hooks after a committed restore (not with --no-hooks) and records every restore in the history", async () => {
    const dump = await cli(["dump", "--json"]);
    assert.equal(dump.code, 0, dump.stderr);
    const { snapshot } = JSON.parse(dump.stdout) as { snapshot: string };
    writeFileSync(join(dir, "pgferry.yml"), `${CONFIG}hooks:\n  after:\n    - sql: "UPDATE books SET title = upper(title) WHERE id = 1"\n    - name: announce\n      command: "echo restored"\n`);
    const dry = await cli(["restore", "latest", "--dry-run"]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Hooks after a successful sync, in order:\n\s+1\. sql/);

    const restored = await cli(["restore", "latest", "--yes", "--json"]);
    assert.equal(restored.code, 0, restored.stderr);
    const report = JSON.parse(restored.stdout) as { ok: boolean; snapshot: string; hooks: { name: string; status: string }[] };
    assert.equal(report.ok, true);
    assert.deepEqual(report.hooks.map((h) => `${h.name}:${h.status}`), ["sql (1 statement):ok", "announce:ok"]);
    assert.match(restored.stderr, /hook announce: restored/);
    assert.equal((await pair.target.query("SELECT title FROM books WHERE id = 1")).rows[0].title, "BOOK 1");

    const skipped = await cli(["restore", snapshot, "--yes", "--no-hooks"]);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.doesNotMatch(skipped.stdout, /hook/);
    assert.equal((await pair.target.query("SELECT title FROM books WHERE id = 1")).rows[0].title, "book 1", "restored again, no hook after it");

    writeFileSync(join(dir, "pgferry.yml"), `${CONFIG}hooks:\n  after:\n    - command: "exit 3"\n`);
    const failedHook = await cli(["restore", "latest", "--yes"]);
    assert.equal(failedHook.code, 1, failedHook.stderr);
    assert.match(failedHook.stdout, /Hook "command #1" failed; the synced data stays committed\./);
    const failedEarly = await cli(["restore", "latest", "--yes", "--from", "file://empty-store"]);
    assert.equal(failedEarly.code, 1, failedEarly.stderr);

    const history = await cli(["history", "--json", "--limit", "4"]);
    assert.equal(history.code, 0, history.stderr);
    const { runs } = JSON.parse(history.stdout) as { runs: { status: string; mode: string; source: string; tables: string[]; rows: number; error: string | null; job: string | null }[] };
    assert.deepEqual(runs.map((r) => [r.status, r.mode, r.tables, r.rows, r.job]), [
      ["failed", "restore", [], 0, null],
      ["failed", "restore", ["public.books"], 1000, null],
      ["ok", "restore", ["public.books"], 1000, null],
      ["ok", "restore", ["public.books"], 1000, null],
    ]);
    assert.match(runs[0]!.source, /^snapshot latest \(file:\/\/.*empty-store\)$/);
    assert.match(runs[0]!.error!, /no snapshot in file:\/\//);
    assert.match(runs[1]!.error!, /hook "command #1" failed: command exited with code 3/);
    for (const run of runs.slice(1)) assert.match(run.source, new RegExp(`^snapshot ${snapshot} \\(file://.*snapshots\\)$`));
    const table = await cli(["history", "--limit", "1"]);
    assert.match(table.stdout, /\brestore\s+0\s+0\s+failed\s+no snapshot in file:\/\//);
  });
});

describe("pgferry snapshots verify and restore --verify-only", () => {
  let pair: DatabasePair;
  let dir: string;
  const CONFIG = `environments:\n  prod: { url: "\${SRC}" }\nstores:\n  backups: { url: "file://snapshots" }\ndefaults: { from: prod, store: backups }\n`;
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCliProcess(args, { cwd: dir, env: { SRC: pair.sourceUrl, ...env } });
  let snapshot = "";

  before(async () => {
    pair = await createDatabasePair("snapshots_verify");
    dir = mkdtempSync(join(tmpdir(), "pgferry-snapshots-verify-"));
    writeFileSync(join(dir, "pgferry.yml"), CONFIG);
    await pair.source.query(`CREATE TABLE books (id int PRIMARY KEY, title text); INSERT INTO books SELECT g, md5(g::text) FROM generate_series(1, 5000) g;
      CREATE TABLE shelves (id int PRIMARY KEY); INSERT INTO shelves SELECT generate_series(1, 10)`);
    const dump = await cli(["dump", "--json"]);
    assert.equal(dump.code, 0, dump.stderr);
    snapshot = (JSON.parse(dump.stdout) as { snapshot: string }).snapshot;
  });
  after(async () => pair?.drop());

  const dataFile = (table: string) => {
    const manifest = JSON.parse(readFileSync(join(dir, "snapshots", snapshot, "manifest.json"), "utf8")) as { tables: { name: string; file: string }[] };
    return join(dir, "snapshots", snapshot, manifest.tables.find((t) => t.name === table)!.file);
  };

  it("a sound snapshot: every file ok, exit 0; through the codec the rows are counted", async () => {
    const stored = await cli(["snapshots", "verify", "latest"]);
    assert.equal(stored.code, 0, stored.stderr);
    assert.match(stored.stdout, /ok\s+public\.books\s+data\/\d{4}\.copy\.gz/);
    assert.match(stored.stdout, /All 2 data file\(s\) sound \(size and SHA-256\)\./);
    const codec = await cli(["restore", "latest", "--verify-only", "--json"]);
    assert.equal(codec.code, 0, codec.stderr);
    const result = JSON.parse(codec.stdout) as { ok: boolean; throughCodec: boolean; files: { table: string; rows: number; problem: string | null }[] };
    assert.equal(result.ok, true);
    assert.equal(result.throughCodec, true);
    assert.deepEqual(result.files.map((f) => [f.table, f.rows, f.problem]).sort(), [["public.books", 5000, null], ["public.shelves", 10, null]]);
  });

  it("a flipped byte and a truncated file are each named on their own line, every file is checked, exit 1", async () => {
    const books = dataFile("books");
    const original = readFileSync(books);
    const flipped = Buffer.from(original);
    const middle = Math.floor(flipped.length / 2);
    flipped[middle] = flipped[middle]! ^ 0x55;
    writeFileSync(books, flipped);
    for (const args of [["snapshots", "verify", snapshot], ["restore", snapshot, "--verify-only"]]) {
      const run = await cli(args);
      assert.equal(run.code, 1, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stdout, /FAILED\s+public\.books\s+.*is corrupted: its SHA-256 differs from the manifest/);
      assert.match(run.stdout, /ok\s+public\.shelves/, "the other files are still checked");
      assert.match(run.stdout, /1 of 2 data file\(s\) failed/);
    }
    truncateSync(books, original.length - 10);
    const truncated = await cli(["snapshots", "verify", snapshot, "--json"]);
    assert.equal(truncated.code, 1);
    const json = JSON.parse(truncated.stdout) as { ok: boolean; exitCode: number; error: string; files: { table: string; problem: string | null }[] };
    assert.deepEqual([json.ok, json.exitCode, json.error], [false, 1, "snapshot verification failed"]);
    assert.match(json.files.find((f) => f.table === "public.books")!.problem!, /^data file data\/\d{4}\.copy\.gz \(public\.books\) has \d+ bytes, the manifest says \d+ \(truncated or replaced\)$/);
    writeFileSync(books, original);
    assert.equal((await cli(["snapshots", "verify", snapshot])).code, 0, "sound again once restored");
  });

  it("bad input: one line, exit 2 (or 1 for a store without the snapshot), nothing read from a database", async () => {
    const cases: [string[], number, RegExp][] = [
      [["snapshots", "verify", snapshot, "--env", "prod"], 2, /--env works with latest only/],
      [["snapshots", "verify", "20200101T000000Z_prod"], 1, /snapshot 20200101T000000Z_prod is not in file:\/\//],
      [["restore", "latest", "--verify-only", "--dry-run"], 2, /--verify-only and --dry-run: choose one/],
    ];
    for (const [args, code, message] of cases) {
      const run = await cli(args, { SRC: "postgres://nobody@127.0.0.1:1/none" });
      assert.equal(run.code, code, `${args.join(" ")}: ${run.stderr}`);
      const lines = errorLines(run.stderr);
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, message);
    }
  });
});

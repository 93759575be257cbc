/**
 * Issue 15, Coverage, through the built CLI: `pgferry pii scan` exit codes (0 nothing uncovered,
 * 1 uncovered columns, 2 bad input), its text and --json output without any sampled value, and
 * `sync --strict-pii` / `transform.strict` refusing before anything is written.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { errorLines, runCliProcess, type CliRun } from "../harness/sync-helpers.js";
import { assertNoPgferrySessions, createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `
  CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE, full_name text, contact text, note text);
  CREATE TABLE orders (id int PRIMARY KEY, user_email text REFERENCES users (email), total numeric);
`;
const SAMPLED = ["secret-host.example", "Originalname", "PRIVATE-NOTE"];

const BASE = `environments:
  production: { url: "\${PROD_URL}" }
  staging: { url: "\${STAGING_URL}" }
defaults: { from: production, to: staging }
`;
const COVERED = `${BASE}transform:
  secret: e2e-pii-secret-0123456789
  rules:
    - { match: "*.email", kind: email }
tables:
  users:
    transform:
      full_name: { kind: full_name }
      contact: { kind: keep }         # reviewed: stays as it is
`;

describe("pii scan and --strict-pii through the CLI", () => {
  let pair: DatabasePair;
  let dir: string;
  const cli = (args: string[], config = BASE) => {
    writeFileSync(join(dir, "pgferry.yml"), config);
    return runCliProcess(args, { cwd: dir, env: { PROD_URL: pair.sourceUrl, STAGING_URL: pair.targetUrl } });
  };
  const assertNoSample = (run: CliRun) => {
    for (const value of SAMPLED) assert.ok(!`${run.stdout}${run.stderr}`.includes(value), `the output holds a sampled value (${value})`);
  };
  const targetTables = async () => (await pair.target.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0].n as number;

  before(async () => {
    pair = await createDatabasePair("pii_cli");
    await pair.source.query(`${SCHEMA}
      INSERT INTO users SELECT g, 'u' || g || '@secret-host.example', 'Originalname ' || g, 'c' || g || '@secret-host.example', 'PRIVATE-NOTE ' || g
        FROM generate_series(1, 25) g;
      INSERT INTO orders SELECT g, 'u' || (1 + g % 25) || '@secret-host.example', g FROM generate_series(1, 50) g;`);
    dir = mkdtempSync(join(tmpdir(), "pgferry-pii-"));
  });
  after(async () => pair?.drop());
  /** The source URL's start as labels show it: its password (the embedded servers have one; the machine's trusts) hidden. */
  const shownUser = () => {
    const { username, password } = new URL(pair.sourceUrl);
    return password ? `postgres://${username}:\\*\\*\\*\\*@` : `postgres://${username}@`;
  };

  it("exits 1 listing the uncovered columns, by name and by values, without a sampled value", async () => {
    const run = await cli(["pii", "scan", "--verbose"]);
    assert.equal(run.code, 1, run.stderr);
    assertNoSample(run);
    assert.match(run.stdout, /public\.users\s+email\s+text\s+name \(email\)\s+email/);
    assert.match(run.stdout, /public\.users\s+full_name\s+text\s+name \(name\)\s+full_name/);
    assert.match(run.stdout, /public\.users\s+contact\s+text\s+values 100% email\s+email/);
    assert.match(run.stdout, /public\.orders\s+user_email\s+text\s+name \(email\)\s+email/);
    assert.doesNotMatch(run.stdout, /\bnote\b|\btotal\b/);
    const { password } = new URL(pair.sourceUrl);
    if (password) assert.ok(!run.stdout.includes(password) && !run.stderr.includes(password), "the source's password is never printed");
    assert.match(run.stdout, new RegExp(`^4 column\\(s\\) in 2 table\\(s\\) of production \\(${shownUser()}[^)]+\\) look like personal data and have no transform\\.$`, "m"));

    const json = await cli(["pii", "scan", "production", "--json"]);
    assert.equal(json.code, 1, json.stderr);
    assertNoSample(json);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; exitCode: number; error: null; tables: number; columns: { table: string; column: string; reason: string; rate?: number; pattern?: string }[] };
    assert.deepEqual([parsed.ok, parsed.exitCode, parsed.error, parsed.tables], [false, 1, null, 2]);
    assert.deepEqual(parsed.columns.map((c) => `${c.table}.${c.column} ${c.reason}${c.pattern ? ` ${c.pattern} ${c.rate}` : ""}`), [
      "public.orders.user_email name",
      "public.users.email name",
      "public.users.full_name name",
      "public.users.contact values email 1",
    ]);
    await assertNoPgferrySessions(pair.source);
  });

  it("exits 0 when every such column is covered (a rule, a transform, an FK, keep), and with the selection flags", async () => {
    const run = await cli(["pii", "scan"], COVERED);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^No uncovered personal data found in 2 table\(s\) of production \(postgres:[^)]+\)\.\n$/);
    const orders = await cli(["pii", "scan", "--tables", "orders", "--json"], `${BASE}tables:\n  users:\n    transform:\n      email: { kind: keep }\n`);
    assert.equal(orders.code, 0, orders.stderr);
    const parsed = JSON.parse(orders.stdout) as { source: string };
    assert.match(parsed.source, new RegExp(`^production \\(${shownUser()}`), "the source's password, if any, is hidden");
    assert.deepEqual({ ...parsed, source: "" }, { source: "", tables: 1, sampleRows: 1000, columns: [], ok: true, exitCode: 0, error: null });
    const excluded = await cli(["pii", "scan", "--exclude", "users", "--sample", "0"]);
    assert.equal(excluded.code, 1, excluded.stderr);
    assert.match(excluded.stdout, /1 column\(s\) in 1 table\(s\)/);
  });

  it("refuses bad input in one line with exit 2", async () => {
    for (const [args, message] of [
      [["pii", "scan", "--tables", "nope"], 'table pattern "nope" matches no table in the source'],
      [["pii", "scan", "--sample", "-1"], "--sample must be a whole number from 0 to 100000"],
      [["pii", "scan", "--group", "missing"], 'unknown group "missing"'],
    ] as const) {
      const run = await cli([...args]);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      const errors = errorLines(run.stderr);
      assert.equal(errors.length, 1, run.stderr);
      assert.ok(errors[0]!.includes(message), errors[0]);
      assert.equal(run.stdout, "");
    }
    const json = await cli(["pii", "scan", "--tables", "nope", "--json"]);
    assert.equal(json.code, 2);
    assert.deepEqual(JSON.parse(json.stdout), { ok: false, exitCode: 2, error: 'table pattern "nope" matches no table in the source' });
    const extra = await cli(["pii", "scan", "production", "staging"]);
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /^error: too many arguments for 'scan'/m);
    const noSource = await runCliProcess(["pii", "scan"], { cwd: mkdtempSync(join(tmpdir(), "pgferry-pii-empty-")) });
    assert.equal(noSource.code, 2);
    assert.deepEqual(errorLines(noSource.stderr), ["pgferry: error: no source given: pass it as an argument or set defaults.from in pgferry.yml"]);
    const unreachable = await runCliProcess(["pii", "scan", "postgres://nobody@127.0.0.1:1/none"], { cwd: dir });
    assert.equal(unreachable.code, 2, unreachable.stderr);
    assert.equal(errorLines(unreachable.stderr).length, 1, unreachable.stderr);
  });

  it("sync --strict-pii refuses before writing anything, one line per uncovered column", async () => {
    const run = await cli(["sync", "--strict-pii", "--yes"]);
    assert.equal(run.code, 2, run.stderr);
    const errors = errorLines(run.stderr);
    assert.equal(errors.length, 1, run.stderr);
    for (const column of ["public.orders: column \"user_email\"", "public.users: column \"email\"", "public.users: column \"full_name\""]) assert.ok(errors[0]!.includes(column), errors[0]);
    assert.ok(!errors[0]!.includes("contact"), "strict mode judges names only: no sampling");
    assertNoSample(run);
    assert.equal(await targetTables(), 0, "nothing was written");
    await assertNoPgferrySessions(pair.target);

    const dry = await cli(["sync", "--dry-run"], `${BASE}transform:\n  strict: true\n`);
    assert.equal(dry.code, 2, dry.stderr);
    assert.match(dry.stdout, /column "email" looks like personal data \(email\) and has no transform: configure one \(e\.g\. kind email\), or kind keep to mark it reviewed \[--strict-pii\]/);

    const dump = await cli(["dump", "production", "--to", "file://snapshots"], `${BASE}transform:\n  strict: true\n`);
    assert.equal(dump.code, 1, dump.stderr);
    assert.deepEqual(errorLines(dump.stderr), ['pgferry: error: cannot dump public.orders: column "user_email" looks like personal data (email) and has no transform: configure one (e.g. kind email), or kind keep to mark it reviewed [--strict-pii]']);
    assert.ok(!existsSync(join(dir, "snapshots")) || readdirSync(join(dir, "snapshots"), { recursive: true }).length === 0, "dump wrote no snapshot");

    const covered = await cli(["sync", "--strict-pii", "--yes"], COVERED);
    assert.equal(covered.code, 0, covered.stderr);
    assert.equal(await targetTables(), 2);
    assertNoSample({ ...covered, stdout: covered.stdout.replace(/contact/g, "") });
  });

  it("catches a column added to the source after a migration on the next run, --with-parents too", async () => {
    await pair.source.query("ALTER TABLE users ADD COLUMN phone_number text");
    try {
      const run = await cli(["sync", "--strict-pii", "--yes", "--json"], COVERED);
      assert.equal(run.code, 2, run.stderr);
      const parsed = JSON.parse(run.stdout) as { ok: boolean; error: string };
      assert.equal(parsed.ok, false);
      assert.match(parsed.error, /public\.users: column "phone_number" looks like personal data \(phone\) and has no transform/);
      const scan = await cli(["pii", "scan", "--sample", "0"], COVERED);
      assert.equal(scan.code, 1, scan.stderr);
      assert.match(scan.stdout, /public\.users\s+phone_number\s+text\s+name \(phone\)\s+phone/);
      await pair.target.query("TRUNCATE orders, users");
      const rows = await cli(["sync", "--tables", "orders", "--where", "orders:id <= 3", "--with-parents", "--strict-pii", "--yes"], COVERED);
      assert.equal(rows.code, 2, rows.stderr);
      assert.deepEqual(errorLines(rows.stderr), [
        'pgferry: error: refused: public.users: column "phone_number" looks like personal data (phone) and has no transform: configure one (e.g. kind phone), or kind keep to mark it reviewed [--strict-pii]',
      ]);
      assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM users")).rows[0].n, 0, "--with-parents wrote nothing");
    } finally {
      await pair.source.query("ALTER TABLE users DROP COLUMN phone_number");
    }
  });
});

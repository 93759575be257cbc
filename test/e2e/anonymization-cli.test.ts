/**
 * Issue 15, part A, through the built CLI with the README's Anonymization example (run twice, as
 * test/e2e/readme-config-examples runs the other examples): configured
 * PII never reaches the target, a snapshot, stdout/stderr, the --json report or the run history
 * (searched for every original value), the secret never shows, and a missing secret is one line.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { deriveTransformKey } from "../../src/transform/keyed-hash.js";
import { errorLines, runCliProcess, type CliRun } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const SECRET = "e2e-transform-secret-7f3a9c";
const KEY = deriveTransformKey(SECRET);

/** The first yaml block of the README's Anonymization section: the example a user copies. */
function readmeExample(): string {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("### Anonymization (`transform:`)"));
  const match = /```yaml\n([\s\S]*?)```/.exec(section);
  assert.ok(match, "the README's Anonymization section has a yaml example");
  return match[1]!;
}

const SCHEMA = `
  CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, phone text, full_name text, api_token text UNIQUE,
                      birth_date date, card_number varchar(19), notes text);
  CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users, email text, placed_at timestamptz, shipped_at timestamptz);
`;

/** Every original value the example transforms, and the secret with what is derived from it. */
const ORIGINALS = ["corp.example", "Originalperson", "+49 170", "tok_ORIGINAL", "4111111111111", "ORIGINAL-NOTE", "1979-05-0"];
const SECRETS = [SECRET, KEY.innerHex, KEY.outerHex];

function assertClean(where: string, text: string): void {
  for (const value of [...ORIGINALS, ...SECRETS]) assert.ok(!text.includes(value), `${where} holds ${ORIGINALS.includes(value) ? "an original value" : "the secret"} (${value.slice(0, 12)}…)`);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe("anonymization through the CLI (the README example)", () => {
  let pair: DatabasePair;
  let dir: string;
  const env = () => ({ PROD_URL: pair.sourceUrl, STAGING_URL: pair.targetUrl, PGFERRY_TRANSFORM_SECRET: SECRET });
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCliProcess(args, { cwd: dir, env: { ...env(), ...extra } });
  const targetText = async () =>
    JSON.stringify(
      (
        await pair.target.query(`SELECT to_jsonb(u)::text AS r FROM users u UNION ALL SELECT to_jsonb(o)::text FROM orders o
          UNION ALL SELECT to_jsonb(h)::text FROM pgferry.runs h`)
      ).rows,
    );
  const output = (run: CliRun) => `${run.stdout}\n${run.stderr}`;

  before(async () => {
    pair = await createDatabasePair("anonymization_cli");
    await pair.source.query(`${SCHEMA}
      INSERT INTO users SELECT g, 'person' || g || '@corp.example', '+49 170 555' || g, 'Alice' || g || ' Originalperson', 'tok_ORIGINAL' || g,
        date '1979-05-01' + g, '4111111111111' || (100 + g), 'ORIGINAL-NOTE ' || g FROM generate_series(1, 30) g;
      INSERT INTO orders SELECT g, 1 + g % 30, 'person' || (1 + g % 30) || '@corp.example', timestamptz '2024-03-01' + g * interval '1 hour',
        timestamptz '2024-03-01' + g * interval '1 hour' + interval '2 days' FROM generate_series(1, 90) g;
    `);
    dir = mkdtempSync(join(tmpdir(), "pgferry-anon-"));
    writeFileSync(join(dir, "pgferry.yml"), readmeExample());
  });
  after(async () => pair?.drop());

  it("syncs only transformed values: nothing original in the target, the report, the output or the history", async () => {
    const run = await cli(["sync", "--yes", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).ok, true);
    assertClean("sync output", output(run));
    assertClean("the target and its run history", await targetText());
    const first = await pair.target.query("SELECT to_jsonb(u)::text AS r FROM users u UNION ALL SELECT to_jsonb(o)::text FROM orders o ORDER BY 1");
    const again = await cli(["sync", "--yes"]);
    assert.equal(again.code, 0, again.stderr);
    const second = await pair.target.query("SELECT to_jsonb(u)::text AS r FROM users u UNION ALL SELECT to_jsonb(o)::text FROM orders o ORDER BY 1");
    assert.deepEqual(second.rows, first.rows, "a second run of the example writes the same values");
    const facts = (
      await pair.target.query(`SELECT
        (SELECT count(*)::int FROM users WHERE email ~ '^u[0-9a-f]{24}@example\\.com$' AND phone ~ '^555-01[0-9]{2}-[0-9]{4}$') AS users_transformed,
        (SELECT count(*)::int FROM orders o JOIN users u ON u.email = o.email AND u.id = o.user_id) AS orders_join_by_email,
        (SELECT bool_and(shipped_at - placed_at = interval '2 days') FROM orders) AS gap_kept,
        (SELECT count(*)::int FROM users WHERE notes IS NULL AND card_number ~ '^\\*{12}11[0-9]{2}$' AND length(api_token) = 32) AS masked`)
    ).rows[0];
    assert.deepEqual(facts, { users_transformed: 30, orders_join_by_email: 90, gap_kept: true, masked: 30 });
    const dry = await cli(["sync", "--dry-run", "--verbose"]);
    assert.equal(dry.code, 0, dry.stderr);
    assertClean("dry-run output", output(dry));
    assert.match(dry.stdout, /public\.orders .*id, user_id, email \(transform email\), placed_at \(transform shift\), shipped_at \(transform shift\)/, "the plan names each column's transform");
  });

  it("upserts --with-parents rows through the same transforms", async () => {
    await pair.target.query("TRUNCATE orders, users");
    const dry = await cli(["sync", "--tables", "orders", "--where", "orders:id <= 5", "--with-parents", "--dry-run", "--json"]);
    assert.equal(dry.code, 0, dry.stderr);
    assertClean("--with-parents --dry-run output", output(dry));
    assert.deepEqual((JSON.parse(dry.stdout) as { tables: { table: string; inserted: number }[] }).tables.map((t) => `${t.table}: ${t.inserted}`), ["public.users: 5", "public.orders: 5"]);
    const run = await cli(["sync", "--tables", "orders", "--where", "orders:id <= 5", "--with-parents", "--yes", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    assertClean("--with-parents output", output(run));
    assertClean("the target", await targetText());
    assert.deepEqual((await pair.target.query("SELECT count(*)::int AS n FROM orders o JOIN users u ON u.id = o.user_id AND u.email = o.email")).rows, [{ n: 5 }]);
  });

  it("dumps only transformed values: nothing original in the snapshot's files", async () => {
    const run = await cli(["dump", "production", "--to", "file://snapshots", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    assertClean("dump output", output(run));
    const files = filesUnder(join(dir, "snapshots"));
    assert.ok(files.some((f) => f.endsWith(".copy.gz")), files.join(", "));
    for (const file of files) {
      const bytes = readFileSync(file);
      const text = file.endsWith(".gz") ? gunzipSync(bytes).toString("utf8") : bytes.toString("utf8");
      assertClean(file, text);
      if (file.endsWith(".copy.gz") && text.includes("@")) assert.match(text, /u[0-9a-f]{24}@example\.com/);
    }
  });

  it("refuses to run without the secret, in one line, writing nothing", async () => {
    await pair.target.query("TRUNCATE orders, users");
    const unset = await cli(["sync", "--yes"], { PGFERRY_TRANSFORM_SECRET: undefined });
    assert.equal(unset.code, 2, unset.stderr);
    assert.deepEqual(errorLines(unset.stderr), [`pgferry: error: ${join(dir, "pgferry.yml")}: environment variable PGFERRY_TRANSFORM_SECRET is not set (used at transform.secret)`]);
    writeFileSync(join(dir, "no-secret.yml"), readmeExample().replace(/^ {2}secret: .*\n/m, ""));
    const absent = await cli(["--config", "no-secret.yml", "sync", "--yes"]);
    assert.equal(absent.code, 2, absent.stderr);
    const lines = errorLines(absent.stderr);
    assert.equal(lines.length, 1, absent.stderr);
    assert.match(lines[0]!, /^pgferry: error: the plan has 2 problems; nothing was written: public\.orders: column\(s\) "email", "placed_at", "shipped_at" use keyed transforms, which need transform\.secret .*; public\.users: column\(s\) "email", "phone", "full_name", "api_token", "birth_date" use keyed transforms/);
    assert.deepEqual((await pair.target.query("SELECT (SELECT count(*)::int FROM users) + (SELECT count(*)::int FROM orders) AS n")).rows, [{ n: 0 }]);
    const dumpDry = await cli(["--config", "no-secret.yml", "dump", "production", "--to", "file://snapshots", "--dry-run"]);
    assert.notEqual(dumpDry.code, 0, dumpDry.stderr);
    assert.match(errorLines(dumpDry.stderr).join("\n"), /^pgferry: error: cannot dump public\.orders: column\(s\) "email", "placed_at", "shipped_at" use keyed transforms, which need transform\.secret/);
  });

  it("lists the transformers, and refuses a bad transform config in one line before connecting", async () => {
    const list = await cli(["transformers", "--json"]);
    assert.equal(list.code, 0, list.stderr);
    const kinds = (JSON.parse(list.stdout) as { kind: string; uniqueSafe: string }[]).map((t) => `${t.kind}: ${t.uniqueSafe}`);
    assert.deepEqual(kinds.filter((k) => /^(email|uuid|hash|full_name): /.test(k)), ["hash: length >= 24, or a bytea column", "email: yes", "full_name: no", "uuid: yes"]);
    writeFileSync(join(dir, "typo.yml"), readmeExample().replace("{ kind: hash, length: 32 }", "{ kind: hash, lenght: 32 }"));
    const typo = await cli(["--config", "typo.yml", "sync", "--yes"]);
    assert.equal(typo.code, 2, typo.stderr);
    assert.deepEqual(errorLines(typo.stderr), [`pgferry: error: ${join(dir, "typo.yml")}: tables.users.transform.api_token: kind hash has no parameter lenght (parameters: length)`]);
  });

  it("never prints the secret or its key, also when a sql transform reads the key into an error, with --verbose", async () => {
    // The user's own SQL can read the session's key: the error quotes it, and redaction hides it.
    const leaky = readmeExample().replace('notes: { kind: "null" }', `notes: { kind: sql, expression: "current_setting('pgferry.transform_ikey')::int" }`);
    assert.ok(leaky.includes("::int"));
    writeFileSync(join(dir, "leaky.yml"), leaky);
    const run = await cli(["--config", "leaky.yml", "--verbose", "sync", "--yes"]);
    assert.notEqual(run.code, 0, run.stderr);
    assert.match(output(run), /invalid input syntax for type integer: "\*\*\*\*"/, output(run));
    assertClean("a failed run's verbose output", output(run));
    assertClean("the target and its run history", await targetText());
  });

});

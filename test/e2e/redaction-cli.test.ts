/** Secrets and personal data through the real CLI: what is printed, stored in the history and in --json. */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

describe("CLI redaction of secrets", () => {
  let pair: DatabasePair;
  let dir: string;
  let targetPassword: string;
  const token = "tok-e2e-7c1f9a";

  before(async () => {
    pair = await createDatabasePair("redaction_cli");
    dir = mkdtempSync(join(tmpdir(), "pgferry-redaction-"));
    await pair.source.query("CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL); INSERT INTO users VALUES (1, 'ada@example.com')");
    targetPassword = decodeURIComponent(new URL(pair.targetUrl).password);
    assert.ok(targetPassword.length > 8, "the harness target asks for a password");
  });
  after(async () => pair?.drop());

  /** The target's URL without its password: the password comes only from PGPASSWORD. */
  const env = () => {
    const target = new URL(pair.targetUrl);
    target.password = "";
    return { SRC: pair.sourceUrl, DST: target.toString(), PGPASSWORD: targetPassword, DEPLOY_TOKEN: token };
  };
  const cli = (args: string[]) => runCliProcess(args, { cwd: dir, env: env() });
  const assertClean = (text: string, what: string) => {
    assert.ok(!text.includes(targetPassword), `${what} shows the PGPASSWORD password:\n${text}`);
    assert.ok(!text.includes(token), `${what} shows the \${DEPLOY_TOKEN} value:\n${text}`);
  };

  it("a password from PGPASSWORD and a ${VAR} in a command hook appear in no plan, log, --json or history", async () => {
    writeFileSync(
      join(dir, "pgferry.yml"),
      `environments:
  prod: { url: "\${SRC}", protected: true }
  staging: { url: "\${DST}" }
defaults: { from: prod, to: staging }
hooks:
  after:
    - command: "echo \${DEPLOY_TOKEN} > /dev/null; echo target: $PGPASSWORD; echo $PGPASSWORD >&2"
`,
    );
    const dry = await cli(["sync", "--dry-run"]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /1\. command #1 \(command\)/);
    assertClean(dry.stdout + dry.stderr, "the plan");

    const run = await cli(["sync", "--yes", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    assertClean(run.stdout + run.stderr, "the run");
    assert.match(run.stderr, /hook command #1: target: \*\*\*\*/);
    assert.match(run.stderr, /hook command #1: \*\*\*\*$/m);
    const report = JSON.parse(run.stdout) as { hooks: { name: string; status: string }[] };
    assert.deepEqual(report.hooks.map((h) => [h.name, h.status]), [["command #1", "ok"]]);

    for (const args of [["history", "--json"], ["history"]]) {
      const history = await cli(args);
      assert.equal(history.code, 0, history.stderr);
      assertClean(history.stdout + history.stderr, args.join(" "));
    }
    const stored = await pair.target.query("SELECT error, report::text AS report FROM pgferry.runs");
    assertClean(JSON.stringify(stored.rows), "the history table");
  });

  it("a URL that does not parse prints no part of its password (whitespace, unencoded @)", async () => {
    const cases: [string, RegExp][] = [
      ["postgres://app:my secret pw@db.internal:99999/x", /source: postgres:\/\/app:\*\*\*\*@db\.internal:99999\/x is not a valid postgres:\/\/ URL/],
      ["postgres://app:p@ss@word@db.internal:bad/x", /source: postgres:\/\/app:\*\*\*\*@db\.internal:bad\/x is not a valid postgres:\/\/ URL/],
    ];
    for (const [url, message] of cases) {
      const run = await cli(["sync", url, "staging", "--dry-run"]);
      assert.equal(run.code, 2, run.stderr);
      const lines = errorLines(run.stderr);
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, message);
      assert.doesNotMatch(run.stdout + run.stderr, /secret|ss@|word@/);
    }
  });
});

describe("CLI: row values in PostgreSQL errors", () => {
  let pair: DatabasePair;
  let dir: string;
  before(async () => {
    pair = await createDatabasePair("row_values_cli");
    dir = mkdtempSync(join(tmpdir(), "pgferry-row-values-"));
    await pair.source.query("CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL); INSERT INTO people VALUES (1, 'alice@x.org'), (2, 'alice@x.org')");
    await pair.target.query("CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL UNIQUE CHECK (length(email) < 30))");
  });
  after(async () => pair?.drop());

  const writeConfig = (hooks: string) =>
    writeFileSync(
      join(dir, "pgferry.yml"),
      `environments:\n  prod: { url: "\${SRC}", protected: true }\n  staging: { url: "\${DST}" }\ndefaults: { from: prod, to: staging }\nhooks:\n  after:\n${hooks}\n`,
    );
  const cli = (args: string[]) => runCliProcess(args, { cwd: dir, env: { SRC: pair.sourceUrl, DST: pair.targetUrl } });
  const history = async () => JSON.stringify((await pair.target.query("SELECT error, report FROM pgferry.runs ORDER BY id")).rows);

  it("a duplicate key: the constraint and column are kept, the value only on the terminal with --verbose", async () => {
    writeConfig("    []");
    const json = await cli(["sync", "--yes", "--json"]);
    assert.equal(json.code, 1, json.stderr);
    assert.doesNotMatch(json.stdout + json.stderr, /alice@x\.org/);
    const report = JSON.parse(json.stdout) as { error: string; tables: { reason: string | null }[] };
    const reasons = [report.error, ...report.tables.map((t) => t.reason)].join("\n");
    assert.match(reasons, /"people_email_key".*Key \(email\)=\(…\) (already exists|is duplicated)/);

    const plain = await cli(["sync", "--yes"]);
    assert.equal(plain.code, 1, plain.stderr);
    assert.doesNotMatch(plain.stdout + plain.stderr, /alice@x\.org/);
    assert.match(plain.stdout, /Key \(email\)=\(…\)/);

    const verbose = await cli(["--verbose", "sync", "--yes"]);
    assert.equal(verbose.code, 1, verbose.stderr);
    assert.match(verbose.stdout, /Key \(email\)=\(alice@x\.org\)/);

    const stored = await history();
    assert.match(stored, /Key \(email\)=\(…\)/);
    assert.doesNotMatch(stored, /alice@x\.org/);
    const listed = await cli(["history", "--json"]);
    assert.doesNotMatch(listed.stdout, /alice@x\.org/);
  });

  it("a failing row in a sql hook: stored and --json without the row, shown with --verbose", async () => {
    await pair.source.query("UPDATE people SET email = 'bob@x.org' WHERE id = 2");
    writeConfig(`    - name: lengthen\n      sql: "UPDATE people SET email = repeat('z', 25) || '@carol.example' WHERE id = 1"`);
    const json = await cli(["sync", "--yes", "--json"]);
    assert.equal(json.code, 1, json.stderr);
    assert.doesNotMatch(json.stdout + json.stderr, /carol\.example|alice@x\.org|bob@x\.org/);
    const report = JSON.parse(json.stdout) as { error: string; hooks: { error?: string }[] };
    assert.match(report.hooks[0]?.error ?? "", /violates check constraint "people_email_check" \(Failing row contains \(…\)\.\)/);
    assert.match(report.error, /Failing row contains \(…\)/);
    assert.doesNotMatch(await history(), /carol\.example|alice@x\.org|bob@x\.org/);

    const plain = await cli(["sync", "--yes"]);
    assert.doesNotMatch(plain.stdout + plain.stderr, /carol\.example/);
    const verbose = await cli(["sync", "--yes", "--verbose"]);
    assert.match(verbose.stdout, /Failing row contains \(1, z+@carol\.example\)/);
  });
});

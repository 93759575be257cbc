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

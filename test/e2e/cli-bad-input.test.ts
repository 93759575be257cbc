/**
 * Bad input through the real CLI: one clear error line, a non-zero exit code, no stack trace,
 * no password in the output, and the target unchanged.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { errorLines, runCliProcess, type CliRun } from "../harness/sync-helpers.js";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

/** Options that run the CLI as a user file permissions apply to: root reads every file. */
function unprivileged(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("CLI bad input", () => {
  let pair: DatabasePair;
  let dir: string;
  let before_: string;
  const password = new URL(process.env.PGFERRY_TEST_TARGET_URL ?? "postgres://x").password;

  before(async () => {
    pair = await createDatabasePair("cli_bad");
    await pair.source.query("CREATE TABLE items (id int PRIMARY KEY, label text); INSERT INTO items SELECT g, 'src' FROM generate_series(1, 100) g;");
    await pair.target.query("CREATE TABLE items (id int PRIMARY KEY, label text); INSERT INTO items VALUES (1, 'kept');");
    before_ = await tableFingerprint(pair.target, "items");
    dir = mkdtempSync(join(tmpdir(), "pgferry-cli-"));
  });
  after(async () => pair?.drop());

  function writeConfig(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  async function expectRefusal(run: CliRun, code: number, pattern: RegExp): Promise<void> {
    const lines = errorLines(run.stderr);
    assert.equal(run.code, code, `exit code; stderr: ${run.stderr}`);
    assert.equal(lines.length, 1, `exactly one error line: ${run.stderr}`);
    assert.match(lines[0]!, pattern);
    assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+/, "no stack trace without --verbose");
    if (password) {
      assert.ok(!run.stderr.includes(password) && !run.stdout.includes(password), "the password never appears");
    }
    assert.equal(await tableFingerprint(pair.target, "items"), before_, "target unchanged");
  }

  it("unknown environment name", async () => {
    const config = writeConfig("envs.yml", `environments:\n  prod:\n    url: ${pair.sourceUrl}\n  staging:\n    url: ${pair.targetUrl}\n`);
    await expectRefusal(await runCliProcess(["sync", "prod", "stagign", "--config", config, "--yes"]), 2, /unknown environment "stagign" \(known: prod, staging\)/);
  });

  it("config file with a YAML syntax error", async () => {
    const config = writeConfig("broken.yml", "environments:\n  prod:\n    url: [unclosed\n");
    await expectRefusal(await runCliProcess(["sync", "prod", "staging", "--config", config, "--yes"]), 2, /broken\.yml: YAML syntax error at line \d+, column \d+/);
  });

  it("a directory given as the config file", async () => {
    await expectRefusal(await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--config", dir, "--yes"]), 2, new RegExp(`config file ${escapeRegExp(dir)} is a directory, not a file$`));
  });

  it("a config file the user may not read", async () => {
    const config = writeConfig("secret.yml", `environments:\n  prod:\n    url: ${pair.sourceUrl}\n`);
    chmodSync(config, 0o200);
    chmodSync(dir, 0o755);
    // As root every file is readable: run the CLI as the unprivileged postgres user instead.
    const run = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--config", config, "--yes"], unprivileged());
    await expectRefusal(run, 2, new RegExp(`config file ${escapeRegExp(config)} cannot be read: permission denied$`));
  });

  it("config file with an unknown key", async () => {
    const config = writeConfig("typo.yml", `environments:\n  staging:\n    url: ${pair.targetUrl}\n    protect: true\n`);
    await expectRefusal(await runCliProcess(["sync", pair.sourceUrl, "staging", "--config", config, "--yes"]), 2, /typo\.yml: unknown key protect in environments\.staging/);
  });

  it("a ${VAR} that is not set", async () => {
    const config = writeConfig("vars.yml", "environments:\n  staging:\n    url: postgres://app:${PGFERRY_TEST_UNSET_VAR}@localhost/app\n");
    await expectRefusal(await runCliProcess(["sync", pair.sourceUrl, "staging", "--config", config, "--yes"]), 2, /environment variable PGFERRY_TEST_UNSET_VAR is not set \(used at environments\.staging\.url\)/);
  });

  it("an unreachable host, after bounded retries", async () => {
    const run = await runCliProcess(["sync", pair.sourceUrl, "postgres://nobody:pw@127.0.0.1:1/nothing", "--yes"]);
    await expectRefusal(run, 4, /cannot connect to target postgres:\/\/nobody:\*\*\*\*@127\.0\.0\.1:1\/nothing: connect ECONNREFUSED .* \(after 4 attempts\)/);
    assert.equal(run.stderr.match(/retrying in/g)?.length, 3);
  });

  it("a wrong password, which is never printed", async () => {
    const wrong = new URL(pair.targetUrl);
    wrong.password = "Wr0ng-S3cret-Passw0rd";
    const run = await runCliProcess(["sync", pair.sourceUrl, wrong.toString(), "--yes"]);
    await expectRefusal(run, 4, /password authentication failed for user "postgres"/);
    assert.ok(!run.stderr.includes("Wr0ng-S3cret-Passw0rd"));
  });

  it("a --tables pattern that matches nothing", async () => {
    await expectRefusal(await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--tables", "itmes", "--yes"]), 2, /table pattern "itmes" matches no table in the source/);
  });

  it("a --where clause with a SQL error", async () => {
    await expectRefusal(await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--where", "items:label = 'x' AND", "--yes"]), 2, /where filter for public\.items is not valid SQL here: syntax error/);
  });

  it("source and target being the same database", async () => {
    await expectRefusal(await runCliProcess(["sync", pair.targetUrl, pair.targetUrl, "--yes"]), 3, /source and target are the same database/);
  });

  it("a protected target", async () => {
    const config = writeConfig("protected.yml", `environments:\n  prod:\n    url: ${pair.targetUrl}\n    protected: true\ndefaults:\n  to: prod\n`);
    await expectRefusal(await runCliProcess(["sync", pair.sourceUrl, "--config", config, "--yes"]), 3, /target prod \(.*\*\*\*\*.*\) is protected: pgferry never writes to it/);
  });

  it("no terminal and no --yes", async () => {
    await expectRefusal(await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl]), 3, /without confirmation: no terminal to ask on, pass --yes/);
  });

  it("an unknown option", async () => {
    const run = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--tabels", "items"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown option '--tabels'/);
  });

  it("--help documents every option", async () => {
    const run = await runCliProcess(["sync", "--help"]);
    assert.equal(run.code, 0);
    for (const option of ["--tables", "--exclude", "--group", "--where", "--jobs", "--cascade", "--dry-run", "--yes", "--json", "--lock-timeout"]) {
      assert.match(run.stdout, new RegExp(option), option);
    }
  });

  it("a plan with problems: the dry run shows them and exits 2, the real run refuses", async () => {
    await pair.target.query("ALTER TABLE items ADD COLUMN must text NOT NULL DEFAULT 'x'; ALTER TABLE items ALTER COLUMN must DROP DEFAULT");
    try {
      const dry = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--dry-run"]);
      assert.equal(dry.code, 2, dry.stderr);
      assert.match(dry.stdout, /error: public\.items: target column "must" is NOT NULL without a default and does not exist on the source/);
      const run = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--yes"]);
      assert.equal(run.code, 2);
      assert.match(errorLines(run.stderr)[0] ?? "", /the plan has 1 problem; nothing was written: public\.items: target column "must" is NOT NULL/);
    } finally {
      await pair.target.query("ALTER TABLE items DROP COLUMN must");
    }
    assert.equal(await tableFingerprint(pair.target, "items"), before_);
  });

  it("an unknown --group", async () => {
    const config = writeConfig("groups.yml", "groups:\n  catalog: [items]\n");
    await expectRefusal(await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--config", config, "--group", "catalogue", "--yes"]), 2, /unknown group "catalogue" \(known: catalog\)/);
  });

  it("a --group from the config selects its tables", async () => {
    const config = writeConfig("groups2.yml", "groups:\n  catalog: [items]\n");
    const run = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--config", config, "--group", "catalog", "--dry-run"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1\s+public\.items\s+refresh/);
    assert.equal(await tableFingerprint(pair.target, "items"), before_, "a dry run changes nothing");
  });

  it("a good run still works afterwards and reports JSON", async () => {
    const run = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--yes", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.ok, true);
    assert.equal(report.tablesSynced, 1);
    assert.equal(report.totalRows, 100);
    assert.equal(report.tables[0].status, "ok");
    assert.ok(!run.stdout.includes(password));
    assert.equal(await tableFingerprint(pair.target, "items"), await tableFingerprint(pair.source, "items"));
  });
});

/** `pgferry schedule`: cron jobs that never overlap, retries, the advisory lock, SIGTERM, bad input. */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connectTo } from "../harness/test-databases.js";
import { errorLines, runCliProcess, type CliOptions } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

interface Run {
  job: string | null;
  status: string;
  error: string | null;
  rows: number;
}

describe("pgferry schedule", () => {
  let pair: DatabasePair;
  let dir: string;
  const writeConfig = (schedules: string, hooks = "[]") =>
    writeFileSync(
      join(dir, "pgferry.yml"),
      `environments:\n  prod: { url: "\${SRC}", protected: true }\n  staging: { url: "\${DST}" }\nhooks:\n  after: ${hooks}\nschedules:\n${schedules}\n`,
    );
  const cli = (args: string[], onSpawn?: CliOptions["onSpawn"]) =>
    runCliProcess(args, { cwd: dir, env: { SRC: pair.sourceUrl, DST: pair.targetUrl }, ...(onSpawn ? { onSpawn } : {}) });
  const runsOf = async (job: string): Promise<Run[]> => {
    const history = await cli(["history", "staging", "--job", job, "--json", "--limit", "50"]);
    assert.equal(history.code, 0, history.stderr);
    return (JSON.parse(history.stdout) as { runs: Run[] }).runs.reverse();
  };

  before(async () => {
    pair = await createDatabasePair("schedule");
    dir = mkdtempSync(join(tmpdir(), "pgferry-schedule-"));
    await pair.source.query("CREATE TABLE events (id int PRIMARY KEY, name text); INSERT INTO events SELECT g, 'e' || g FROM generate_series(1, 100) g");
  });
  after(async () => pair?.drop());

  it("runs a job on its cron expression, skips ticks while the previous run is going, and records each run", async () => {
    writeConfig(`  backup:\n    cron: "* * * * * *"\n    from: prod\n    to: staging\n    tables: [events]\n    mode: upsert`, `\n    - command: "sleep 1.5"`);
    const run = await cli(["schedule", "--max-runs", "2"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /job backup: scheduled, next run \d{4}-/);
    assert.match(run.stderr, /job backup: tick skipped: the previous run is still going/);
    assert.match(run.stderr, /job backup: ok: 1 table\(s\), 100 rows/);
    assert.match(run.stderr, /schedule finished: every job reached --max-runs/);
    const runs = await runsOf("backup");
    assert.deepEqual(runs.map((r) => [r.job, r.status, r.rows]), [["backup", "ok", 100], ["backup", "ok", 100]]);
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM events")).rows[0].n, 100);
  });

  it("retries a failed hook, not the committed sync, then reports it", async () => {
    writeConfig(`  flaky:\n    cron: "* * * * * *"\n    from: prod\n    to: staging\n    tables: [events]\n    retries: 1\n    retryDelay: 0.2`, `\n    - command: "exit 7"`);
    const run = await cli(["schedule", "--max-runs", "1"]);
    assert.equal(run.code, 1, `a run that failed after its retries fails the schedule: ${run.stderr}`);
    assert.match(run.stderr, /failed after their retries: job flaky/);
    assert.match(run.stderr, /job flaky: hook command #1 failed \(command exited with code 7\); trying it again in 0\.2 s \(attempt 2 of 2\)/);
    assert.doesNotMatch(run.stderr, /run started \(attempt 2\)/, "the sync itself committed and is not run again");
    assert.match(run.stderr, /job flaky: failed: hook "command #1" failed: command exited with code 7/);
    const runs = await runsOf("flaky");
    assert.deepEqual(runs.map((r) => r.status), ["failed"]);
  });

  it("skips, without retrying, a run while another process holds the target", async () => {
    writeConfig(`  locked:\n    cron: "* * * * * *"\n    from: prod\n    to: staging\n    tables: [events]\n    retryDelay: 0.1`);
    const holder = await connectTo(pair.targetUrl);
    try {
      await holder.query("SELECT pg_advisory_lock($1, 1)", [0x70676672]);
      const run = await cli(["schedule", "--max-runs", "1"]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /job locked: skipped: another pgferry run is writing to staging/);
      assert.doesNotMatch(run.stderr, /attempt 2/);
    } finally {
      await holder.end();
    }
    assert.deepEqual((await runsOf("locked")).map((r) => r.status), ["skipped"]);
  });

  it("stops gracefully on SIGTERM: no new run, the running one stops, exit 0", async () => {
    writeConfig(`  slow:\n    cron: "* * * * * *"\n    from: prod\n    to: staging\n    tables: [events]`, `\n    - command: "sleep 60"`);
    const started = Date.now();
    const run = await cli(["schedule"], (child) => {
      child.stderr?.on("data", (chunk: Buffer) => {
        if (/hook command #1: running/.test(chunk.toString())) child.kill("SIGTERM");
      });
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Date.now() - started < 20_000, "it did not wait for the 60 s command");
    assert.match(run.stderr, /schedule stopped: no run in progress/);
    const runs = await runsOf("slow");
    assert.deepEqual(runs.map((r) => r.status), ["interrupted"]);
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM events")).rows[0].n, 100, "the committed sync stays");
  });

  it("pgferry run runs jobs now, once each, with history; exits 1 when one failed, 5 when a target was held, 2 for an unknown job", async () => {
    writeConfig(
      `  nightly:\n    cron: "0 3 * * *"\n    from: prod\n    to: staging\n    tables: [events]\n` +
        `  broken:\n    cron: "0 4 * * *"\n    from: prod\n    to: staging\n    tables: [events]\n    where: { events: "no_such_column > 1" }\n    retries: 0`,
    );
    await pair.target.query("DELETE FROM events");
    const started = Date.now();
    const nightly = await cli(["run", "nightly"]);
    assert.equal(nightly.code, 0, nightly.stderr);
    assert.ok(Date.now() - started < 60_000, "it does not wait for 03:00");
    assert.match(nightly.stderr, /job nightly: ok: 1 table\(s\), 100 rows/);
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM events")).rows[0].n, 100);
    assert.deepEqual((await runsOf("nightly")).map((r) => r.status), ["ok"]);

    const both = await cli(["run", "broken", "nightly"]);
    assert.equal(both.code, 1, both.stderr);
    assert.match(both.stderr, /job broken: failed: /);
    assert.match(both.stderr, /job nightly: ok/, "the next job still runs");

    const holder = await connectTo(pair.targetUrl);
    try {
      await holder.query("SELECT pg_advisory_lock($1, 1)", [0x70676672]);
      const held = await cli(["run", "nightly"]);
      assert.equal(held.code, 5, held.stderr);
      assert.match(held.stderr, /job nightly: skipped: another pgferry run is writing to staging/);
    } finally {
      await holder.end();
    }
    const unknown = await cli(["run", "nope"]);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.deepEqual(errorLines(unknown.stderr).map((l) => l.replace(/^pgferry: error: /, "")), ['unknown job "nope" (known: nightly, broken)']);
  });

  it("refuses bad jobs before running anything, in one line", async () => {
    const cases: [string, string[], number, RegExp][] = [
      [`  bad:\n    cron: "61 * * * *"\n    from: prod\n    to: staging`, [], 2, /schedules\.bad: invalid cron expression "61 \* \* \* \*"/],
      [`  back:\n    cron: "* * * * *"\n    from: staging\n    to: prod`, [], 3, /schedules\.back: target prod .* is protected/],
      [`  ok:\n    cron: "* * * * *"\n    from: prod\n    to: staging`, ["--job", "nope"], 2, /unknown job "nope" \(known: ok\)/],
      [`  grp:\n    cron: "* * * * *"\n    from: prod\n    to: staging\n    group: [missing]`, [], 2, /schedules\.grp: unknown group "missing"/],
    ];
    for (const [schedules, extra, code, message] of cases) {
      writeConfig(schedules);
      const run = await cli(["schedule", ...extra]);
      assert.equal(run.code, code, `${schedules}: ${run.stderr}`);
      const lines = errorLines(run.stderr);
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, message);
    }
  });
});

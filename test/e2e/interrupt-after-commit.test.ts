/**
 * An interrupt that arrives after the commit, while a post-sync hook runs, cannot roll anything
 * back: the run says the data is committed, exits 1 (not 130, "rolled back"), and the history
 * row says the same.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

describe("an interrupt after the commit", () => {
  let pair: DatabasePair;
  let dir: string;

  before(async () => {
    pair = await createDatabasePair("interrupt_commit");
    await pair.source.query("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 25)");
    dir = mkdtempSync(join(tmpdir(), "pgferry-intcommit-"));
  });
  after(async () => pair?.drop());

  it("stops the hooks, reports the commit and exits 1", async () => {
    const config = join(dir, "pgferry.yml");
    writeFileSync(config, `hooks:\n  after:\n    - { name: slow, command: "sleep 30" }\n    - { name: never, sql: "DELETE FROM items" }\n`);
    let child: ChildProcess | undefined;
    const run = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--config", config, "--yes", "--json"], {
      onSpawn: (c) => {
        child = c;
        c.stderr?.on("data", (chunk: Buffer) => {
          if (/hook slow: running/.test(chunk.toString())) child!.kill("SIGTERM");
        });
      },
    });
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as { committed: boolean; ok: boolean; error: string; hooks: { name: string; status: string }[] };
    assert.equal(report.committed, true);
    assert.equal(report.ok, false);
    assert.equal(report.error, 'interrupted after the commit (the synced data is committed): hook "slow" failed: command interrupted');
    assert.deepEqual(report.hooks.map((h) => [h.name, h.status]), [["slow", "failed"], ["never", "skipped"]]);
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM items")).rows[0].n, 25, "the committed data stays; the later hook did not run");
    const history = await pair.target.query("SELECT status, error FROM pgferry.runs ORDER BY id DESC LIMIT 1");
    assert.equal(history.rows[0].status, "interrupted");
  });
});

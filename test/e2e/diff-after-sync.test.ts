/** Issue 14 item 8 through the real CLI: `pgferry diff` right after a whole-database `pgferry sync` exits 0. */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

describe("pgferry diff after pgferry sync", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("diff_after_sync");
    await pair.source.query(await readFile(new URL("../fixtures/whole-schema.sql", import.meta.url), "utf8"));
  });
  after(async () => pair?.drop());

  it("finds no difference (exit 0); before the sync it did (exit 1)", async () => {
    const before = await runCliProcess(["diff", pair.sourceUrl, pair.targetUrl]);
    assert.equal(before.code, 1, before.stderr);
    const sync = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--yes"]);
    assert.equal(sync.code, 0, sync.stderr + sync.stdout);
    const diff = await runCliProcess(["diff", pair.sourceUrl, pair.targetUrl]);
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);
  });
});

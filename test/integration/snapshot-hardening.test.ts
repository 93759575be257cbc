/**
 * Snapshots against hostile or unlucky stores, on real servers: a tampered manifest, a manifest
 * whose catalog has the wrong shape, two dumps in the same second, a parallel dump that fails
 * half-way.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { dumpSnapshot, type DumpOptions } from "../../src/archive/dump-snapshot.js";
import { listSnapshots } from "../../src/archive/list-snapshots.js";
import { restoreSnapshot, type RestoreOptions } from "../../src/archive/restore-snapshot.js";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { createFileStore } from "../../src/storage/file-store.js";
import type { ObjectStore } from "../../src/storage/object-store.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

describe("snapshot hardening", () => {
  let pair: DatabasePair;
  const config = configSchema.parse({});
  const endpoint = (url: string, role: "source" | "target") => resolveEndpoint(url, role, config);
  const newStore = (label: string) => {
    const dir = mkdtempSync(join(tmpdir(), `pgferry-${label}-`));
    return { dir, store: createFileStore(dir) };
  };
  const dump = (store: ObjectStore, extra: Partial<DumpOptions> = {}) =>
    dumpSnapshot({ source: endpoint(pair.sourceUrl, "source"), store, selection: { include: ["notes"], exclude: [], where: {} }, lockTimeoutSeconds: 10, pgferryVersion: "test", ...extra });
  const restore = (store: ObjectStore, extra: Partial<RestoreOptions> = {}) =>
    restoreSnapshot({ store, snapshot: "latest", target: endpoint(pair.targetUrl, "target"), tables: ["notes"], ...extra });

  before(async () => {
    pair = await createDatabasePair("snapshot_hardening");
    await pair.source.query(`CREATE TABLE notes (id int PRIMARY KEY, note text);
      INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 100) g;`);
  });
  after(async () => pair?.drop());

  it("two dumps started in the same second are two snapshots, each restorable", async () => {
    const { store } = newStore("same-second");
    const [a, b] = await Promise.all([dump(store), dump(store)]);
    assert.notEqual(a.name, b.name);
    const listed = await listSnapshots(store);
    assert.deepEqual(listed.map((s) => s.name).sort(), [a.name, b.name].sort());
    assert.ok(listed.every((s) => s.complete && s.objects === 2), "manifest and one data file each");
    for (const snapshot of [a.name, b.name]) {
      const { report } = await restore(store, { snapshot, dryRun: true });
      assert.equal(report.error, undefined);
    }
  });
});

/**
 * Snapshots against hostile or unlucky stores, on real servers: a tampered manifest, a manifest
 * whose catalog has the wrong shape, two dumps in the same second, a parallel dump that fails
 * half-way.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { dumpSnapshot, type DumpOptions } from "../../src/archive/dump-snapshot.js";
import { listSnapshots } from "../../src/archive/list-snapshots.js";
import { restoreSnapshot, type RestoreOptions } from "../../src/archive/restore-snapshot.js";
import { newSnapshotKey } from "../../src/archive/snapshot-crypto.js";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { createFileStore } from "../../src/storage/file-store.js";
import type { ObjectStore } from "../../src/storage/object-store.js";
import { assertNoPgferrySessions, createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const KEY = "correct horse battery staple";
const INJECTION = "'x'::text); DROP TABLE public.victim; CREATE TABLE public.pwned(i int";

interface RawManifest {
  encryption: unknown;
  tables: { name: string; rows: number }[];
  catalog: { tables: { name: { name: string }; columns: Record<string, unknown>[] }[] };
  [key: string]: unknown;
}

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
  const manifestPath = async (dir: string, store: ObjectStore) => join(dir, (await listSnapshots(store))[0]!.name, "manifest.json");
  const tableExists = async (name: string) =>
    (await pair.target.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = $1", [name])).rows[0]!.n === 1;

  before(async () => {
    pair = await createDatabasePair("snapshot_hardening");
    await pair.source.query(`CREATE TABLE notes (id int PRIMARY KEY, note text);
      INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 100) g;
      CREATE TABLE big_a (id int PRIMARY KEY, payload text);
      CREATE TABLE big_b (id int PRIMARY KEY, payload text);
      INSERT INTO big_a SELECT g, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 300000) g;
      INSERT INTO big_b SELECT g, md5(g::text) || md5((g * 11)::text) FROM generate_series(1, 300000) g;`);
    await pair.target.query("CREATE TABLE victim (id int); INSERT INTO victim VALUES (1)");
  });
  after(async () => pair?.drop());

  it("an encrypted snapshot whose manifest was edited (SQL in a column default) is refused before the target is touched", async () => {
    const { dir, store } = newStore("tampered");
    await dump(store, { key: newSnapshotKey(KEY, "PGFERRY_SNAPSHOT_KEY") });
    const path = await manifestPath(dir, store);
    const manifest = JSON.parse(readFileSync(path, "utf8")) as RawManifest;
    const notes = manifest.catalog.tables.find((t) => t.name.name === "notes")!;
    notes.columns.find((c) => c.name === "note")!.default = INJECTION;
    writeFileSync(path, JSON.stringify(manifest));

    await assert.rejects(restore(store, { key: KEY }), (error: Error) => {
      assert.equal(error.name, "StorageError");
      assert.match(error.message, /^snapshot \S+: the manifest is not authentic \(edited or corrupted since the dump\)$/);
      return true;
    });
    assert.ok(await tableExists("victim"), "the victim table is still there");
    assert.equal(await tableExists("pwned"), false);
    assert.equal(await tableExists("notes"), false, "nothing was created");
  });

  it("a single flipped byte in an encrypted snapshot's manifest is refused", async () => {
    const { dir, store } = newStore("flipped");
    await dump(store, { key: newSnapshotKey(KEY, "PGFERRY_SNAPSHOT_KEY") });
    const path = await manifestPath(dir, store);
    const original = readFileSync(path);
    const at = original.indexOf('"rows":100');
    assert.ok(at > 0);
    const flipped = Buffer.from(original);
    flipped[at + '"rows":1'.length] = "1".charCodeAt(0); // 100 → 110
    writeFileSync(path, flipped);
    await assert.rejects(restore(store, { key: KEY }), /the manifest is not authentic/);
    writeFileSync(path, original);
    const { report } = await restore(store, { key: KEY, dryRun: true });
    assert.equal(report.error, undefined, "the untouched manifest still restores");
  });

  it("with a key, a manifest stripped of its encryption (or of its seal) is refused", async () => {
    const { dir, store } = newStore("stripped");
    await dump(store, { key: newSnapshotKey(KEY, "PGFERRY_SNAPSHOT_KEY") });
    const path = await manifestPath(dir, store);
    const manifest = JSON.parse(readFileSync(path, "utf8")) as RawManifest;
    writeFileSync(path, JSON.stringify({ ...manifest, encryption: null }));
    await assert.rejects(restore(store, { key: KEY }), /is not encrypted, but PGFERRY_SNAPSHOT_KEY is set: its manifest cannot be authenticated/);
    writeFileSync(path, JSON.stringify(manifest));
    const seal = join(dir, (await listSnapshots(store))[0]!.name, "manifest.seal");
    writeFileSync(seal, "{}");
    await assert.rejects(restore(store, { key: KEY }), /the manifest's seal \(manifest\.seal\) is missing or not valid/);
    assert.equal(await tableExists("notes"), false, "nothing was created");
  });

  it("an unencrypted manifest: a flipped byte is found (corruption), and a catalog of the wrong shape is refused in one line", async () => {
    const { dir, store } = newStore("plain");
    await dump(store);
    const path = await manifestPath(dir, store);
    const original = readFileSync(path, "utf8");
    writeFileSync(path, original.replace('"pgferryVersion":"test"', '"pgferryVersion":"tesu"'));
    await assert.rejects(restore(store), /the manifest is corrupted: its SHA-256 differs from manifest\.seal/);

    // A store whose seal was removed as well (an unencrypted manifest is not authenticated):
    // the catalog is still checked against a strict schema.
    const seal = join(dir, (await listSnapshots(store))[0]!.name, "manifest.seal");
    await store.delete([`${(await listSnapshots(store))[0]!.name}/manifest.seal`]);
    assert.deepEqual(readdirSync(join(seal, "..")).includes("manifest.seal"), false);
    const manifest = JSON.parse(original) as RawManifest;
    const column = manifest.catalog.tables.find((t) => t.name.name === "notes")!.columns[0]!;
    writeFileSync(path, JSON.stringify({ ...manifest, catalog: { ...manifest.catalog, tables: [{ ...manifest.catalog.tables[0], columns: [{ ...column, notNull: "yes" }] }] } }));
    await assert.rejects(restore(store), (error: Error) => {
      assert.equal(error.name, "StorageError");
      assert.match(error.message, /^snapshot \S+: not a valid pgferry manifest \(catalog\.tables\.0\.columns\.0\.notNull: [^\n]+\)$/);
      return true;
    });
    writeFileSync(path, JSON.stringify({ ...manifest, catalog: { ...manifest.catalog, tables: [{ ...manifest.catalog.tables[0], triggerHook: "DROP TABLE victim" }] } }));
    await assert.rejects(restore(store), /not a valid pgferry manifest \(catalog\.tables\.0: Unrecognized key: "triggerHook"\)/);
    assert.equal(await tableExists("notes"), false, "nothing was created");
    assert.ok(await tableExists("victim"));
  });

  it("a rich catalog (functions, views, domains, partitions, extensions) passes the strict schema: an encrypted round trip", async () => {
    const rich = await createDatabasePair("snapshot_rich");
    try {
      await rich.source.query(readFileSync(new URL("../fixtures/rental-store.sql", import.meta.url), "utf8"));
      const { store } = newStore("rich");
      const key = newSnapshotKey(KEY, "PGFERRY_SNAPSHOT_KEY");
      await dumpSnapshot({ source: endpoint(rich.sourceUrl, "source"), store, selection: { include: [], exclude: [], where: {} }, key, jobs: 2, lockTimeoutSeconds: 10, pgferryVersion: "test" });
      const { report } = await restoreSnapshot({ store, snapshot: "latest", target: endpoint(rich.targetUrl, "target"), key: KEY });
      assert.equal(report.committed, true, report.error ?? JSON.stringify(report.steps.filter((s) => s.status === "failed")));
    } finally {
      await rich.drop();
    }
  });

  it("two dumps started in the same second are two snapshots, each restorable", async () => {
    const { store } = newStore("same-second");
    const [a, b] = await Promise.all([dump(store), dump(store)]);
    assert.notEqual(a.name, b.name);
    const listed = await listSnapshots(store);
    assert.deepEqual(listed.map((s) => s.name).sort(), [a.name, b.name].sort());
    assert.ok(listed.every((s) => s.complete && s.objects === 3 && s.tables === 1), "manifest, seal and one data file each");
    for (const snapshot of [a.name, b.name]) {
      const { report } = await restore(store, { snapshot, dryRun: true });
      assert.equal(report.error, undefined);
    }
  });

  it("a failing dump --jobs 3 stops the other workers, deletes what it wrote and closes every session", async () => {
    const { dir, store } = newStore("failing");
    // The real folder store, watched: how many uploads are still running when the dump returns.
    let uploading = 0;
    const watched: ObjectStore = {
      ...store,
      put: (key, body, options) => {
        uploading += 1;
        return store.put(key, body, options).finally(() => (uploading -= 1));
      },
    };
    const where = { notes: "100 / (id - 50) IS NOT NULL" }; // division by zero at row 50, after EXPLAIN passed
    await assert.rejects(dump(watched, { jobs: 3, selection: { include: ["notes", "big_a", "big_b"], exclude: [], where } }), (error: Error) => {
      assert.equal(error.name, "StorageError");
      assert.match(error.message, /public\.notes: division by zero \[SQLSTATE 22012\]/);
      return true;
    });
    assert.equal(uploading, 0, "every upload has settled before the dump returns");
    assert.deepEqual(await listSnapshots(store), [], "no half snapshot is listed");
    assert.deepEqual(readdirSync(dir, { recursive: true }), [], "no object, folder or partial file is left");
    await assertNoPgferrySessions(pair.source); // every source session is closed
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(readdirSync(dir, { recursive: true }), [], "and nothing is written afterwards");
  });

  it("an interrupted dump --jobs 2 leaves nothing behind", async () => {
    const { dir, store } = newStore("interrupted");
    const stop = new AbortController();
    let started = 0;
    const onProgress = () => {
      if (++started === 20) stop.abort();
    };
    await assert.rejects(dump(store, { jobs: 2, selection: { include: ["big_a", "big_b"], exclude: [], where: {} }, signal: stop.signal, onProgress }), /interrupted/);
    assert.deepEqual(readdirSync(dir, { recursive: true }), []);
    await assertNoPgferrySessions(pair.source); // every source session is closed
  });

  it("the manifest keeps a fingerprint of a where filter, never its text (it may hold personal data)", async () => {
    const { dir, store } = newStore("filtered");
    await dump(store, { selection: { include: ["notes"], exclude: [], where: { notes: "note <> 'alice@example.org'" } } });
    const text = readFileSync(await manifestPath(dir, store), "utf8");
    assert.doesNotMatch(text, /alice@example\.org/);
    const manifest = JSON.parse(text) as { tables: { where: string | null }[] };
    assert.match(manifest.tables[0]!.where ?? "", /^filtered \(sha256 [0-9a-f]{16}\)$/);
  });
});

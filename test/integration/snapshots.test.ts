/** dump → store → restore on real servers: round trip, drifted target, corruption, keys, retention. */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { dumpSnapshot } from "../../src/archive/dump-snapshot.js";
import { choosePrunable, deleteSnapshot, listSnapshots } from "../../src/archive/list-snapshots.js";
import { restoreSnapshot, type RestoreOptions } from "../../src/archive/restore-snapshot.js";
import { newSnapshotKey } from "../../src/archive/snapshot-crypto.js";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { createFileStore } from "../../src/storage/file-store.js";
import type { ObjectStore } from "../../src/storage/object-store.js";
import { openStore } from "../../src/storage/open-store.js";
import { CancelledError, SafetyError } from "../../src/errors.js";
import { assertNoPgferrySessions, createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `
  CREATE SCHEMA "Sales Ü";
  CREATE TYPE mood AS ENUM ('ok', 'sad');
  CREATE TABLE orgs (id serial PRIMARY KEY, name text NOT NULL, m mood);
  CREATE TABLE users (id bigserial PRIMARY KEY, org int REFERENCES orgs, email text, bio text, price numeric(12,4), tags text[],
                      data jsonb, twice int GENERATED ALWAYS AS (org * 2) STORED);
  CREATE TABLE "Sales Ü"."Order.Lines" (id int PRIMARY KEY, note text);
  CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
  CREATE TABLE events_2020 PARTITION OF events FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
  CREATE TABLE events_2021 PARTITION OF events FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
`;
const TABLES = ["orgs", "users", '"Sales Ü"."Order.Lines"', "events"];

describe("snapshots: dump and restore", () => {
  let pair: DatabasePair;
  let emptyTarget: DatabasePair;
  let dir: string;
  let store: ObjectStore;
  const config = configSchema.parse({});
  const endpoint = (url: string, role: "source" | "target") => resolveEndpoint(url, role, config);
  const restore = (target: string, extra: Partial<RestoreOptions> = {}) =>
    restoreSnapshot({ store, snapshot: "latest", target: endpoint(target, "target"), ...extra });
  const fingerprints = async (client: DatabasePair["source"]) => Promise.all(TABLES.map((t) => tableFingerprint(client, t)));

  before(async () => {
    pair = await createDatabasePair("snapshots");
    emptyTarget = await createDatabasePair("snapshots_empty");
    dir = mkdtempSync(join(tmpdir(), "pgferry-snapshots-"));
    store = createFileStore(dir);
    await pair.source.query(`${SCHEMA}
      INSERT INTO orgs (name, m) VALUES ('Acme', 'ok'), (E'tab\\there', 'sad');
      INSERT INTO users (org, email, bio, price, tags, data)
        SELECT 1 + g % 2, 'u' || g || '@x', CASE WHEN g % 7 = 0 THEN NULL ELSE E'line\\nnext \\\\ ü "q"' END, g / 3.0, ARRAY['a', NULL, 'c,d'], jsonb_build_object('n', g)
          FROM generate_series(1, 20000) g;
      INSERT INTO "Sales Ü"."Order.Lines" VALUES (1, 'ß'), (2, NULL);
      INSERT INTO events VALUES (1, '2020-05-01'), (2, '2021-05-01');
      SELECT setval('users_id_seq', 30000);`);
  });
  after(async () => {
    await pair?.drop();
    await emptyTarget?.drop();
  });

  it("round trip: a restore into an empty database equals the source, sequences included", async () => {
    const dumped = await dumpSnapshot({
      source: endpoint(pair.sourceUrl, "source"),
      store,
      selection: { include: [], exclude: [], where: {} },
      jobs: 3,
      lockTimeoutSeconds: 10,
      pgferryVersion: "test",
    });
    assert.equal(dumped.manifest.tables.find((t) => t.name === "users")?.rows, 20000);
    assert.deepEqual(dumped.manifest.tables.map((t) => t.name).sort(), ["Order.Lines", "events", "orgs", "users"], "partitions travel through their parent");
    const { report } = await restore(emptyTarget.targetUrl);
    assert.equal(report.committed, true, report.error);
    assert.deepEqual(await fingerprints(emptyTarget.target), await fingerprints(pair.source));
    const seq = await emptyTarget.target.query("SELECT last_value FROM users_id_seq");
    assert.equal(seq.rows[0].last_value, "30000");
    const gen = await emptyTarget.target.query("SELECT twice FROM users WHERE id = 2");
    assert.equal(gen.rows[0].twice, 2, "generated columns are computed by the target");
  });

  it("a parallel restore (jobs 3) into an empty database loads each file in a session of its own and equals the source", async () => {
    const order: string[] = [];
    const { report } = await restore(emptyTarget.sourceUrl, {
      jobs: 3,
      onEvent: (e) => void (e.kind === "table-start" || e.kind === "table-done" ? order.push(e.kind) : undefined),
    });
    // Tables that can load as shadows do so at the same time (a partitioned one loads in the run's session).
    let open = 0;
    const most = Math.max(...order.map((kind) => (open += kind === "table-start" ? 1 : -1)));
    assert.ok(most >= 2, `tables load at the same time: ${order.join(", ")}`);
    assert.equal(report.committed, true, report.error);
    assert.deepEqual(await fingerprints(emptyTarget.source), await fingerprints(pair.source));
    assert.equal((await emptyTarget.source.query("SELECT last_value FROM users_id_seq")).rows[0].last_value, "30000");
    const left = await emptyTarget.source.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pgferry_load%'");
    assert.deepEqual(left.rows, [], "no load schema is left behind");
  });

  it("a restore the user does not confirm is a CancelledError (still a SafetyError, exit 3) and writes nothing", async () => {
    const relations = async () => (await pair.target.query("SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'")).rows[0];
    const before = await relations();
    await assert.rejects(restore(pair.targetUrl, { confirm: async () => false }), (e: unknown) => e instanceof CancelledError && e instanceof SafetyError && e.code === "SAFETY");
    assert.deepEqual(await relations(), before);
    await assertNoPgferrySessions(pair.target);
  });

  it("restores into a drifted target: numeric → jsonb, a column missing on the target, a target-only column", async () => {
    await pair.target.query(`CREATE TYPE mood AS ENUM ('ok', 'sad');
      CREATE TABLE orgs (id serial PRIMARY KEY, name text NOT NULL, m mood);
      CREATE TABLE users (id bigserial PRIMARY KEY, org int REFERENCES orgs, email text, price jsonb, tags text[], data jsonb, staging_only text DEFAULT 'kept', twice int);`);
    const { report } = await restore(pair.targetUrl, { tables: ["orgs", "users"] });
    assert.equal(report.committed, true, report.error ?? JSON.stringify(report.steps.filter((s) => s.status === "failed")));
    const { rows } = await pair.target.query("SELECT count(*)::int AS n, min(staging_only) AS s, (array_agg(price ORDER BY id))[3] AS p FROM users");
    assert.deepEqual(rows[0], { n: 20000, s: "kept", p: 1 });
  });

  it("fails on a corrupted data file while loading it, and refuses a truncated file, a missing manifest and a newer format before touching the target", async () => {
    const [snapshot] = await listSnapshots(store);
    const folder = join(dir, snapshot!.name);
    const usersFile = (JSON.parse(readFileSync(join(folder, "manifest.json"), "utf8")) as { tables: { name: string; file: string }[] }).tables.find((t) => t.name === "users")!.file;
    const users = join(folder, usersFile);
    const before = await tableFingerprint(pair.target, "users");
    const original = readFileSync(users);

    const flipped = Buffer.from(original);
    const middle = Math.floor(flipped.length / 2);
    flipped[middle] = flipped[middle]! ^ 0xff;
    writeFileSync(users, flipped);
    // Found while it loads (one pass over each file): the table fails and the transaction rolls back.
    const corrupted = await restore(pair.targetUrl);
    assert.equal(corrupted.report.committed, false);
    const failed = corrupted.report.steps.filter((s) => s.status === "failed");
    assert.deepEqual(failed.map((s) => `${s.table.schema}.${s.table.name}`), ["public.users"]);
    assert.match(failed[0]?.reason ?? "", /^public\.users \(\S+\/data\/\d{4}\.copy\.gz\) is corrupted: its SHA-256 differs from the manifest$/);
    assert.equal(await tableFingerprint(pair.target, "users"), before, "a corrupted file found mid-load leaves the target as it was");
    // In parallel, into an empty database: the shadow loads and the run roll back, nothing is left.
    const fresh = await createDatabasePair("snapshots_parallel_fail");
    try {
      const parallel = await restore(fresh.targetUrl, { jobs: 2 });
      assert.equal(parallel.report.committed, false);
      assert.match(parallel.report.steps.find((s) => s.status === "failed")?.reason ?? "", /public\.users \(\S+\) is corrupted: its SHA-256 differs from the manifest$/);
      const created = await fresh.target.query(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') UNION ALL SELECT nspname, '' FROM pg_namespace WHERE nspname LIKE 'pgferry%'",
      );
      assert.deepEqual(created.rows, [], "a parallel restore that failed leaves no table and no load schema");
    } finally {
      await fresh.drop();
    }

    writeFileSync(users, original);
    truncateSync(users, original.length - 100);
    await assert.rejects(restore(pair.targetUrl), /has \d+ bytes, the manifest says \d+ \(truncated or replaced\)/);
    writeFileSync(users, original);

    const manifestPath = join(folder, "manifest.json");
    const manifest = readFileSync(manifestPath, "utf8");
    writeFileSync(manifestPath, manifest.replace('"format":1', '"format":2'));
    await assert.rejects(restore(pair.targetUrl), /made by a newer pgferry \(snapshot format 2; this version reads format 1\)/);
    writeFileSync(manifestPath, "{ not json");
    await assert.rejects(restore(pair.targetUrl), /the manifest is not valid JSON/);
    writeFileSync(manifestPath, manifest);
    await assert.rejects(restore(pair.targetUrl, { snapshot: "20200101T000000Z_nowhere" }), /snapshot 20200101T000000Z_nowhere is not in file:\/\//);
    assert.equal(await tableFingerprint(pair.target, "users"), before, "the target was not touched");
  });

  it("encrypted snapshots need the right key", async () => {
    const encryptedStore = createFileStore(mkdtempSync(join(tmpdir(), "pgferry-enc-")));
    await dumpSnapshot({
      source: endpoint(pair.sourceUrl, "source"),
      store: encryptedStore,
      selection: { include: ["orgs"], exclude: [], where: {} },
      key: newSnapshotKey("correct horse battery staple", "PGFERRY_SNAPSHOT_KEY"),
      lockTimeoutSeconds: 10,
      pgferryVersion: "test",
    });
    const [snapshot] = await listSnapshots(encryptedStore);
    const files = readdirSync(join(encryptedStore.label.slice("file://".length), snapshot!.name, "data"));
    assert.ok(files.every((f) => f.endsWith(".enc")));
    const options = { store: encryptedStore, snapshot: "latest", target: endpoint(emptyTarget.targetUrl, "target"), tables: ["orgs"], mode: "upsert" as const };
    await assert.rejects(restoreSnapshot(options), /is encrypted: set PGFERRY_SNAPSHOT_KEY to its key/);
    await assert.rejects(restoreSnapshot({ ...options, key: "wrong horse battery staple" }), /wrong key in PGFERRY_SNAPSHOT_KEY/);
    const { report } = await restoreSnapshot({ ...options, key: "correct horse battery staple" });
    assert.equal(report.committed, true, report.error);
    assert.equal(report.steps[0]?.changes?.unchanged, 2);
  });

  it("prune keeps the newest snapshot and removes what is too old or beyond --keep", async () => {
    const names = ["20260101T000000Z_prod", "20261101T000000Z_prod", "20261120T000000Z_prod", "20261001T000000Z_dev"];
    const pruneStore = createFileStore(mkdtempSync(join(tmpdir(), "pgferry-prune-")));
    for (const name of names) {
      await pruneStore.putText(`${name}/manifest.json`, "{}");
      await pruneStore.putText(`${name}/data/0001.copy.gz`, "x");
    }
    await pruneStore.putText("20260102T000000Z_prod/data/0001.copy.gz", "an interrupted dump: no manifest");
    const now = new Date("2026-11-23T00:00:00Z");
    const byDays = choosePrunable(await listSnapshots(pruneStore), { retainDays: 30 }, now).map((s) => s.name).sort();
    assert.deepEqual(byDays, ["20260101T000000Z_prod", "20260102T000000Z_prod"], "dev's only snapshot stays, however old");
    const byKeep = choosePrunable(await listSnapshots(pruneStore), { keep: 2 }, now).map((s) => s.name).sort();
    assert.deepEqual(byKeep, ["20260101T000000Z_prod", "20260102T000000Z_prod"]);
    for (const name of byDays) await deleteSnapshot(pruneStore, name);
    assert.deepEqual((await listSnapshots(pruneStore)).map((s) => s.name), ["20261120T000000Z_prod", "20261101T000000Z_prod", "20261001T000000Z_dev"]);
  });

  it("round trip through an S3-compatible server", async () => {
    const endpointUrl = process.env.PGFERRY_TEST_S3_ENDPOINT;
    assert.ok(endpointUrl, "the test harness starts s3rver and sets PGFERRY_TEST_S3_ENDPOINT");
    const { createTestBucket } = await import("../harness/s3-server.js");
    const bucket = await createTestBucket("snapshots");
    const s3Config = configSchema.parse({
      stores: { backups: { url: `s3://${bucket}/team/pgferry`, endpoint: endpointUrl, region: "us-east-1", accessKeyId: "S3RVER", secretAccessKey: "S3RVER", forcePathStyle: true } },
    });
    const { store: s3 } = await openStore("backups", s3Config, process.cwd());
    await dumpSnapshot({ source: endpoint(pair.sourceUrl, "source"), store: s3, selection: { include: [], exclude: [], where: {} }, jobs: 2, lockTimeoutSeconds: 10, pgferryVersion: "test" });
    const target = await createDatabasePair("snapshots_s3");
    try {
      const { report } = await restoreSnapshot({ store: s3, snapshot: "latest", target: endpoint(target.targetUrl, "target") });
      assert.equal(report.committed, true, report.error);
      assert.deepEqual(await fingerprints(target.target), await fingerprints(pair.source));
    } finally {
      await target.drop();
    }
  });
});

/**
 * An unset ${VAR} in pgferry.yml through the built CLI (`npm run build` first): it fails only the
 * command that uses its value (one line naming the variable and the path, exit 2, nothing written);
 * the others run. A typo still fails every command.
 */
import { PutObjectCommand, GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestBucket, testS3Client, testS3Endpoint } from "../harness/s3-server.js";
import { errorLines, runCliProcess, type CliRun } from "../harness/sync-helpers.js";
import { createDatabasePair, tableFingerprint, type DatabasePair } from "../harness/test-databases.js";

const UNSET = ["PGFERRY_TEST_UNSET_S3_KEY", "PGFERRY_TEST_UNSET_S3_SECRET", "PGFERRY_TEST_UNSET_TOKEN", "PGFERRY_TEST_UNSET_REDIS", "PGFERRY_TEST_UNSET_PROD_URL"];

describe("an unset ${VAR} fails only the command that uses it", () => {
  let pair: DatabasePair;
  let dir: string;
  let client: S3Client;
  const env = (extra: NodeJS.ProcessEnv = {}) => ({ SRC_URL: pair.sourceUrl, DST_URL: pair.targetUrl, ...Object.fromEntries(UNSET.map((v) => [v, ""])), ...extra });
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCliProcess(args, { cwd: dir, env: env(extra) });

  function refused(run: CliRun, variable: string, path: string): void {
    assert.equal(run.code, 2, `exit code; stderr: ${run.stderr}`);
    const lines = errorLines(run.stderr);
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, new RegExp(`pgferry\\.yml: environment variable ${variable} is not set \\(used at ${path.replace(/\./g, "\\.")}\\)`));
  }

  before(async () => {
    pair = await createDatabasePair("unset_vars");
    await pair.source.query("CREATE TABLE items (id int PRIMARY KEY, label text); INSERT INTO items SELECT g, 'src' FROM generate_series(1, 20) g;");
    await pair.target.query("CREATE TABLE items (id int PRIMARY KEY, label text); INSERT INTO items VALUES (1, 'kept');");
    dir = mkdtempSync(join(tmpdir(), "pgferry-unset-"));
    client = testS3Client();
    // Every unset value sits where a set one would be checked: an s3 key, a hook's command, an environment's redis.
    writeFileSync(
      join(dir, "pgferry.yml"),
      `environments:
  source:
    url: \${SRC_URL}
  target:
    url: \${DST_URL}
    redis: \${PGFERRY_TEST_UNSET_REDIS}
stores:
  backups:
    url: s3://pgferry-unset-backups/pg
    endpoint: ${testS3Endpoint()}
    accessKeyId: \${PGFERRY_TEST_UNSET_S3_KEY}
    secretAccessKey: \${PGFERRY_TEST_UNSET_S3_SECRET}
  local:
    url: file://snapshots
hooks:
  after:
    - name: deploy
      command: echo deployed \${PGFERRY_TEST_UNSET_TOKEN}
`,
    );
  });
  after(async () => {
    client?.destroy();
    await pair?.drop();
  });

  it("sync uses no store: it runs without the store's keys (hooks off); with the hooks on, the hook's variable refuses it before any write", async () => {
    const before_ = await tableFingerprint(pair.target, "items");
    refused(await cli(["sync", "source", "target", "--yes"]), "PGFERRY_TEST_UNSET_TOKEN", "hooks.after.0.command");
    assert.equal(await tableFingerprint(pair.target, "items"), before_, "nothing written");
    const run = await cli(["sync", "source", "target", "--yes", "--no-hooks"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await tableFingerprint(pair.target, "items"), await tableFingerprint(pair.source, "items"));
    // Set, the same hook runs.
    const hooked = await cli(["sync", "source", "target", "--yes"], { PGFERRY_TEST_UNSET_TOKEN: "t0ken-value-1" });
    assert.equal(hooked.code, 0, hooked.stderr);
    assert.match(hooked.stderr, /deployed \*\*\*\*/, "the token, a secret by its name, is redacted");
  });

  it("dump --to the store with unset keys fails naming the variable; --to another store works", async () => {
    refused(await cli(["dump", "source", "--to", "backups"]), "PGFERRY_TEST_UNSET_S3_KEY", "stores.backups.accessKeyId");
    const run = await cli(["dump", "source", "--to", "local"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readdirSync(join(dir, "snapshots")).length, 1);
  });

  it("bucket-sync with plain s3:// URLs runs without the named stores' keys", async () => {
    const [src, dst] = await Promise.all([createTestBucket("unset-src"), createTestBucket("unset-dst")]);
    await client.send(new PutObjectCommand({ Bucket: src, Key: "media/a.txt", Body: "hello", ContentLength: 5 }));
    const aws = { AWS_ENDPOINT_URL: testS3Endpoint(), AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1" };
    const run = await cli(["bucket-sync", `s3://${src}/media`, `s3://${dst}/media`, "--json"], aws);
    assert.equal(run.code, 0, run.stderr);
    const copied = await client.send(new GetObjectCommand({ Bucket: dst, Key: "media/a.txt" }));
    assert.equal(await copied.Body!.transformToString(), "hello");
    refused(await cli(["bucket-sync", "backups", `s3://${dst}/media`], aws), "PGFERRY_TEST_UNSET_S3_KEY", "stores.backups.accessKeyId");
  });

  it("a protected environment whose address is unset refuses writes, not reads", async () => {
    const config = join(dir, "protected.yml");
    writeFileSync(config, "environments:\n  prod:\n    url: ${PGFERRY_TEST_UNSET_PROD_URL}\n    protected: true\n");
    const before_ = await tableFingerprint(pair.target, "items");
    await pair.target.query("UPDATE items SET label = 'changed' WHERE id = 1");
    const changed = await tableFingerprint(pair.target, "items");
    const run = await cli(["sync", pair.sourceUrl, pair.targetUrl, "--config", config, "--yes"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(errorLines(run.stderr)[0] ?? "", /environment variable PGFERRY_TEST_UNSET_PROD_URL is not set \(used at environments\.prod\.url\): pgferry cannot tell whether the target is the protected environment "prod"$/);
    assert.equal(await tableFingerprint(pair.target, "items"), changed, "nothing written");
    assert.notEqual(changed, before_);
    const diff = await cli(["diff", pair.sourceUrl, pair.targetUrl, "--config", config]);
    assert.equal(diff.code, 0, diff.stderr);
  });

  it("a typo still fails every command, unset variables or not", async () => {
    const config = join(dir, "typo.yml");
    writeFileSync(config, "stores:\n  backups:\n    url: s3://b/p\n    accessKeyId: ${PGFERRY_TEST_UNSET_S3_KEY}\n    secretAccesKey: x\n");
    for (const args of [["sync", pair.sourceUrl, pair.targetUrl, "--yes"], ["bucket-sync", "file://a", "file://b"]]) {
      const run = await cli([...args, "--config", config]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(errorLines(run.stderr)[0] ?? "", /typo\.yml: unknown key secretAccesKey in stores\.backups$/);
    }
    assert.ok(!existsSync(join(dir, "b")), "nothing written");
  });
});

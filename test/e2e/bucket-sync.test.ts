/**
 * `pgferry bucket-sync` through the built CLI (`npm run build` first) against s3rver: two stores
 * with different credential sets, a folder, dry runs, --delete, re-runs and bad input.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { freePort } from "../harness/embedded-server.js";
import { createTestBucket, testS3Client, testS3Endpoint } from "../harness/s3-server.js";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";

const PROD_SECRET = "prod-secret-5b1e0c";
const STAGING_SECRET = "staging-secret-9a77d2";
const ENV_SECRET = "env-secret-c4d2f8";

interface Totals {
  readonly objects: number;
  readonly bytes: number;
}
interface Report {
  readonly dryRun: boolean;
  readonly actions: Readonly<Record<"new" | "changed" | "unchanged" | "delete", Totals>>;
  readonly failures: readonly { key: string; action: string; message: string }[];
  readonly ok: boolean;
}

const md5 = (data: Buffer | string) => createHash("md5").update(data).digest("hex");

describe("pgferry bucket-sync", () => {
  let dir: string;
  let client: S3Client;
  let src: string;
  let dst: string;
  const big = Buffer.alloc(9 * 1024 * 1024 + 3, 7); // over the 8 MiB part size: a multipart copy
  const env = () => ({
    SRC_BUCKET: src,
    DST_BUCKET: dst,
    S3_ENDPOINT: testS3Endpoint(),
    PROD_SECRET,
    STAGING_SECRET,
    // For s3:// URLs given on the command line: the standard AWS environment.
    AWS_ENDPOINT_URL: testS3Endpoint(),
    AWS_ACCESS_KEY_ID: "env-key-id",
    AWS_SECRET_ACCESS_KEY: ENV_SECRET,
    AWS_REGION: "eu-west-1",
  });
  const cli = (args: string[]) => runCliProcess(["bucket-sync", ...args], { cwd: dir, env: env() });
  const json = (stdout: string) => JSON.parse(stdout) as Report;
  const put = (bucket: string, key: string, body: string | Buffer) => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: Buffer.byteLength(body) }));
  /** key → md5 of every object under `prefix`, keys relative to it. */
  const snapshot = async (bucket: string, prefix: string): Promise<Record<string, string>> => {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const entries = await Promise.all(
      (page.Contents ?? []).map(async (o) => {
        const body = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
        return [o.Key!.slice(prefix.length), md5(Buffer.from(await body.Body!.transformToByteArray()))] as const;
      }),
    );
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
  };
  const expectOneError = (run: { code: number | null; stderr: string; stdout: string }, code: number, message: RegExp) => {
    assert.equal(run.code, code, run.stderr);
    const lines = errorLines(run.stderr);
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, message);
    for (const secret of [PROD_SECRET, STAGING_SECRET, ENV_SECRET]) assert.doesNotMatch(run.stdout + run.stderr, new RegExp(secret));
  };

  before(async () => {
    client = testS3Client();
    [src, dst] = await Promise.all([createTestBucket("sync-src"), createTestBucket("sync-dst")]);
    dir = mkdtempSync(join(tmpdir(), "pgferry-bucket-sync-"));
    writeFileSync(
      join(dir, "pgferry.yml"),
      `stores:
  prod-uploads:
    url: "s3://\${SRC_BUCKET}/uploads"
    endpoint: "\${S3_ENDPOINT}"
    accessKeyId: prod-key-id
    secretAccessKey: "\${PROD_SECRET}"
  staging-uploads:
    url: "s3://\${DST_BUCKET}/uploads"
    endpoint: "\${S3_ENDPOINT}"
    accessKeyId: staging-key-id
    secretAccessKey: "\${STAGING_SECRET}"
  photos:
    url: file://photos
`,
    );
    await Promise.all([
      put(src, "uploads/new/a.txt", "brand new"),
      put(src, "uploads/new/empty.txt", ""),
      put(src, "uploads/big.bin", big),
      put(src, "uploads/same.txt", "identical"),
      put(src, "uploads/changed.txt", "longer content now"),
      put(src, "uploads/changed-same-size.txt", "version 2"),
      put(src, "other/not-mirrored.txt", "outside the prefix"),
      put(dst, "uploads/same.txt", "identical"),
      put(dst, "uploads/changed.txt", "short"),
      put(dst, "uploads/changed-same-size.txt", "version 1"),
      put(dst, "uploads/stale.txt", "deleted on the source"),
      put(dst, "keep/outside.txt", "not under the target prefix"),
    ]);
  });
  after(() => client?.destroy());

  it("--dry-run counts new, changed, unchanged and delete with their bytes, and writes nothing", async () => {
    const before = await snapshot(dst, "");
    const run = await cli(["prod-uploads", "staging-uploads", "--delete", "--dry-run", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const report = json(run.stdout);
    assert.equal(report.dryRun, true);
    assert.deepEqual(report.actions, {
      new: { objects: 3, bytes: big.length + "brand new".length },
      changed: { objects: 2, bytes: "longer content now".length + "version 2".length },
      unchanged: { objects: 1, bytes: "identical".length },
      delete: { objects: 1, bytes: "deleted on the source".length },
    });
    const text = await cli(["prod-uploads", "staging-uploads", "--delete", "--dry-run"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`Dry run: mirror s3://${src}/uploads at http://127\\.0\\.0\\.1:\\d+ → s3://${dst}/uploads`));
    assert.match(text.stdout, /^new\s+3\s+9\.4 MB$/m);
    assert.match(text.stdout, /^changed\s+2\s+27 B$/m);
    assert.match(text.stdout, /^unchanged\s+1\s+9 B$/m);
    assert.match(text.stdout, /^delete\s+1\s+21 B$/m);
    assert.deepEqual(await snapshot(dst, ""), before);
  });

  it("--delete without --yes and without a terminal refuses before listing (exit 3)", async () => {
    expectOneError(await cli(["prod-uploads", "staging-uploads", "--delete"]), 3, /refusing to write to s3:\/\/.* without confirmation: no terminal to ask on, pass --yes/);
  });

  it("--delete --yes mirrors the prefix exactly with different credentials per store; a re-run changes nothing", async () => {
    const run = await cli(["prod-uploads", "staging-uploads", "--delete", "--yes", "--json", "--jobs", "3"]);
    assert.equal(run.code, 0, run.stderr);
    const report = json(run.stdout);
    assert.equal(report.ok, true);
    assert.deepEqual([report.actions.new.objects, report.actions.changed.objects, report.actions.unchanged.objects, report.actions.delete.objects], [3, 2, 1, 1]);
    assert.equal(run.stderr, "", "no SDK warnings and no progress lines for a short run");
    assert.deepEqual(await snapshot(dst, "uploads/"), await snapshot(src, "uploads/"));
    assert.deepEqual(Object.keys(await snapshot(dst, "keep/")), ["outside.txt"], "objects outside the target prefix stay");
    assert.deepEqual(Object.keys(await snapshot(dst, "other/")), [], "objects outside the source prefix are not copied");

    const again = await cli(["prod-uploads", "staging-uploads", "--delete", "--yes"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^Mirrored s3:\/\/.* in [\d.]+ s$/m);
    assert.match(again.stdout, /^new\s+0\s+0 B$/m);
    assert.match(again.stdout, /^changed\s+0\s+0 B$/m);
    assert.match(again.stdout, /^unchanged\s+6\s+9\.4 MB$/m);
    assert.match(again.stdout, /^deleted\s+0\s+0 B$/m);
  });

  it("mirrors a folder to a bucket given by URL (AWS environment credentials), back to a folder, and re-runs as unchanged", async () => {
    mkdirSync(join(dir, "photos", "2024", "05"), { recursive: true });
    writeFileSync(join(dir, "photos", "index.txt"), "two photos");
    writeFileSync(join(dir, "photos", "2024", "05", "cat.jpg"), Buffer.alloc(70_000, 1));
    writeFileSync(join(dir, "photos", "2024", "05", "dog.jpg"), Buffer.alloc(50_000, 2));
    const url = `s3://${dst}/photos`;
    const run = await cli(["photos", url, "--json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(json(run.stdout).actions.new, { objects: 3, bytes: 120_010 });
    assert.deepEqual(Object.keys(await snapshot(dst, "photos/")), ["2024/05/cat.jpg", "2024/05/dog.jpg", "index.txt"]);

    const again = await cli(["photos", url, "--json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(json(again.stdout).actions.unchanged, { objects: 3, bytes: 120_010 });
    assert.equal(json(again.stdout).actions.new.objects + json(again.stdout).actions.changed.objects, 0);

    const back = await cli([url, "file://restored"]);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(readFileSync(join(dir, "restored", "2024", "05", "cat.jpg")).length, 70_000);
    assert.equal(readFileSync(join(dir, "restored", "index.txt"), "utf8"), "two photos");
  });

  it("a failed object does not stop the others: exit 1, the failure listed, and a re-run retries only it", async () => {
    // "x" and "x/y" cannot both be files in a folder: exactly one of them fails.
    await Promise.all([put(src, "conflict/x", "file"), put(src, "conflict/x/y", "nested"), put(src, "conflict/z", "fine")]);
    const run = await cli([`s3://${src}/conflict`, "file://conflict-out", "--json"]);
    assert.equal(run.code, 1, run.stderr);
    const report = json(run.stdout);
    assert.equal(report.ok, false);
    assert.equal(report.failures.length, 1);
    assert.equal(report.actions.new.objects, 2);
    assert.equal(readFileSync(join(dir, "conflict-out", "z"), "utf8"), "fine");
    assert.match(run.stderr, /^pgferry: warning: failed x(\/y)?: /m);

    await client.send(new DeleteObjectCommand({ Bucket: src, Key: `conflict/${report.failures[0]!.key}` }));
    const text = await cli([`s3://${src}/conflict`, "file://conflict-out"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^unchanged\s+2\s/m);
  });

  it("bad input fails in one line with its exit code, and never prints a secret", async () => {
    expectOneError(await cli(["nope", "staging-uploads"]), 2, /unknown store "nope": use a store name \(known: prod-uploads, staging-uploads, photos\)/);
    expectOneError(await cli(["prod-uploads", "prod-uploads"]), 3, /FROM and TO are the same store \(s3:\/\/.*\/uploads at http:\/\/127\.0\.0\.1:\d+\)/);
    expectOneError(await cli(["prod-uploads", `s3://${src}/uploads/inside`]), 3, /overlap \(one lies inside the other\)/);
    expectOneError(await cli(["prod-uploads", "staging-uploads", "--jobs", "0"]), 2, /--jobs must be a whole number from 1 to 64, got "0"/);

    const port = await freePort();
    writeFileSync(
      join(dir, "unreachable.yml"),
      `stores:\n  away:\n    url: s3://somewhere/x\n    endpoint: "http://127.0.0.1:${port}"\n    accessKeyId: away-key\n    secretAccessKey: "\${PROD_SECRET}"\n  refused:\n    url: "s3://\${SRC_BUCKET}/uploads"\n    endpoint: "\${S3_ENDPOINT}"\n    accessKeyId: REJECTED-key\n    secretAccessKey: "\${STAGING_SECRET}"\n`,
    );
    const unreachable = await runCliProcess(["--config", "unreachable.yml", "bucket-sync", "away", "file://out"], { cwd: dir, env: env() });
    expectOneError(unreachable, 4, new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port} to list s3://somewhere/x: ECONNREFUSED`));
    const refused = await runCliProcess(["--config", "unreachable.yml", "bucket-sync", "refused", "file://out"], { cwd: dir, env: env() });
    expectOneError(refused, 1, /cannot list s3:\/\/.*\/uploads at .*: access denied \(InvalidAccessKeyId\)/);
  });
});

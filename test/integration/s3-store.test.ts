/** The S3 adapter against a real S3-compatible server (s3rver, started by the test runner). */
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { before, describe, it } from "node:test";
import { ConnectionError, StorageError } from "../../src/errors.js";
import { listAll } from "../../src/storage/bucket-sync.js";
import type { ObjectStore } from "../../src/storage/object-store.js";
import { createS3Store } from "../../src/storage/s3-store.js";
import { freePort } from "../harness/embedded-server.js";
import { createTestBucket, testS3Client, testS3Endpoint } from "../harness/s3-server.js";

const CREDENTIALS = { accessKeyId: "store-test-key", secretAccessKey: "store-test-secret-93f1" };
const MiB = 1024 * 1024;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Bucket keys as the server stores them, to check the prefix mapping from outside. */
async function rawKeys(bucket: string): Promise<string[]> {
  const client = testS3Client();
  try {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (page.Contents ?? []).map((o) => o.Key!).sort();
  } finally {
    client.destroy();
  }
}

/** `count` chunks of 1 MiB (+7 bytes, so parts never align with chunks), generated lazily. */
function generated(count: number): { stream: Readable; md5: () => string; bytes: number } {
  const hash = createHash("md5");
  const chunkSize = MiB + 7;
  const stream = Readable.from(
    (function* () {
      for (let i = 0; i < count; i += 1) {
        const chunk = Buffer.alloc(chunkSize, i % 251);
        hash.update(chunk);
        yield chunk;
      }
    })(),
  );
  return { stream, md5: () => hash.digest("hex"), bytes: count * chunkSize };
}

describe("S3 object store", () => {
  let bucket: string;
  let store: ObjectStore;
  const open = (prefix: string, overrides: Partial<Parameters<typeof createS3Store>[0]> = {}) =>
    createS3Store({ bucket, prefix, endpoint: testS3Endpoint(), credentials: CREDENTIALS, ...overrides });

  before(async () => {
    bucket = await createTestBucket("s3-store");
    store = open("base/dir");
  });

  it("puts, heads and gets under the prefix; the label names bucket, prefix and endpoint only", async () => {
    await store.putText("manifest.json", '{"a":1}');
    const written = await store.put("data/one.bin", Readable.from([Buffer.from("hello "), Buffer.from("world")]), { contentType: "application/octet-stream" });
    assert.equal(written, 11);
    assert.equal(await store.getText("manifest.json"), '{"a":1}');
    assert.equal((await readAll(await store.get("data/one.bin"))).toString(), "hello world");
    const head = await store.head("data/one.bin");
    assert.equal(head?.key, "data/one.bin");
    assert.equal(head?.size, 11);
    assert.ok(head?.etag && !head.etag.includes('"'), "etag without quotes");
    assert.equal(await store.head("data/absent.bin"), null);
    assert.deepEqual(await rawKeys(bucket), ["base/dir/data/one.bin", "base/dir/manifest.json"]);
    assert.equal(store.label, `s3://${bucket}/base/dir at ${testS3Endpoint()}`);
    assert.doesNotMatch(store.label, /store-test/);

    const bare = open("");
    await bare.putText("top.txt", "x");
    assert.ok((await rawKeys(bucket)).includes("top.txt"), "no leading slash without a prefix");
    assert.deepEqual((await listAll(bare)).map((o) => o.key).filter((k) => !k.startsWith("base/")), ["top.txt"]);
  });

  it("lists more than one page (1100 objects) in key order, relative to the prefix, and never a sibling prefix", async () => {
    const keys = Array.from({ length: 1100 }, (_, i) => `many/${String(i).padStart(4, "0")}.txt`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((key) => store.putText(key, key)));
    const client = testS3Client();
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "base/dir2/many/0000.txt", Body: "sibling" }));
    client.destroy();
    const listed = [];
    for await (const object of store.list("many/")) listed.push(object);
    assert.equal(listed.length, 1100);
    assert.deepEqual(listed.map((o) => o.key), keys);
    assert.ok(listed.every((o) => o.size === 13 && o.etag !== null && !o.etag.includes('"') && o.lastModified instanceof Date));

    await store.delete([...keys, "many/never-existed.txt"]); // more than one DeleteObjects batch
    assert.equal((await listAll(store)).filter((o) => o.key.startsWith("many/")).length, 0);
    assert.ok((await rawKeys(bucket)).includes("base/dir2/many/0000.txt"), "the sibling prefix is untouched");
  });

  it("streams a 20 MB body as a multipart upload and reads it back byte for byte", async () => {
    const body = generated(20);
    const written = await store.put("big/blob.bin", body.stream);
    assert.equal(written, body.bytes);
    assert.equal((await store.head("big/blob.bin"))?.size, body.bytes);
    const back = createHash("md5");
    let size = 0;
    for await (const chunk of await store.get("big/blob.bin")) {
      back.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    assert.equal(size, body.bytes);
    assert.equal(back.digest("hex"), body.md5());
  });

  it("a failing body rejects the upload and leaves no object", async () => {
    const failing = Readable.from(
      (function* () {
        yield Buffer.alloc(MiB);
        throw new Error("source stream broke");
      })(),
    );
    await assert.rejects(store.put("broken.bin", failing), (error: unknown) => error instanceof StorageError && /broken\.bin/.test(error.message));
    assert.equal(await store.head("broken.bin"), null);
  });

  it("names the key when it does not exist, and the bucket when that does not exist", async () => {
    await assert.rejects(store.get("missing.txt"), (error: unknown) => error instanceof StorageError && error.message === `missing.txt does not exist in s3://${bucket}/base/dir`);
    await assert.rejects(store.getText("missing.txt"), /missing\.txt does not exist in/);
    const wrong = createS3Store({ bucket: "no-such-bucket-pgferry", prefix: "", endpoint: testS3Endpoint(), credentials: CREDENTIALS });
    await assert.rejects(listAll(wrong), (error: unknown) => error instanceof StorageError && /cannot list s3:\/\/no-such-bucket-pgferry at .*: bucket "no-such-bucket-pgferry" does not exist/.test(error.message));
    await assert.rejects(wrong.put("k", Readable.from([Buffer.from("x")])), /bucket "no-such-bucket-pgferry" does not exist/);
  });

  it("refused credentials and an unreachable endpoint are one line, without the secret", async () => {
    const refused = open("base/dir", { credentials: { accessKeyId: "REJECTED-key", secretAccessKey: "refused-secret-77" } });
    await assert.rejects(listAll(refused), (error: unknown) => {
      assert.ok(error instanceof StorageError);
      assert.match(error.message, /access denied \(InvalidAccessKeyId\)/);
      assert.doesNotMatch(error.message, /refused-secret-77|\n/);
      return true;
    });
    const port = await freePort();
    const away = open("base/dir", { endpoint: `http://127.0.0.1:${port}` });
    await assert.rejects(listAll(away), (error: unknown) => {
      assert.ok(error instanceof ConnectionError);
      assert.equal(error.message, `cannot reach http://127.0.0.1:${port} to list s3://${bucket}/base/dir: ECONNREFUSED`);
      return true;
    });
  });
});

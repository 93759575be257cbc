/**
 * S3 for the storage tests: the endpoint in PGFERRY_TEST_S3_ENDPOINT, else a private s3rver (npm)
 * in a child process on 127.0.0.1 with a temporary data folder, removed when it stops.
 * The server accepts any access key (see s3rver-process.mjs), so every test may use its own
 * credential set; keys starting with REJECTED are refused with InvalidAccessKeyId.
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface TestS3 {
  readonly endpoint: string;
  readonly description: string;
  readonly stop: () => Promise<void>;
}

/** Credentials every test server accepts (s3rver's built-in pair). */
export const TEST_S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

const CHILD = fileURLToPath(new URL("./s3rver-process.mjs", import.meta.url));

export async function startS3IfNeeded(given: string | undefined): Promise<TestS3> {
  if (given) return { endpoint: given, description: "given by URL", stop: async () => undefined };
  const directory = mkdtempSync(join(tmpdir(), "pgferry-s3rver-"));
  const child = spawn(process.execPath, ["--openssl-legacy-provider", CHILD, directory], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const cleanUp = () => rmSync(directory, { recursive: true, force: true });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`s3rver did not start within 10 s: ${stderr.slice(-2000)}`)), 10_000);
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /listening (\d+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.once("error", (error) => reject(new Error(`cannot start s3rver: ${error.message}`)));
      child.once("exit", (code) => reject(new Error(`s3rver exited with code ${code}: ${stderr.slice(-2000)}`)));
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    return {
      endpoint: `http://127.0.0.1:${port}`,
      description: `s3rver on port ${port}`,
      stop: async () => {
        child.kill("SIGTERM");
        await exited;
        cleanUp();
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    cleanUp();
    throw error;
  }
}

/** The endpoint the runner started; tests fail clearly when run without it. */
export function testS3Endpoint(): string {
  const endpoint = process.env.PGFERRY_TEST_S3_ENDPOINT;
  if (!endpoint) throw new Error("PGFERRY_TEST_S3_ENDPOINT is not set: run the tests through npm test");
  return endpoint;
}

/** A client for the test server, for seeding and checking buckets behind pgferry's back. */
export function testS3Client(credentials: { accessKeyId: string; secretAccessKey: string } = TEST_S3_CREDENTIALS): S3Client {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"; // Node 20 is supported; keep test output readable
  return new S3Client({
    endpoint: testS3Endpoint(),
    region: "us-east-1",
    forcePathStyle: true,
    credentials,
  });
}

/** A new, empty bucket with a unique name starting with `label` (a-z, 0-9, -). */
export async function createTestBucket(label: string): Promise<string> {
  const bucket = `${label}-${randomBytes(4).toString("hex")}`;
  const client = testS3Client();
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  return bucket;
}

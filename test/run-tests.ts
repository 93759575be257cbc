/**
 * `npm test`: start the PostgreSQL servers once (embedded 17 as source, embedded 18 as target,
 * unless PGFERRY_TEST_SOURCE_URL / PGFERRY_TEST_TARGET_URL name running ones, or
 * PGFERRY_TEST_SOURCE_VERSION / PGFERRY_TEST_TARGET_VERSION ask for another embedded major), run every
 * *.test.ts under test/ with the Node test runner, stop the servers. Redis and S3 (s3rver) start
 * too, unless PGFERRY_TEST_REDIS_URL / PGFERRY_TEST_S3_ENDPOINT name running ones.
 * Arguments filter test files by path substring: `npm test -- integration`.
 * test/real-schemas/ (real public schemas read from the machine's git mirrors, slow) runs only when
 * a filter names it: `node --import tsx test/run-tests.ts real-schemas`.
 * A target given by URL must ask for passwords (the wrong-password test needs it), as the
 * embedded servers do; the machine's trust-auth PostgreSQL serves as a source only.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { isEmbeddedVersion, startEmbeddedServer, type EmbeddedVersion, type RunningServer } from "./harness/embedded-server.js";
import { startRedisIfNeeded } from "./harness/redis-server.js";
import { startS3IfNeeded } from "./harness/s3-server.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(join(root, "test"), { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".test.ts"))
  .map((f) => join("test", f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .filter((f) => !f.startsWith(join("test", "real-schemas")) || filters.some((x) => x.includes("real-schemas")))
  .sort();
if (files.length === 0) {
  console.error(`no test file matches ${filters.join(", ")}`);
  process.exit(2);
}

const started: RunningServer[] = [];
/** A server given by URL, else an embedded one of the version named in …_VERSION, else the default. */
async function serverUrl(role: "SOURCE" | "TARGET", fallback: EmbeddedVersion): Promise<string> {
  const given = process.env[`PGFERRY_TEST_${role}_URL`];
  if (given) return given;
  const wanted = process.env[`PGFERRY_TEST_${role}_VERSION`];
  if (wanted !== undefined && !isEmbeddedVersion(wanted)) throw new Error(`PGFERRY_TEST_${role}_VERSION must be 12, 17 or 18, not ${wanted}`);
  const server = await startEmbeddedServer(wanted ?? fallback);
  started.push(server);
  return server.adminUrl;
}

// s3rver starts in its child process while the PostgreSQL servers initialise.
const s3Starting = startS3IfNeeded(process.env.PGFERRY_TEST_S3_ENDPOINT);
s3Starting.catch(() => undefined); // awaited below; no unhandled rejection when PostgreSQL fails first

let code = 1;
let stopRedis: () => Promise<void> = async () => undefined;
try {
  const t0 = Date.now();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGFERRY_TEST_SOURCE_URL: await serverUrl("SOURCE", "17"),
    PGFERRY_TEST_TARGET_URL: await serverUrl("TARGET", "18"),
  };
  const redis = await startRedisIfNeeded(process.env.PGFERRY_TEST_REDIS_URL);
  stopRedis = redis.stop;
  env.PGFERRY_TEST_REDIS_URL = redis.url;
  const s3 = await s3Starting;
  env.PGFERRY_TEST_S3_ENDPOINT = s3.endpoint;
  console.log(`test servers ready in ${Date.now() - t0} ms (${started.map((s) => `embedded ${s.version}`).join(", ") || "given by URL"}; Redis ${redis.description}; S3 ${s3.description})`);
  console.log(`running ${files.length} test file(s): ${files.map((f) => relative("test", f)).join(" ")}`);
  code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", ...files], { cwd: root, env, stdio: "inherit" });
    child.on("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
} finally {
  await Promise.all([
    ...started.map((s) => s.stop().catch(() => undefined)),
    stopRedis().catch(() => undefined),
    s3Starting.then((s3) => s3.stop()).catch(() => undefined),
  ]);
}
process.exit(code);

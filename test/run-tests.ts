/**
 * `npm test`: start the PostgreSQL servers once (embedded 17 as source, embedded 18 as target,
 * unless PGFERRY_TEST_SOURCE_URL / PGFERRY_TEST_TARGET_URL name running ones), run every
 * *.test.ts under test/ with the Node test runner, stop the servers.
 * Arguments filter test files by path substring: `npm test -- integration`.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmbeddedServer, type RunningServer } from "./harness/embedded-server.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(join(root, "test"), { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".test.ts"))
  .map((f) => join("test", f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test file matches ${filters.join(", ")}`);
  process.exit(2);
}

const started: RunningServer[] = [];
async function serverUrl(envName: string, version: "17" | "18"): Promise<string> {
  const given = process.env[envName];
  if (given) return given;
  const server = await startEmbeddedServer(version);
  started.push(server);
  return server.adminUrl;
}

let code = 1;
try {
  const t0 = Date.now();
  const env = {
    ...process.env,
    PGFERRY_TEST_SOURCE_URL: await serverUrl("PGFERRY_TEST_SOURCE_URL", "17"),
    PGFERRY_TEST_TARGET_URL: await serverUrl("PGFERRY_TEST_TARGET_URL", "18"),
  };
  console.log(`test servers ready in ${Date.now() - t0} ms (${started.map((s) => `embedded ${s.version}`).join(", ") || "given by URL"})`);
  console.log(`running ${files.length} test file(s): ${files.map((f) => relative("test", f)).join(" ")}`);
  code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", ...files], { cwd: root, env, stdio: "inherit" });
    child.on("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
} finally {
  await Promise.all(started.map((s) => s.stop().catch(() => undefined)));
}
process.exit(code);

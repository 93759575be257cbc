/**
 * A run's fixed cost. Optional clients load only when a run uses them: importing the library
 * entry must not load the Redis client or the AWS SDK (their import costs up to a second of
 * start-up, on every CLI run and every Lambda cold start). --verbose reports the time from
 * process start to the first COPY.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const dist = fileURLToPath(new URL("../../dist/", import.meta.url));

/** Every bare package specifier the program imported, recorded by a module-resolution hook. */
function importedPackages(code: string): string[] {
  const hook = `data:text/javascript,${encodeURIComponent(
    `export async function resolve(specifier, context, next) { if (!/^[./]|^node:|^file:|^data:/.test(specifier)) process.stderr.write("IMPORT " + specifier + "\\n"); return next(specifier, context); }`,
  )}`;
  const register = `data:text/javascript,${encodeURIComponent(`import { register } from "node:module"; register(${JSON.stringify(hook)});`)}`;
  const run = spawnSync(process.execPath, ["--import", register, "--input-type=module", "-e", code], { encoding: "utf8", cwd: dist });
  assert.equal(run.status, 0, run.stderr);
  return [...new Set(run.stderr.split("\n").filter((l) => l.startsWith("IMPORT ")).map((l) => l.slice(7)))];
}

describe("lazy imports", () => {
  it("the library entry loads neither Redis nor the AWS SDK", () => {
    const packages = importedPackages(`await import(${JSON.stringify(`${dist}index.js`)});`);
    assert.ok(packages.includes("pg"), `the hook sees imports: ${packages.join(", ")}`);
    assert.deepEqual(packages.filter((p) => p === "redis" || p.startsWith("@redis/") || p.startsWith("@aws-sdk/")), []);
  });
});

describe("time to the first COPY", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("first_copy");
    await pair.source.query("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 10)");
  });
  after(async () => pair?.drop());

  it("is reported with --verbose, and only then", async () => {
    const verbose = await runCliProcess(["--verbose", "sync", pair.sourceUrl, pair.targetUrl, "--yes"]);
    assert.equal(verbose.code, 0, verbose.stderr);
    const line = /pgferry: debug: first COPY started ([\d.]+) s after pgferry started/.exec(verbose.stderr);
    assert.ok(line, verbose.stderr);
    assert.ok(Number(line[1]) > 0 && Number(line[1]) < 60, line[0]);
    const quiet = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--yes"]);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stderr, /first COPY started/);
  });
});

/**
 * Optional clients load only when a run uses them: importing the library entry, or running the
 * CLI's help, must not load the Redis client or the AWS SDK (their import costs up to a second of
 * start-up, on every CLI run and every Lambda cold start).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

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

/**
 * The library entry (dist/index.js) loads no optional client: importing `redis` alone costs
 * 0.5–1.2 s here, and every application that calls syncRows pays for the entry's imports at its
 * start (a Lambda at each cold start). Redis is loaded when a redis hook runs, the AWS SDK when an
 * s3:// store is opened. A module resolve hook in a child process records every bare specifier
 * the import resolves, and the CommonJS cache shows what was required underneath.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const ENTRY = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

const HOOKS = `
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (!/^(\\.|\\/|node:|file:|data:)/.test(specifier)) process.stderr.write("pgferry-test-resolved " + specifier + "\\n");
  return resolved;
}`;

/** Bare specifiers resolved and CommonJS files required while `code` runs in a fresh node. */
function loadedBy(code: string): { specifiers: string[]; required: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "pgferry-imports-"));
  writeFileSync(join(dir, "hooks.mjs"), HOOKS);
  writeFileSync(join(dir, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});\n`);
  const run = spawnSync(process.execPath, ["--import", join(dir, "register.mjs"), "--input-type=module", "-e", `${code}\nimport { createRequire } from "node:module";\nconsole.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const specifiers = run.stderr.split("\n").filter((l) => l.startsWith("pgferry-test-resolved ")).map((l) => l.slice("pgferry-test-resolved ".length));
  return { specifiers, required: JSON.parse(run.stdout.trim().split("\n").pop()!) as string[] };
}

const OPTIONAL = /^(redis|@redis\/|@aws-sdk\/|@smithy\/|cli-progress|croner|commander)/;
const OPTIONAL_PATH = /node_modules\/(redis|@redis|@aws-sdk|@smithy|cli-progress|croner|commander)\//;

describe("the library entry's imports", () => {
  it("importing pgferry loads no Redis client, AWS SDK or CLI-only package", () => {
    const { specifiers, required } = loadedBy(`await import(${JSON.stringify(pathToFileURL(ENTRY).href)});`);
    assert.ok(specifiers.includes("pg"), `the hook saw the imports: ${specifiers.join(", ")}`);
    assert.deepEqual(specifiers.filter((s) => OPTIONAL.test(s)), []);
    assert.deepEqual(required.filter((p) => OPTIONAL_PATH.test(p)), []);
  });

  it("the check sees a client when one is loaded (a redis hook's module)", () => {
    const { specifiers, required } = loadedBy(`await import(${JSON.stringify(pathToFileURL(join(ENTRY, "..", "hooks", "redis-hook.js")).href)});`);
    assert.ok(specifiers.some((s) => OPTIONAL.test(s)) || required.some((p) => OPTIONAL_PATH.test(p)), `redis was not seen: ${specifiers.join(", ")}`);
  });
});

/**
 * The folder store's errors on a real file system: only a missing file is "missing"; a folder
 * the process may not read is a StorageError naming the path and the cause. As root, the
 * checks run in a child process as `nobody`, since root reads every file.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { StorageError } from "../../src/errors.js";
import { createFileStore } from "../../src/storage/file-store.js";

interface Outcome {
  readonly value?: unknown;
  readonly error?: { name: string; message: string; cause: string | undefined };
}

const PROBE = `
const { createFileStore } = await import(process.env.FILE_STORE_MODULE);
const store = createFileStore(process.env.STORE_ROOT);
const settle = async (run) => {
  try { return { value: await run() ?? null }; }
  catch (error) { return { error: { name: error.name, message: error.message, cause: error.cause?.code } }; }
};
const outcomes = {
  head: await settle(() => store.head("locked/manifest.json")),
  getText: await settle(() => store.getText("locked/manifest.json")),
  get: await settle(async () => { (await store.get("locked/manifest.json")).destroy(); return "stream"; }),
  list: await settle(async () => { const keys = []; for await (const o of store.list("")) keys.push(o.key); return keys; }),
  put: await settle(() => store.putText("locked/other.json", "{}")),
  headMissing: await settle(() => store.head("open/absent.json")),
  getMissing: await settle(() => store.getText("open/absent.json")),
};
process.stdout.write(JSON.stringify(outcomes));
`;

/** Run the store's operations as a user that may not enter the folder `locked`. */
function probeAsUnprivileged(root: string): Record<string, Outcome> {
  const asRoot = process.getuid?.() === 0;
  const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", PROBE], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    env: { ...process.env, STORE_ROOT: root, FILE_STORE_MODULE: new URL("../../src/storage/file-store.ts", import.meta.url).href },
    encoding: "utf8",
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, Outcome>;
}

describe("file store errors", () => {
  it("a folder it may not read is an error naming the path and the cause, not a missing object", () => {
    const root = mkdtempSync(join(tmpdir(), "pgferry-file-store-"));
    chmodSync(root, 0o755);
    mkdirSync(join(root, "locked"));
    mkdirSync(join(root, "open"));
    writeFileSync(join(root, "locked", "manifest.json"), "{}");
    chmodSync(join(root, "locked"), 0o000);
    const outcomes = probeAsUnprivileged(root);
    const path = join(root, "locked");
    for (const op of ["head", "getText", "get", "list", "put"]) {
      const error = outcomes[op]?.error;
      assert.ok(error, `${op} must fail, got ${JSON.stringify(outcomes[op])}`);
      assert.equal(error.name, "StorageError", op);
      assert.equal(error.cause, "EACCES", `${op} keeps the file-system error as its cause`);
      assert.ok(error.message.includes(path), `${op} names the path: ${error.message}`);
      assert.match(error.message, /EACCES: permission denied/, op);
      assert.doesNotMatch(error.message, /does not exist|SQLSTATE/, op);
    }
    assert.deepEqual(outcomes.headMissing, { value: null }, "a missing file is still just missing");
    assert.match(outcomes.getMissing?.error?.message ?? "", /open\/absent\.json does not exist in /);
    assert.equal(outcomes.getMissing?.error?.cause, "ENOENT");
  });

  it("in-process: a key whose parent is a file is an error, not a missing object", async () => {
    const root = mkdtempSync(join(tmpdir(), "pgferry-file-store-"));
    writeFileSync(join(root, "snap"), "a file where a folder should be");
    const store = createFileStore(root);
    await assert.rejects(store.head("snap/manifest.json"), (error: Error) => {
      assert.ok(error instanceof StorageError);
      assert.match(error.message, /ENOTDIR/);
      assert.ok(error.message.includes(join(root, "snap", "manifest.json")));
      return true;
    });
  });
});

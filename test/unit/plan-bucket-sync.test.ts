import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StoredObject } from "../../src/storage/object-store.js";
import { planBucketSync } from "../../src/storage/plan-bucket-sync.js";

const T0 = new Date("2024-01-01T00:00:00Z");
const T1 = new Date("2024-01-02T00:00:00Z");
const object = (key: string, size: number, etag: string | null = null, lastModified = T0): StoredObject => ({ key, size, etag, lastModified });
const kinds = (plan: ReturnType<typeof planBucketSync>) => plan.actions.map((a) => `${a.kind} ${a.key}`);

describe("planBucketSync", () => {
  it("copies new and changed objects, skips equal ones, deletes only with delete: true", () => {
    const source = [object("b.txt", 5, "bb"), object("a.txt", 3, "aa"), object("c.txt", 7, "c2"), object("d.txt", 2, "dd")];
    const target = [object("a.txt", 3, "aa"), object("c.txt", 7, "c1"), object("d.txt", 4, "dd"), object("gone.txt", 11, "gg")];
    const kept = planBucketSync(source, target, { delete: false, compareEtags: true });
    assert.deepEqual(kinds(kept), ["skip-equal a.txt", "copy-new b.txt", "copy-changed c.txt", "copy-changed d.txt"]);
    const mirrored = planBucketSync(source, target, { delete: true, compareEtags: true });
    assert.deepEqual(kinds(mirrored).at(-1), "delete gone.txt");
    assert.deepEqual(mirrored.totals, {
      "copy-new": { objects: 1, bytes: 5 },
      "copy-changed": { objects: 2, bytes: 9 },
      "skip-equal": { objects: 1, bytes: 3 },
      delete: { objects: 1, bytes: 11 },
    });
  });

  it("between different store kinds, compares sizes and dates, never etags", () => {
    const source = [object("same", 4, "file-etag-1", T0), object("newer-source", 4, "x", T1), object("resized", 5, "y", T0)];
    const target = [object("same", 4, "s3-md5", T1), object("newer-source", 4, "x", T0), object("resized", 4, "y", T1)];
    const plan = planBucketSync(source, target, { delete: false, compareEtags: false });
    assert.deepEqual(kinds(plan), ["copy-changed newer-source", "copy-changed resized", "skip-equal same"]);
  });

  it("compares dates to the second, as S3 keeps them (an upload looks older than its file by < 1 s)", () => {
    const file = object("a", 4, "4-1", new Date("2024-01-01T00:00:34.279Z"));
    const uploaded = object("a", 4, "md5", new Date("2024-01-01T00:00:34.000Z"));
    assert.deepEqual(kinds(planBucketSync([file], [uploaded], { delete: false, compareEtags: false })), ["skip-equal a"]);
    const edited = object("a", 4, "4-2", new Date("2024-01-01T00:00:35.001Z"));
    assert.deepEqual(kinds(planBucketSync([edited], [uploaded], { delete: false, compareEtags: false })), ["copy-changed a"]);
  });

  it("with etags, equal MD5s win over dates and a multipart etag falls back to dates", () => {
    const source = [object("md5-equal", 4, "aa", T1), object("md5-differs", 4, "aa", T0), object("multipart-old", 4, "abc-2", T0), object("multipart-new", 4, "abc-2", T1)];
    const target = [object("md5-equal", 4, "aa", T0), object("md5-differs", 4, "bb", T1), object("multipart-old", 4, "def", T1), object("multipart-new", 4, "def-3", T0)];
    const plan = planBucketSync(source, target, { delete: false, compareEtags: true });
    assert.deepEqual(kinds(plan), ["copy-changed md5-differs", "skip-equal md5-equal", "copy-changed multipart-new", "skip-equal multipart-old"]);
  });

  it("an empty source with delete: true removes everything; nothing to do when both are empty", () => {
    const plan = planBucketSync([], [object("x", 1), object("y", 2)], { delete: true, compareEtags: false });
    assert.deepEqual(kinds(plan), ["delete x", "delete y"]);
    assert.equal(plan.totals.delete.bytes, 3);
    const none = planBucketSync([], [], { delete: true, compareEtags: true });
    assert.equal(none.actions.length, 0);
    assert.deepEqual(none.totals["copy-new"], { objects: 0, bytes: 0 });
  });

  it("keys are compared exactly (case and slashes matter)", () => {
    const plan = planBucketSync([object("Dir/A", 1), object("dir/a", 1)], [object("dir/a", 1)], { delete: true, compareEtags: false });
    assert.deepEqual(kinds(plan), ["copy-new Dir/A", "skip-equal dir/a"]);
  });
});

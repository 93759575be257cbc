import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSnapshotName, snapshotName } from "../../src/archive/snapshot-names.js";

describe("snapshot names", () => {
  it("two names made at the same instant differ, and sort by time", () => {
    const at = new Date("2026-11-23T21:43:00.123Z");
    const a = snapshotName(at, "production");
    const b = snapshotName(at, "production");
    assert.notEqual(a, b, "two dumps in the same millisecond must not share a folder");
    assert.match(a, /^20261123T214300\.123Z-[0-9a-f]{6}_production$/);
    const later = snapshotName(new Date("2026-11-23T21:43:00.124Z"), "production");
    assert.ok(later > a && later > b);
  });

  it("parses new names and the older second-precision names", () => {
    const name = snapshotName(new Date("2026-11-23T21:43:00.123Z"), "prod_eu west");
    assert.deepEqual({ ...parseSnapshotName(name), name: undefined }, { name: undefined, createdAt: new Date("2026-11-23T21:43:00.123Z"), environment: "prod-eu-west" });
    assert.deepEqual(parseSnapshotName("20261123T214300Z_production"), { name: "20261123T214300Z_production", createdAt: new Date("2026-11-23T21:43:00Z"), environment: "production" });
    assert.equal(parseSnapshotName("latest"), null);
    assert.equal(parseSnapshotName("20261123T214300Z"), null);
  });
});

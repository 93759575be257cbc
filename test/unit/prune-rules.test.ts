/** Retention (archive/list-snapshots choosePrunable): max age, keep-last, daily, weekly and monthly keep rules. Pure. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { choosePrunable, isoWeek, type PruneRule } from "../../src/archive/list-snapshots.js";
import type { SnapshotEntry } from "../../src/archive/list-snapshots.js";

const NOW = new Date("2026-12-02T12:00:00Z");

function snapshot(iso: string, environment = "prod", complete = true): SnapshotEntry {
  return { name: `${iso}_${environment}`, createdAt: new Date(iso), environment, complete, bytes: 1, objects: 2, tables: 1 };
}

/** Two snapshots a day (03:00 and 15:00 UTC) from 2026-09-01 to 2026-12-02 03:00, newest first. */
const HISTORY: SnapshotEntry[] = (() => {
  const list: SnapshotEntry[] = [];
  for (let t = Date.parse("2026-09-01T03:00:00Z"); t <= Date.parse("2026-12-02T03:00:00Z"); t += 12 * 3600 * 1000) list.push(snapshot(new Date(t).toISOString()));
  return list.reverse();
})();

const kept = (rule: PruneRule, list = HISTORY) => {
  const doomed = new Set(choosePrunable(list, rule, NOW).map((s) => s.name));
  return list.filter((s) => !doomed.has(s.name)).map((s) => s.createdAt.toISOString().slice(0, 13));
};

describe("retention rules", () => {
  it("ISO weeks start on Monday and belong to the year of their Thursday", () => {
    assert.equal(isoWeek(new Date("2026-12-02T00:00:00Z")), "2026-W49");
    assert.equal(isoWeek(new Date("2026-11-30T00:00:00Z")), "2026-W49", "Monday");
    assert.equal(isoWeek(new Date("2026-11-29T23:59:59Z")), "2026-W48", "Sunday");
    assert.equal(isoWeek(new Date("2027-01-01T00:00:00Z")), "2026-W53", "a Friday: the week of Thursday 2026-12-31");
    assert.equal(isoWeek(new Date("2024-12-30T00:00:00Z")), "2025-W01", "a Monday whose Thursday is in 2025");
  });

  it("keep-daily keeps the newest snapshot of each of the newest N days that have one", () => {
    assert.deepEqual(kept({ keepDaily: 3 }), ["2026-12-02T03", "2026-12-01T15", "2026-11-30T15"]);
  });

  it("keep-weekly and keep-monthly keep the newest of each ISO week and month", () => {
    assert.deepEqual(kept({ keepWeekly: 3 }), ["2026-12-02T03", "2026-11-29T15", "2026-11-22T15"]);
    assert.deepEqual(kept({ keepMonthly: 4 }), ["2026-12-02T03", "2026-11-30T15", "2026-10-31T15", "2026-09-30T15"]);
  });

  it("the keep rules add up (a snapshot one of them keeps stays), and the max age removes older ones anyway", () => {
    assert.deepEqual(kept({ keep: 2, keepDaily: 2, keepMonthly: 2 }), ["2026-12-02T03", "2026-12-01T15", "2026-11-30T15"]);
    assert.deepEqual(kept({ keepDaily: 7, keepWeekly: 4, keepMonthly: 12, retainDays: 30 }), [
      "2026-12-02T03", "2026-12-01T15", "2026-11-30T15", "2026-11-29T15", "2026-11-28T15", "2026-11-27T15", "2026-11-26T15",
      "2026-11-22T15", "2026-11-15T15",
    ]);
  });

  it("says why each snapshot goes", () => {
    const reasons = choosePrunable(HISTORY.slice(0, 6), { keepDaily: 1, retainDays: 1 }, NOW).map((s) => `${s.createdAt.toISOString().slice(0, 13)}: ${s.reason}`);
    assert.deepEqual(reasons, [
      "2026-12-01T15: kept by no rule (1 daily) of prod",
      "2026-12-01T03: older than 1 day(s), kept by no rule (1 daily) of prod",
      "2026-11-30T15: older than 1 day(s), kept by no rule (1 daily) of prod",
      "2026-11-30T03: older than 1 day(s), kept by no rule (1 daily) of prod",
      "2026-11-29T15: older than 1 day(s), kept by no rule (1 daily) of prod",
    ]);
  });

  it("counts each environment on its own and always keeps an environment's newest complete snapshot", () => {
    const list = [snapshot("2026-12-01T00:00:00.000Z", "dev"), ...HISTORY.slice(0, 4), snapshot("2026-01-01T00:00:00.000Z", "dev"), snapshot("2025-06-01T00:00:00.000Z", "old")];
    const doomed = choosePrunable(list, { keepDaily: 1, retainDays: 30 }, NOW).map((s) => s.name);
    assert.deepEqual(doomed.sort(), [...HISTORY.slice(1, 4).map((s) => s.name), "2026-01-01T00:00:00.000Z_dev"].sort());
  });
});

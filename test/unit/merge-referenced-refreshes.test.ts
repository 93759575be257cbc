/** A refreshed table that a merged table references is merged instead of truncated (plan/merge-referenced-refreshes), on hand-made catalogs. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Constraint } from "../../src/model/catalog.js";
import { buildSyncPlan } from "../../src/plan/build-sync-plan.js";
import { writeMode } from "../../src/plan/write-mode.js";
import { ALL_TABLES, catalog, col, fk, table } from "../harness/catalog-builders.js";

const pk = (name: string): Constraint => ({ name: `${name}_pkey`, kind: "primary", definition: "PRIMARY KEY (id)", columns: ["id"], references: null, referencedColumns: [], deferrable: false, initiallyDeferred: false, comment: null });
const keyed = (name: string, ...fks: Constraint[]) => table(name, [col("id", "integer", { notNull: true }), col("x")], { constraints: [pk(name), ...fks] });

describe("mergeReferencedRefreshes", () => {
  it("goes up the FKs: what a merged table references, and what that references, is merged; children of them are still truncated", () => {
    const both = catalog([keyed("a"), keyed("b", fk("b_a_fk", "a")), keyed("c", fk("c_b_fk", "b")), keyed("d", fk("d_a_fk", "a"))]);
    const plan = buildSyncPlan({ source: both, target: both, selection: ALL_TABLES, cascade: false, tables: { c: { mode: "upsert" } } });
    assert.deepEqual(plan.diagnostics.filter((d) => d.level === "error"), []);
    assert.deepEqual(Object.fromEntries(plan.actions.map((a) => [a.table.name, writeMode(a)])), {
      a: "refresh (upsert + delete-missing)",
      b: "refresh (upsert + delete-missing)",
      c: "upsert",
      d: "refresh",
    });
    assert.deepEqual(plan.truncate.map((t) => t.table.name), ["d"]);
    assert.deepEqual(
      plan.diagnostics.filter((d) => d.level === "info" && /not with TRUNCATE/.test(d.message)).map((d) => `${d.table?.name}: ${d.message.split(":")[1]?.trim()}`),
      ["b: public.c is merged by key and references it through foreign key \"c_b_fk\" (the table still ends equal to the source)", "a: public.b is merged by key and references it through foreign key \"b_a_fk\" (the table still ends equal to the source)"],
    );
    const merge = plan.actions.find((a) => a.table.name === "a" && a.kind === "refresh");
    assert.ok(merge?.kind === "refresh" && merge.copy.merge);
    assert.deepEqual({ ...merge.copy.merge, staged: merge.copy.staged }, { mode: "upsert", key: ["id"], update: ["x"], preserve: [], deleteMissing: true, replace: true, staged: true });
    assert.equal(merge.path, undefined, "a merged table is not loaded bare: its indexes stay");
  });

  it("never merges a table --cascade empties: the merged table that references it keeps the refusal", () => {
    const target = catalog([keyed("a"), keyed("x", fk("x_a_fk", "a")), keyed("m", fk("m_x_fk", "x"))]);
    const source = catalog([keyed("a"), keyed("m")]);
    const plan = buildSyncPlan({ source, target, selection: ALL_TABLES, cascade: true, tables: { m: { mode: "insert-missing" } } });
    assert.deepEqual(plan.actions.find((a) => a.table.name === "x")?.kind, "truncate-cascade");
    assert.deepEqual(
      plan.diagnostics.filter((d) => d.level === "error").map((d) => d.message),
      ['public.m is merged by key (upsert, insert-missing or preserved columns) but references public.x through foreign key "m_x_fk", which is refreshed with TRUNCATE: give both the same mode'],
    );
  });
});

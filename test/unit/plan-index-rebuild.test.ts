/** The fast refresh path's plan: which refreshed tables load bare, what is dropped and rebuilt, and in which order. Pure. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Constraint, Index, IndexProperties } from "../../src/model/catalog.js";
import { nameKey, qualifiedName } from "../../src/model/qualified-name.js";
import { buildSyncPlan } from "../../src/plan/build-sync-plan.js";
import { planIndexRebuild } from "../../src/plan/plan-index-rebuild.js";
import { renderDdl } from "../../src/ddl/render-ddl.js";
import { ALL_TABLES, catalog, col, fk, table } from "../harness/catalog-builders.js";

const props = (extra: Partial<IndexProperties> = {}): IndexProperties => ({
  clustered: false, replicaIdentity: false, valid: true, tablespace: null, statistics: [], hasDependents: false, ...extra,
});
const pk = (tableName: string, extra: Partial<IndexProperties> = {}, comment: string | null = null): Constraint => ({
  name: `${tableName}_pkey`, kind: "primary", definition: "PRIMARY KEY (id)", columns: ["id"], references: null, referencedColumns: [], deferrable: false, initiallyDeferred: false, comment, index: props(extra),
});
const index = (tableName: string, name: string, extra: Partial<IndexProperties> = {}, unique = false): Index => ({
  name, definition: `CREATE ${unique ? "UNIQUE " : ""}INDEX ${name} ON public.${tableName} USING btree (x)`, comment: null, properties: props(extra),
});

const id = col("id", "integer", { notNull: true });
const orgs = table("orgs", [id], { owned: true, constraints: [pk("orgs", {}, "the key")], indexes: [index("orgs", "orgs_x", { clustered: true, statistics: [{ column: 1, target: 500 }] })] });
const users = table("users", [id, col("x")], { owned: true, constraints: [pk("users", { replicaIdentity: true }), fk("users_x_fkey", "orgs")] });

describe("planIndexRebuild", () => {
  it("drops FKs, then keys, then indexes before the load; rebuilds keys and indexes, then FKs, then what the drop lost", () => {
    const rebuild = planIndexRebuild({ refreshed: [orgs.name, users.name], targetTables: [orgs, users], strategyDropped: [] });
    assert.deepEqual(rebuild.drop.map(renderDdl), [
      'ALTER TABLE "public"."users" DROP CONSTRAINT "users_x_fkey"',
      'ALTER TABLE "public"."orgs" DROP CONSTRAINT "orgs_pkey"',
      'ALTER TABLE "public"."users" DROP CONSTRAINT "users_pkey"',
      'DROP INDEX "public"."orgs_x"',
    ]);
    assert.deepEqual(rebuild.rebuild.map(renderDdl), [
      'ALTER TABLE "public"."orgs" ADD CONSTRAINT "orgs_pkey" PRIMARY KEY (id)',
      'ALTER TABLE "public"."users" ADD CONSTRAINT "users_pkey" PRIMARY KEY (id)',
      "CREATE INDEX orgs_x ON public.orgs USING btree (x)",
      'ALTER TABLE "public"."users" ADD CONSTRAINT "users_x_fkey" FOREIGN KEY (x) REFERENCES public.orgs(id)',
      `COMMENT ON CONSTRAINT "orgs_pkey" ON "public"."orgs" IS 'the key'`,
      'ALTER TABLE "public"."users" REPLICA IDENTITY USING INDEX "users_pkey"',
      'ALTER INDEX "public"."orgs_x" ALTER COLUMN 1 SET STATISTICS 500',
      'ALTER TABLE "public"."orgs" CLUSTER ON "orgs_x"',
    ]);
    assert.deepEqual(rebuild.paths.get(nameKey(orgs.name)), { kind: "rebuild", keys: 1, indexes: 1, foreignKeys: 0, kept: [] });
    assert.deepEqual(rebuild.paths.get(nameKey(users.name)), { kind: "rebuild", keys: 1, indexes: 0, foreignKeys: 1, kept: [] });
  });

  it("keeps a table the role does not own, a partitioned table, a partition and one with an index in another tablespace in place, with the reason", () => {
    const notOwned = table("a", [col("id")], { owned: false, constraints: [pk("a")] });
    const unknown = table("b", [col("id")], { constraints: [pk("b")] });
    const parted = table("c", [col("id")], { owned: true, partitioned: true, partitioning: { key: "RANGE (id)", parent: null, bound: null }, constraints: [pk("c")] });
    const partition = table("c_1", [col("id")], { owned: true, partitioning: { key: null, parent: qualifiedName("public", "c"), bound: "FOR VALUES FROM (1) TO (2)" } });
    const spaced = table("d", [col("id")], { owned: true, indexes: [index("d", "d_x", { tablespace: "fast" })] });
    const bare = table("e", [col("id")], { owned: true });
    const trigger = (enabled: "O" | "D") => ({ name: `check_${enabled}`, enabled, comment: null, definition: `CREATE CONSTRAINT TRIGGER check_${enabled} AFTER INSERT ON public.f DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.check()` });
    const deferredTrigger = table("f", [col("id")], { owned: true, constraints: [pk("f")], triggers: [trigger("O")] });
    const disabledTrigger = table("g", [col("id")], { owned: true, constraints: [pk("g")], triggers: [trigger("D")] });
    const all = [notOwned, unknown, parted, partition, spaced, bare, deferredTrigger, disabledTrigger];
    const rebuild = planIndexRebuild({ refreshed: all.map((t) => t.name), targetTables: all, strategyDropped: [] });
    assert.deepEqual(rebuild.drop.map(renderDdl), ['ALTER TABLE "public"."g" DROP CONSTRAINT "g_pkey"'], "only the table whose constraint trigger is disabled");
    const reasons = Object.fromEntries([...rebuild.paths].map(([k, p]) => [k.replace("\u0000", "."), p.kind === "in-place" ? p.reason : "rebuild"]));
    assert.deepEqual(reasons, {
      "public.a": "the target role does not own it (dropping and rebuilding indexes needs the owner)",
      "public.b": "the target role does not own it (dropping and rebuilding indexes needs the owner)",
      "public.c": "partitioned: its partitions' indexes hang on the parent's",
      "public.c_1": "a partition of public.c: its indexes hang on the parent's",
      "public.d": "index d_x lives in tablespace fast",
      "public.e": "no keys, indexes or foreign keys to rebuild",
      "public.f": "its deferred constraint trigger check_O leaves events pending until COMMIT, and ALTER TABLE refuses a table with pending events",
      "public.g": "rebuild",
    });
  });

  it("keeps a key another object depends on, an invalid index, and the keys an FK of a table the role does not own depends on", () => {
    const viewed = table("viewed", [col("id")], { owned: true, constraints: [pk("viewed", { hasDependents: true })], indexes: [index("viewed", "viewed_broken", { valid: false }), index("viewed", "viewed_x")] });
    const parent = table("parent", [col("id")], { owned: true, constraints: [pk("parent")], indexes: [index("parent", "parent_u", {}, true), index("parent", "parent_x")] });
    const foreign = table("foreign_child", [col("id"), col("x")], { owned: false, constraints: [fk("foreign_child_x_fkey", "parent")] });
    const all = [viewed, parent, foreign];
    const rebuild = planIndexRebuild({ refreshed: [viewed.name, parent.name], targetTables: all, strategyDropped: [] });
    assert.deepEqual(rebuild.drop.map(renderDdl), ['DROP INDEX "public"."viewed_x"', 'DROP INDEX "public"."parent_x"']);
    assert.deepEqual(rebuild.paths.get(nameKey(viewed.name)), {
      kind: "rebuild", keys: 0, indexes: 1, foreignKeys: 0, kept: ["viewed_pkey (another object depends on it)", "viewed_broken (invalid: left as it is)"],
    });
    const parentPath = rebuild.paths.get(nameKey(parent.name));
    assert.equal(parentPath?.kind, "rebuild");
    assert.deepEqual(parentPath?.kind === "rebuild" && parentPath.kept.map((k) => k.split(" (")[0]), ["parent_pkey", "parent_u"]);
    assert.match(parentPath?.kind === "rebuild" ? parentPath.kept[0]! : "", /foreign key foreign_child_x_fkey on public\.foreign_child depends on it and the target role does not own that table/);
  });

  it("drops an FK pointing at a rebuilt key from an owned (truncated) table once, and leaves cycle FKs to the load-order strategy", () => {
    const child = table("child", [col("id"), col("x")], { owned: true, constraints: [fk("child_x_fkey", "orgs"), fk("child_self_fkey", "child")] });
    const rebuild = planIndexRebuild({ refreshed: [orgs.name, child.name], targetTables: [orgs, child], strategyDropped: [{ table: child.name, name: "child_self_fkey", definition: "x" }] });
    const drops = rebuild.drop.map(renderDdl);
    assert.deepEqual(drops.filter((d) => d.includes("child_")), ['ALTER TABLE "public"."child" DROP CONSTRAINT "child_x_fkey"']);
  });

  it("is the refresh path of buildSyncPlan: drops before the load, rebuilds first after it; merges and created tables have no path", () => {
    const source = catalog([table("orgs", [id], { constraints: [pk("orgs")] }), table("users", [id, col("x")], { constraints: [pk("users"), fk("users_x_fkey", "orgs")] }), table("fresh", [id])]);
    const target = catalog([orgs, users]);
    const plan = buildSyncPlan({ source, target, selection: ALL_TABLES, cascade: false });
    const paths = Object.fromEntries(plan.actions.map((a) => [a.table.name, a.kind === "refresh" ? a.path?.kind : a.kind]));
    assert.deepEqual(paths, { orgs: "rebuild", users: "rebuild", fresh: "create" });
    assert.equal(renderDdl(plan.preData.at(-1)!), 'DROP INDEX "public"."orgs_x"');
    assert.equal(renderDdl(plan.postData[0]!), 'ALTER TABLE "public"."orgs" ADD CONSTRAINT "orgs_pkey" PRIMARY KEY (id)');
    const merged = buildSyncPlan({ source, target, selection: ALL_TABLES, cascade: false, mode: "upsert" });
    assert.deepEqual(merged.diagnostics.filter((d) => d.level === "error"), []);
    assert.ok(merged.actions.every((a) => a.kind !== "refresh" || a.path === undefined));
    assert.ok(!merged.preData.some((s) => s.kind === "drop-index" || s.kind === "drop-constraint"));
  });
});

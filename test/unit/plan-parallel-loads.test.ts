/** Which created tables may load as shadows (--jobs > 1), and what the run's transaction does with them. Pure. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EnumType } from "../../src/model/catalog.js";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { buildSyncPlan } from "../../src/plan/build-sync-plan.js";
import { planParallelLoads } from "../../src/plan/plan-parallel-loads.js";
import { renderDdl } from "../../src/ddl/render-ddl.js";
import { ALL_TABLES, catalog, col, fk, table } from "../harness/catalog-builders.js";

const pk = { name: "orgs_pkey", kind: "primary", definition: "PRIMARY KEY (id)", columns: ["id"], references: null, referencedColumns: [], deferrable: false, initiallyDeferred: false, comment: null } as const;
const mood: EnumType = { name: qualifiedName("public", "mood"), labels: ["ok"], comment: null };

describe("planParallelLoads", () => {
  const orgs = table("orgs", [col("id", "integer", { notNull: true, identity: "always" }), col("name", "text", { default: "'x'::text" })], {
    constraints: [pk],
    indexes: [{ name: "orgs_name", definition: "CREATE INDEX orgs_name ON public.orgs USING btree (name)", using: "USING btree (name)", comment: null }],
  });
  const users = table("users", [col("id"), col("x")], { constraints: [fk("users_x_fkey", "orgs")] });
  const moods = table("moods", [col("id"), col("m", "mood", { userType: qualifiedName("public", "mood") })]);
  const oldIndex = table("old_index", [col("id")], { indexes: [{ name: "o", definition: "CREATE INDEX o ON public.old_index USING btree (id)", comment: null }] });
  const parts = table("parts", [col("id")], { partitioned: true, partitioning: { key: "RANGE (id)", parent: null, bound: null } });
  const source = catalog([orgs, users, moods, oldIndex, parts], [], { enums: [mood] });
  const plan = buildSyncPlan({ source, target: catalog([]), selection: ALL_TABLES, cascade: false });
  const parallel = planParallelLoads(plan, "abcd1234");

  it("takes plain tables whose shadow needs nothing the run creates", () => {
    assert.deepEqual(parallel.loads.map((l) => l.table.name).sort(), ["orgs", "users"], "not the enum's table, an index without its USING part, or a partitioned table");
    assert.deepEqual(parallel.loadSchemas, ["pgferry_load_abcd1234_1"]);
  });

  it("builds the shadow without defaults or identity, then its keys and indexes, and attaches them in the run", () => {
    const load = parallel.loads.find((l) => l.table.name === "orgs")!;
    assert.match(renderDdl(load.create), /^CREATE TABLE "pgferry_load_abcd1234_1"\."orgs" \(\n {2}"id" integer NOT NULL,\n {2}"name" text\n\)$/);
    assert.deepEqual(load.build.map(renderDdl), [
      'ALTER TABLE "pgferry_load_abcd1234_1"."orgs" ADD CONSTRAINT "orgs_pkey" PRIMARY KEY (id)',
      'CREATE INDEX "orgs_name" ON "pgferry_load_abcd1234_1"."orgs" USING btree (name)',
    ]);
    assert.deepEqual(load.attach.map(renderDdl), [
      'ALTER TABLE "pgferry_load_abcd1234_1"."orgs" SET SCHEMA "public"',
      'ALTER TABLE "public"."orgs" ALTER COLUMN "id" ADD GENERATED ALWAYS AS IDENTITY',
      `ALTER TABLE "public"."orgs" ALTER COLUMN "name" SET DEFAULT 'x'::text`,
    ]);
  });

  it("leaves FKs in the run's post-data and removes what the shadows build", () => {
    const post = parallel.postData.map((s) => `${s.kind} ${"table" in s && typeof s.table === "object" && "name" in s.table ? s.table.name : ""}`);
    assert.ok(post.includes("add-constraint users"), "the FK is added by the run");
    assert.ok(!post.includes("add-constraint orgs") && !post.includes("create-index orgs"), post.join(", "));
    assert.ok(post.includes("create-index old_index"), "a table that loads in the run keeps its indexes in post-data");
    const created = parallel.preData.filter((s) => s.kind === "create-table").map((s) => (s.kind === "create-table" ? s.table.name.name : ""));
    assert.deepEqual(created.sort(), ["moods", "old_index", "parts"]);
  });
});

/** The properties planned for created tables, and their SQL, through buildSyncPlan. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderDdl } from "../../src/ddl/render-ddl.js";
import type { Policy, Table } from "../../src/model/catalog.js";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { buildSyncPlan } from "../../src/plan/build-sync-plan.js";
import { ALL_TABLES, catalog, col, table } from "../harness/catalog-builders.js";

const policy = (extra: Partial<Policy> = {}): Policy => ({
  name: "mine", permissive: true, command: "select", roles: ["app"], using: "(owner = CURRENT_USER)", withCheck: null, relations: [], comment: null, ...extra,
});
const only = (names: string[]) => ({ include: names, exclude: [], where: {} });
/** Diagnostics other than the drift note every created table gets. */
const notes = (plan: { diagnostics: readonly { level: string; message: string; drift?: boolean; table?: { name: string } | null }[] }) => plan.diagnostics.filter((d) => !d.drift);
const sql = (statements: readonly Parameters<typeof renderDdl>[0][]) => statements.map(renderDdl);

describe("planCreatedProperties through buildSyncPlan", () => {
  const vehicle = table("vehicle", [col("id"), col("maker", "text", { default: "'unknown'::text", notNull: true })]);
  const car = table("car", [col("id", "integer", { local: false }), col("maker", "text", { local: false, default: "'carmaker'::text", notNull: true }), col("doors", "integer", { local: true })], {
    inherits: [qualifiedName("public", "vehicle")],
  });

  it("creates INHERITS parents first, lists only the child's local columns, and sets what the child changed on inherited ones", () => {
    const plan = buildSyncPlan({ source: catalog([car, vehicle]), target: catalog([]), selection: ALL_TABLES, cascade: false });
    const statements = sql(plan.preData);
    assert.deepEqual(statements, [
      'CREATE TABLE "public"."vehicle" (\n  "id" integer,\n  "maker" text DEFAULT \'unknown\'::text NOT NULL\n)',
      'CREATE TABLE "public"."car" (\n  "doors" integer\n) INHERITS ("public"."vehicle")',
      'ALTER TABLE ONLY "public"."car" ALTER COLUMN "maker" SET DEFAULT \'carmaker\'::text',
    ]);
  });

  it("creates a child without INHERITS, with all its columns, when the parent will not exist (warning)", () => {
    const plan = buildSyncPlan({ source: catalog([car, vehicle]), target: catalog([]), selection: only(["car"]), cascade: false });
    assert.deepEqual(sql(plan.preData), ['CREATE TABLE "public"."car" (\n  "id" integer,\n  "maker" text DEFAULT \'carmaker\'::text NOT NULL,\n  "doors" integer\n)']);
    assert.deepEqual(notes(plan).map((d) => d.message), [
      "created without INHERITS (public.vehicle): public.vehicle neither selected nor on the target, so a query on the parent will not see this table's rows",
    ]);
  });

  const item: Table = table("item", [col("id", "integer", { statistics: 500 }), col("body", "text", { storage: "external", compression: "lz4" })], {
    indexes: [
      {
        name: "item_lower", definition: "CREATE INDEX item_lower ON public.item USING btree (lower(body))", comment: null,
        properties: { clustered: true, replicaIdentity: false, valid: true, tablespace: null, statistics: [{ column: 1, target: 300 }], hasDependents: false },
      },
    ],
    replicaIdentity: "full",
    rowSecurity: { enabled: true, forced: true },
    policies: [policy({ comment: "owners" }), policy({ name: "all rows", permissive: false, command: "all", roles: ["public"], using: "true", withCheck: "(id > 0)" })],
    rules: [{ name: "no_delete", definition: "CREATE RULE no_delete AS ON DELETE TO public.item DO INSTEAD NOTHING", enabled: "D", relations: [], comment: null }],
    statistics: [{ name: qualifiedName("stats", "item_stats"), definition: "CREATE STATISTICS stats.item_stats ON id, body FROM public.item", target: 700, comment: "correlated" }],
  });
  const source = catalog([item], [], { schemaComments: [{ schema: "stats", comment: "statistics live here" }] });

  it("sets column properties before the data, index properties after the indexes, and RLS, policies, rules and statistics last", () => {
    const plan = buildSyncPlan({ source, target: catalog([], [], { roles: ["app", "postgres"] }), selection: ALL_TABLES, cascade: false });
    assert.deepEqual(notes(plan), []);
    assert.deepEqual(sql(plan.preData).slice(0, 1), ['CREATE SCHEMA IF NOT EXISTS "stats"']);
    assert.deepEqual(sql(plan.preData).slice(2), [
      'ALTER TABLE ONLY "public"."item" ALTER COLUMN "id" SET STATISTICS 500',
      'ALTER TABLE ONLY "public"."item" ALTER COLUMN "body" SET STORAGE EXTERNAL',
      'ALTER TABLE ONLY "public"."item" ALTER COLUMN "body" SET COMPRESSION "lz4"',
    ]);
    assert.deepEqual(sql(plan.postData), [
      "CREATE INDEX item_lower ON public.item USING btree (lower(body))",
      'ALTER INDEX "public"."item_lower" ALTER COLUMN 1 SET STATISTICS 300',
      'ALTER TABLE "public"."item" CLUSTER ON "item_lower"',
      'ALTER TABLE ONLY "public"."item" REPLICA IDENTITY FULL',
      'ALTER TABLE "public"."item" ENABLE ROW LEVEL SECURITY',
      'ALTER TABLE "public"."item" FORCE ROW LEVEL SECURITY',
      'CREATE POLICY "mine" ON "public"."item" AS PERMISSIVE FOR SELECT TO "app" USING ((owner = CURRENT_USER))',
      'COMMENT ON POLICY "mine" ON "public"."item" IS \'owners\'',
      'CREATE POLICY "all rows" ON "public"."item" AS RESTRICTIVE FOR ALL TO PUBLIC USING (true) WITH CHECK ((id > 0))',
      "CREATE RULE no_delete AS ON DELETE TO public.item DO INSTEAD NOTHING",
      'ALTER TABLE "public"."item" DISABLE RULE "no_delete"',
      "CREATE STATISTICS stats.item_stats ON id, body FROM public.item",
      'ALTER STATISTICS "stats"."item_stats" SET STATISTICS 700',
      'COMMENT ON STATISTICS "stats"."item_stats" IS \'correlated\'',
      'COMMENT ON SCHEMA "stats" IS \'statistics live here\'',
    ]);
  });

  it("refuses a policy naming a role the target lacks, one line per policy", () => {
    const plan = buildSyncPlan({ source, target: catalog([], [], { roles: ["postgres"] }), selection: ALL_TABLES, cascade: false });
    assert.deepEqual(
      notes(plan).map((d) => `${d.level}: ${d.table?.name}: ${d.message}`),
      ['error: item: policy "mine" names role app, missing on the target: create it there, or leave the table out'],
    );
  });

  it("leaves out what an older target cannot take, and policies or rules reading tables that will not exist", () => {
    const reading = { ...item, policies: [policy({ relations: [qualifiedName("public", "elsewhere")] })], rules: [{ ...item.rules![0]!, relations: [qualifiedName("public", "log")] }] };
    const plan = buildSyncPlan({ source: catalog([reading]), target: catalog([], [], { serverVersion: 120000, serverVersionText: "12.22", roles: ["app"] }), selection: ALL_TABLES, cascade: false });
    assert.ok(!plan.preData.some((s) => s.kind === "column-property" && s.property.kind === "compression"));
    assert.ok(!plan.postData.some((s) => s.kind === "statistics-target" || s.kind === "create-policy" || s.kind === "create-rule"));
    assert.deepEqual(notes(plan).map((d) => `${d.level}: ${d.message}`), [
      "info: column compression not set: the target server (PostgreSQL 12.22) has no SET COMPRESSION (14+)",
      'warning: policy "mine" not created: it reads public.elsewhere, neither selected nor on the target',
      'warning: rule "no_delete" not created: it reads public.log, neither selected nor on the target',
      "info: statistics target of stats.item_stats not set: the target server has no ALTER STATISTICS … SET STATISTICS (13+)",
    ]);
  });
});

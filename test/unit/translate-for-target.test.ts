/** Issue 14 item 5: what a newer source spells in a way an older target does not take, translated in the plan. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderDdl } from "../../src/ddl/render-ddl.js";
import { buildSyncPlan } from "../../src/plan/build-sync-plan.js";
import { qualifyFunctionCall, withoutStorageParameter } from "../../src/plan/rewrite-sql-text.js";
import { ALL_TABLES, catalog, col, table } from "../harness/catalog-builders.js";

const at = (version: number, extra: Parameters<typeof catalog>[2] = {}) => ({ serverVersion: version * 10000, serverVersionText: String(version), ...extra });

describe("translation for an older target", () => {
  const events = table("events", [
    col("id", "uuid", { default: "gen_random_uuid()", notNull: true }),
    col("a", "integer"),
    col("doubled", "integer", { generated: "virtual", default: "(a * 2)" }),
  ], {
    indexes: [{ name: "events_a_idx", definition: "CREATE INDEX events_a_idx ON public.events USING btree (a) WITH (fillfactor='80', deduplicate_items=off)", comment: null }],
  });
  const source = catalog([events], [], at(18));

  it("creates a VIRTUAL generated column STORED on 15, with a warning naming it", () => {
    const plan = buildSyncPlan({ source, target: catalog([], [], at(15)), selection: ALL_TABLES, cascade: false });
    const create = plan.preData.find((s) => s.kind === "create-table")!;
    assert.match(renderDdl(create), /"doubled" integer GENERATED ALWAYS AS \(\(a \* 2\)\) STORED/);
    assert.match(renderDdl(create), /"id" uuid DEFAULT gen_random_uuid\(\) NOT NULL/, "15 has gen_random_uuid() in core");
    const warnings = plan.diagnostics.filter((d) => d.level === "warning").map((d) => `${d.table?.name}: ${d.message}`);
    assert.deepEqual(warnings, ['events: column "doubled": VIRTUAL generated columns need PostgreSQL 18, so it is created STORED on PostgreSQL 15 (same values, computed on write)']);
    assert.equal(plan.preData.some((s) => s.kind === "create-extension"), false);
  });

  it("keeps VIRTUAL on 18 and translates nothing", () => {
    const plan = buildSyncPlan({ source, target: catalog([], [], at(18)), selection: ALL_TABLES, cascade: false });
    const sql = plan.preData.map(renderDdl).join("\n") + plan.postData.map(renderDdl).join("\n");
    assert.match(sql, /VIRTUAL/);
    assert.match(sql, /deduplicate_items=off/);
    assert.equal(plan.diagnostics.some((d) => d.level === "warning"), false);
  });

  it("on 12: pgcrypto's gen_random_uuid() (the extension planned first), no deduplicate_items", () => {
    const plan = buildSyncPlan({ source, target: catalog([], [], at(12, { availableExtensions: ["pgcrypto"] })), selection: ALL_TABLES, cascade: false });
    assert.deepEqual(plan.preData.map((s) => s.kind), ["create-extension", "create-table"]);
    assert.equal(renderDdl(plan.preData[0]!), 'CREATE EXTENSION IF NOT EXISTS "pgcrypto" WITH SCHEMA "public"');
    assert.match(renderDdl(plan.preData[1]!), /"id" uuid DEFAULT "public"\.gen_random_uuid\(\) NOT NULL/);
    const post = plan.postData.map(renderDdl);
    assert.ok(post.includes("CREATE INDEX events_a_idx ON public.events USING btree (a) WITH (fillfactor='80')"), post.join("\n"));
    assert.equal(plan.diagnostics.filter((d) => d.level === "warning").length, 3);
    assert.equal(plan.diagnostics.some((d) => d.level === "error"), false);
  });

  it("on 12 with pgcrypto already installed in another schema: calls it there, creates nothing", () => {
    const target = catalog([], [], at(12, { extensions: [{ name: "pgcrypto", schema: "ext" }], availableExtensions: ["pgcrypto"], schemas: ["public", "ext"] }));
    const plan = buildSyncPlan({ source, target, selection: ALL_TABLES, cascade: false });
    assert.deepEqual(plan.preData.map((s) => s.kind), ["create-table"]);
    assert.match(renderDdl(plan.preData[0]!), /DEFAULT "ext"\.gen_random_uuid\(\)/);
  });

  it("on 12 without pgcrypto: refused with one line naming the table", () => {
    const plan = buildSyncPlan({ source, target: catalog([], [], at(12)), selection: ALL_TABLES, cascade: false });
    const errors = plan.diagnostics.filter((d) => d.level === "error").map((d) => `${d.table?.name}: ${d.message}`);
    assert.deepEqual(errors, ["events: needs extension pgcrypto, which the target server does not have (install its package there, or leave the table out)"]);
  });

  it("notes only what the plan creates: an existing table's columns are not translated into warnings", () => {
    const plan = buildSyncPlan({ source, target: catalog([events], [], at(15)), selection: ALL_TABLES, cascade: false });
    assert.equal(plan.diagnostics.some((d) => d.level === "warning"), false);
  });
});

describe("rewrites of server-deparsed text", () => {
  it("qualifies calls, never text inside literals or quoted names", () => {
    assert.equal(qualifyFunctionCall("gen_random_uuid()", "gen_random_uuid", '"public"'), '"public".gen_random_uuid()');
    assert.equal(qualifyFunctionCall("pg_catalog.gen_random_uuid()", "gen_random_uuid", '"x"'), '"x".gen_random_uuid()');
    assert.equal(qualifyFunctionCall("(gen_random_uuid())::text || 'gen_random_uuid()'", "gen_random_uuid", "s"), "(s.gen_random_uuid())::text || 'gen_random_uuid()'");
    assert.equal(qualifyFunctionCall("E'it''s \\' gen_random_uuid()' || my_gen_random_uuid()", "gen_random_uuid", "s"), null);
    assert.equal(qualifyFunctionCall('other.gen_random_uuid() || "gen_random_uuid"()', "gen_random_uuid", "s"), null);
  });

  it("leaves one storage parameter out of WITH (…), and the clause when it was alone", () => {
    assert.equal(withoutStorageParameter("UNIQUE (a) WITH (deduplicate_items='off')", "deduplicate_items"), "UNIQUE (a)");
    assert.equal(
      withoutStorageParameter("CREATE INDEX i ON t USING btree (a) WITH (deduplicate_items=off, fillfactor='70') WHERE (b = ' WITH (x)')", "deduplicate_items"),
      "CREATE INDEX i ON t USING btree (a) WITH (fillfactor='70') WHERE (b = ' WITH (x)')",
    );
    assert.equal(withoutStorageParameter("CREATE INDEX i ON t USING btree (a) WHERE (b = ' WITH (deduplicate_items=off)')", "deduplicate_items"), null);
  });
});

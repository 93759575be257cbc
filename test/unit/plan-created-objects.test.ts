/** What is created around missing tables: views in dependency order, functions, extensions, triggers after the data. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FunctionDef, View } from "../../src/model/catalog.js";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { buildSyncPlan } from "../../src/plan/build-sync-plan.js";
import { ALL_TABLES, catalog, col, table } from "../harness/catalog-builders.js";

const view = (name: string, relations: string[], extra: Partial<View> = {}): View => ({
  name: qualifiedName("public", name), materialized: false, definition: " SELECT 1;", options: [], populated: true,
  relations: relations.map((r) => qualifiedName("public", r)), functions: [], indexes: [], comment: null, ...extra,
});
const fn = (name: string, definition: string | null = `CREATE OR REPLACE FUNCTION public.${name}() …`): FunctionDef => ({
  key: `public.${name}()`, name: qualifiedName("public", name), identityArguments: "", kind: definition ? "f" : "a", definition, comment: null,
});
const kinds = (statements: readonly { kind: string }[]) => statements.map((s) => s.kind);

describe("planCreatedObjects through buildSyncPlan", () => {
  const films = table("film", [col("id")], {
    functions: ["public.touch()"],
    triggers: [{ name: "touch", definition: "CREATE TRIGGER touch …", enabled: "D", comment: "keeps it fresh" }],
    extensions: ["pg_trgm"],
    comment: "films",
  });
  const source = catalog([films, table("actor", [col("id")])], [], {
    functions: [fn("touch"), fn("unused"), fn("total", null)],
    views: [
      view("on_view", ["film_view"]),
      view("film_view", ["film"], { functions: ["public.total()"] }),
      view("sales", ["film"], { materialized: true, indexes: [{ name: "sales_idx", definition: "CREATE INDEX sales_idx …", comment: null }] }),
      view("mixed", ["film", "elsewhere"]),
    ],
    extensions: [{ name: "pg_trgm", schema: "extensions" }],
  });

  it("orders views after what they read, refreshes materialized views, and adds triggers last", () => {
    const plan = buildSyncPlan({ source, target: catalog([table("actor", [col("id")])], [], { availableExtensions: ["pg_trgm"] }), selection: ALL_TABLES, cascade: false });
    assert.deepEqual(kinds(plan.preData), ["create-schema", "create-extension", "create-function", "create-table"]);
    assert.deepEqual(
      plan.postData.map((s) => (s.kind === "create-view" ? `view ${s.view.name.name}` : s.kind === "comment" ? `comment ${s.on.kind}` : s.kind)),
      ["view film_view", "view sales", "view on_view", "create-index", "refresh-materialized-view", "create-trigger", "comment table", "comment trigger"],
    );
    const messages = plan.diagnostics.map((d) => `${d.level}: ${d.table?.name}: ${d.message}`);
    assert.ok(messages.includes("warning: mixed: view not created: it also reads public.elsewhere, which this run does not create"), messages.join("\n"));
    assert.ok(messages.includes("warning: film_view: function public.total() is an aggregate or window function: not created by pgferry (create it on the target first)"), messages.join("\n"));
    assert.ok(!plan.preData.some((s) => s.kind === "create-function" && s.function.name.name === "unused"), "functions nothing uses are left out");
  });

  it("refuses a table whose extension the target cannot create, and skips what the target has", () => {
    const refused = buildSyncPlan({ source, target: catalog([]), selection: { include: ["film"], exclude: [], where: {} }, cascade: false });
    assert.deepEqual(
      refused.diagnostics.filter((d) => d.level === "error").map((d) => d.message),
      ["needs extension pg_trgm, which the target server does not have (install its package there, or leave the table out)"],
    );
    const ready = buildSyncPlan({
      source,
      target: catalog([], [], { extensions: [{ name: "pg_trgm", schema: "public" }], functions: [fn("touch")], views: [view("film_view", ["film"])] }),
      selection: { include: ["film"], exclude: [], where: {} },
      cascade: false,
    });
    assert.deepEqual(kinds(ready.preData), ["create-table"]);
    assert.deepEqual(ready.postData.filter((s) => s.kind === "create-view").map((s) => (s.kind === "create-view" ? s.view.name.name : "")), ["sales"]);
    assert.ok(
      ready.diagnostics.some((d) => d.table?.name === "on_view" && d.message === "view not created: it also reads public.film_view, which this run does not create"),
      "a view over one the target already has is reported, not guessed",
    );
  });
});

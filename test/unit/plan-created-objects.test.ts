/** What is created around missing tables: views in dependency order, functions, extensions, triggers after the data. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderDdl } from "../../src/ddl/render-ddl.js";
import { renderCreateAggregate } from "../../src/ddl/render-objects.js";
import type { Aggregate, FunctionDef, View } from "../../src/model/catalog.js";
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
  // "ignored" is left out, so the schema is not synced whole: only what the tables need is created.
  const source = catalog([films, table("actor", [col("id")]), table("ignored", [col("id")])], [], {
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
    const selection = { include: [], exclude: ["public.ignored"], where: {} };
    const plan = buildSyncPlan({ source, target: catalog([table("actor", [col("id")])], [], { availableExtensions: ["pg_trgm"] }), selection, cascade: false });
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

  it("refuses a column type only C can make (a base type, a range with a canonical function), before anything is written", () => {
    const range = { name: qualifiedName("public", "dayrange"), subtype: "date", subtypeUserType: null, opclass: null, collation: null, canonical: "public.day_canonical(public.dayrange)", subtypeDiff: null, multirange: null, comment: null };
    const uses = (type: string) => col(type, `public.${type}`, { userType: qualifiedName("public", type) });
    const plan = buildSyncPlan({ source: catalog([table("slot", [uses("dayrange"), uses("money2")])], [], { ranges: [range] }), target: catalog([]), selection: ALL_TABLES, cascade: false });
    assert.deepEqual(plan.diagnostics.filter((d) => d.level === "error").map((d) => d.message), [
      "type public.dayrange is missing on the target and pgferry cannot create it (its canonical function public.day_canonical(public.dayrange) is written in C): create it there first",
      "type public.money2 is missing on the target and pgferry cannot create it (a base type, written in C): create it there first",
    ]);
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

describe("user-defined aggregates", () => {
  const aggregate = (name: string, extra: Partial<Aggregate> = {}): Aggregate => ({
    arguments: "text", aggKind: "n", transition: qualifiedName("public", `${name}_step`), stateType: "text", stateSpace: 0, initialValue: null,
    final: null, finalExtra: false, finalModify: "r", combine: null, serial: null, deserial: null,
    movingTransition: null, movingInverse: null, movingStateType: null, movingStateSpace: 0, movingInitialValue: null,
    movingFinal: null, movingFinalExtra: false, movingFinalModify: "r", sortOperator: null, parallel: "u",
    functions: [`public.${name}_step(text, text)`], extensions: [], ...extra,
  });
  const agg = (name: string, extra: Partial<Aggregate> = {}): FunctionDef => ({
    key: `public.${name}(text)`, name: qualifiedName("public", name), identityArguments: "text", kind: "a", definition: null, comment: "joined", aggregate: aggregate(name, extra),
  });
  const step = (name: string): FunctionDef => ({ ...fn(`${name}_step`), key: `public.${name}_step(text, text)`, identityArguments: "text, text" });

  it("creates an aggregate a view uses after its support functions, and the extension of an extension's support function", () => {
    const source = catalog([table("film", [col("id")])], [], {
      functions: [agg("group_concat"), step("group_concat"), agg("similar_words", { functions: [], extensions: ["pg_trgm"] })],
      views: [view("titles", ["film"], { functions: ["public.group_concat(text)", "public.similar_words(text)"] })],
      extensions: [{ name: "pg_trgm", schema: "public" }],
    });
    const plan = buildSyncPlan({ source, target: catalog([], [], { availableExtensions: ["pg_trgm"] }), selection: ALL_TABLES, cascade: false });
    assert.deepEqual(
      plan.preData.map((s) => (s.kind === "create-function" || s.kind === "create-aggregate" ? `${s.kind} ${s.function.name.name}` : s.kind)),
      ["create-extension", "create-function group_concat_step", "create-aggregate group_concat", "create-aggregate similar_words", "create-table"],
    );
    assert.deepEqual(plan.diagnostics.filter((d) => d.level !== "info"), []);
    const comments = plan.postData.flatMap((s) => (s.kind === "comment" ? [renderDdl(s)] : []));
    assert.ok(comments.includes(`COMMENT ON AGGREGATE "public"."group_concat"(text) IS 'joined'`), comments.join("\n"));
  });
});

describe("renderCreateAggregate", () => {
  const base: Aggregate = {
    arguments: "text", aggKind: "n", transition: qualifiedName("public", "concat_step"), stateType: "text", stateSpace: 0, initialValue: null,
    final: null, finalExtra: false, finalModify: "r", combine: null, serial: null, deserial: null,
    movingTransition: null, movingInverse: null, movingStateType: null, movingStateSpace: 0, movingInitialValue: null,
    movingFinal: null, movingFinalExtra: false, movingFinalModify: "r", sortOperator: null, parallel: "u", functions: [], extensions: [],
  };
  const def = (name: string): FunctionDef => ({ key: "", name: qualifiedName("Reporting Ünit", name), identityArguments: "", kind: "a", definition: null, comment: null });

  it("writes SFUNC and STYPE, and only the options that differ from the defaults", () => {
    assert.equal(renderCreateAggregate(def("group_concat"), base), `CREATE AGGREGATE "Reporting Ünit"."group_concat"(text) (\n    SFUNC = "public"."concat_step",\n    STYPE = text\n)`);
  });

  it("writes every option of a moving, parallel, combinable aggregate with a final function and a sort operator", () => {
    const full: Aggregate = {
      ...base, arguments: "", stateType: "bigint[]", stateSpace: 16, initialValue: "{0,0}", final: qualifiedName("public", "avg's end"), finalExtra: true, finalModify: "s",
      combine: qualifiedName("public", "comb"), serial: qualifiedName("public", "ser"), deserial: qualifiedName("public", "deser"),
      movingTransition: qualifiedName("public", "mstep"), movingInverse: qualifiedName("public", "minv"), movingStateType: "internal", movingStateSpace: 8,
      movingInitialValue: "it's", movingFinal: qualifiedName("public", "mfin"), movingFinalExtra: true, movingFinalModify: "w",
      sortOperator: qualifiedName("pg_catalog", "<"), parallel: "s",
    };
    assert.equal(
      renderCreateAggregate(def("Count"), full),
      [
        `CREATE AGGREGATE "Reporting Ünit"."Count"(*) (`,
        `    SFUNC = "public"."concat_step",\n    STYPE = bigint[],\n    SSPACE = 16,\n    INITCOND = '{0,0}',`,
        `    FINALFUNC = "public"."avg's end",\n    FINALFUNC_EXTRA,\n    FINALFUNC_MODIFY = SHAREABLE,`,
        `    COMBINEFUNC = "public"."comb",\n    SERIALFUNC = "public"."ser",\n    DESERIALFUNC = "public"."deser",`,
        `    MSFUNC = "public"."mstep",\n    MINVFUNC = "public"."minv",\n    MSTYPE = internal,\n    MSSPACE = 8,\n    MINITCOND = 'it''s',`,
        `    MFINALFUNC = "public"."mfin",\n    MFINALFUNC_EXTRA,\n    MFINALFUNC_MODIFY = READ_WRITE,`,
        `    SORTOP = OPERATOR("pg_catalog".<),\n    PARALLEL = SAFE\n)`,
      ].join("\n"),
    );
  });

  it("writes an ordered-set signature as the server gives it, HYPOTHETICAL, and read-write as the ordered-set default", () => {
    const hypothetical: Aggregate = { ...base, aggKind: "h", arguments: 'VARIADIC "any" ORDER BY VARIADIC "any"', stateType: "internal", final: qualifiedName("public", "fin"), finalModify: "w" };
    assert.equal(
      renderCreateAggregate(def("rank_of"), hypothetical),
      `CREATE AGGREGATE "Reporting Ünit"."rank_of"(VARIADIC "any" ORDER BY VARIADIC "any") (\n    SFUNC = "public"."concat_step",\n    STYPE = internal,\n    FINALFUNC = "public"."fin",\n    HYPOTHETICAL\n)`,
    );
  });

  it("refuses a sort operator that is not an operator symbol", () => {
    assert.throws(() => renderCreateAggregate(def("x"), { ...base, sortOperator: qualifiedName("public", "<); DROP TABLE t; --") }), /not an operator name/);
  });
});

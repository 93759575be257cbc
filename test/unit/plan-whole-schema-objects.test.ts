/** A whole-database (or whole-schema) sync creates every object the target lacks; a partial one only what its tables need. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Aggregate, Catalog, FunctionDef, Sequence, View } from "../../src/model/catalog.js";
import type { DdlStatement } from "../../src/model/ddl-statement.js";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { buildSyncPlan } from "../../src/plan/build-sync-plan.js";
import { diffCatalogs } from "../../src/plan/diff-catalogs.js";
import { diffWholeSchemas } from "../../src/plan/diff-scope.js";
import { matchesPattern, parseTablePattern } from "../../src/plan/table-pattern.js";
import { ALL_TABLES, catalog, col, table } from "../harness/catalog-builders.js";

const q = (name: string) => qualifiedName("public", name);
const view = (name: string, relations: string[], extra: Partial<View> = {}): View => ({
  name: q(name), materialized: false, definition: " SELECT 1;", options: [], populated: true,
  relations: relations.map(q), functions: [], indexes: [], comment: null, ...extra,
});
const fn = (name: string, extra: Partial<FunctionDef> = {}): FunctionDef => ({
  key: `public.${name}()`, name: q(name), identityArguments: "", kind: "f", definition: `CREATE OR REPLACE FUNCTION public.${name}() …`, comment: null, ...extra,
});
const sequence = (name: string, extra: Partial<Sequence> = {}): Sequence => ({
  name: q(name), dataType: "bigint", start: "1", increment: "1", min: "1", max: "9223372036854775807", cache: "1", cycle: false,
  lastValue: "41", readable: true, ownedBy: null, identity: false, comment: null, ...extra,
});
const aggregate = { arguments: "text", aggKind: "n", transition: q("step"), stateType: "text", functions: ["public.step()"], extensions: [] } as unknown as Aggregate;

const film = table("film", [col("id")]);
const source: Catalog = catalog([film, table("actor", [col("id")])], [sequence("receipts"), sequence("actor_id_seq", { ownedBy: { table: q("actor"), column: "id" } })], {
  functions: [fn("unused"), fn("proc", { kind: "p" }), fn("step"), fn("joined", { kind: "a", definition: null, aggregate }), fn("film_rows", { relations: [q("film")] })],
  enums: [{ name: q("mood"), labels: ["ok"], comment: null }],
  domains: [{ name: q("year"), baseType: "integer", baseUserType: null, notNull: false, default: null, collation: null, checks: [], comment: "a year" }],
  views: [view("over_actor", ["actor"]), view("pivot", [], { extensions: ["tablefunc"] }), view("on_views", ["over_actor", "pivot"])],
  extensions: [{ name: "plpgsql", schema: "pg_catalog" }, { name: "citext", schema: "public" }, { name: "tablefunc", schema: "public" }],
});
const target = catalog([table("actor", [col("id")])], [sequence("actor_id_seq", { ownedBy: { table: q("actor"), column: "id" } })], {
  availableExtensions: ["citext", "tablefunc"],
});
const label = (s: DdlStatement) =>
  s.kind === "create-function" || s.kind === "create-aggregate" ? `${s.kind} ${s.function.name.name}`
  : s.kind === "create-view" ? `view ${s.view.name.name}`
  : s.kind === "create-extension" ? `extension ${s.name}`
  : s.kind === "create-sequence" ? `sequence ${s.sequence.name.name}`
  : s.kind === "create-enum" || s.kind === "create-domain" ? `${s.kind} ${s.type.name.name}`
  : s.kind === "create-table" ? `table ${s.table.name.name}`
  : s.kind;

describe("whole-database sync", () => {
  it("creates every missing function, procedure, aggregate, type, sequence, extension and view, in pg_restore's order", () => {
    const plan = buildSyncPlan({ source, target, selection: ALL_TABLES, cascade: false });
    assert.deepEqual(plan.diagnostics.filter((d) => d.level !== "info"), []);
    assert.deepEqual(plan.preData.map(label), [
      "extension citext", "extension tablefunc", "create-enum mood", "create-domain year",
      "create-function unused", "create-function proc", "create-function step", "create-aggregate joined",
      "sequence receipts", "table film",
      // RETURNS SETOF film: only once the table exists.
      "create-function film_rows",
    ]);
    assert.deepEqual(plan.postData.map(label), ["view over_actor", "view pivot", "view on_views", "comment"]);
    assert.deepEqual(plan.sequenceResets.map((r) => `${r.sequence.name}=${r.value}`).sort(), ["receipts=41"]);
  });

  it("refuses, in one line, an extension the target server lacks", () => {
    const plan = buildSyncPlan({ source, target: { ...target, availableExtensions: ["citext"] }, selection: ALL_TABLES, cascade: false });
    assert.deepEqual(plan.diagnostics.filter((d) => d.level === "error").map((d) => `${d.table?.name}: ${d.message}`), [
      "pivot: needs extension tablefunc, which the target server does not have (install its package there, or leave the table out)",
    ], "one line for the extension, naming its first user");
  });

  it("does not create a view over a target table whose columns differ, and says why", () => {
    const drifted = { ...target, tables: [table("actor", [col("id", "text")])] };
    const plan = buildSyncPlan({ source, target: drifted, selection: ALL_TABLES, cascade: false });
    assert.deepEqual(plan.postData.map(label), ["view pivot", "comment"]);
    assert.deepEqual(plan.diagnostics.filter((d) => d.message.includes("view not created")).map((d) => `${d.table?.name}: ${d.message}`), [
      "over_actor: view not created: it reads public.actor, whose columns differ on the target (see pgferry diff)",
      "on_views: view not created: it also reads public.over_actor, which this run does not create",
    ]);
  });

  it("plans nothing once the target has it all", () => {
    const plan = buildSyncPlan({ source, target: { ...source, availableExtensions: ["citext", "tablefunc"] }, selection: ALL_TABLES, cascade: false });
    assert.deepEqual([...plan.preData, ...plan.postData].map(label), []);
  });

  it("a partial selection creates only what its tables need, and names the view whose tables it cannot see", () => {
    const plan = buildSyncPlan({ source, target, selection: { include: ["film"], exclude: [], where: {} }, cascade: false });
    assert.deepEqual([...plan.preData, ...plan.postData].map(label), ["table film"]);
    assert.deepEqual(plan.diagnostics.filter((d) => d.level !== "info").map((d) => `${d.table?.name}: ${d.message}`), [
      "pivot: view not created: it reads no table pg_depend can see (an extension's function such as crosstab may read them from a string), and only a sync of its whole schema creates such a view",
    ]);
  });
});

describe("diff of a selection", () => {
  const target2 = catalog([film, table("actor", [col("id")])], source.sequences.filter((s) => s.ownedBy), {});
  const diff = (include: string[], exclude: string[]) => {
    const [inc, exc] = [include.map(parseTablePattern), exclude.map(parseTablePattern)];
    const filter = (name: ReturnType<typeof q>) => (inc.length === 0 || inc.some((p) => matchesPattern(p, name))) && !exc.some((p) => matchesPattern(p, name));
    return diffCatalogs(source, target2, filter, diffWholeSchemas(source, target2, filter, inc.length > 0)).map((i) => `${i.kind} ${i.owner.name}`);
  };
  it("compares every object of a schema synced whole", () => {
    assert.deepEqual(diff(["public.*"], []).sort(), [
      "domain year", "enum mood", "extension tablefunc", "function film_rows", "function joined", "function proc", "function step", "function unused",
      "sequence receipts", "view on_views", "view over_actor", "view pivot",
    ]);
  });
  it("compares only what the chosen tables need in a partial selection", () => {
    assert.deepEqual(diff(["actor"], []), ["view over_actor"]);
  });
});

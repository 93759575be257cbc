/** diff-catalogs reports each property of issue 14 item 6 that differs, and nothing when they agree. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Catalog, ExtendedStatistics, IndexProperties, Policy, Rule, Table } from "../../src/model/catalog.js";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { diffCatalogs } from "../../src/plan/diff-catalogs.js";
import { catalog, col, table } from "../harness/catalog-builders.js";

const props = (extra: Partial<IndexProperties> = {}): IndexProperties => ({
  clustered: false, replicaIdentity: false, valid: true, tablespace: null, statistics: [], hasDependents: false, ...extra,
});
const policy = (extra: Partial<Policy> = {}): Policy => ({
  name: "mine", permissive: true, command: "all", roles: ["public"], using: "(owner = CURRENT_USER)", withCheck: null, relations: [], comment: null, ...extra,
});
const rule = (extra: Partial<Rule> = {}): Rule => ({ name: "log_delete", definition: "CREATE RULE log_delete AS ON DELETE TO public.t DO NOTHING", enabled: "O", relations: [], comment: null, ...extra });
const stats = (extra: Partial<ExtendedStatistics> = {}): ExtendedStatistics => ({
  name: qualifiedName("public", "t_stats"), definition: "CREATE STATISTICS public.t_stats ON a, b FROM public.t", target: null, comment: null, ...extra,
});
const base = (extra: Partial<Table> = {}): Table =>
  table("t", [col("a"), col("b", "text")], {
    indexes: [{ name: "t_a", definition: "CREATE INDEX t_a ON public.t USING btree (a)", comment: null, properties: props() }],
    inherits: [], replicaIdentity: "default", rowSecurity: { enabled: false, forced: false }, policies: [], rules: [], statistics: [], ...extra,
  });
const lines = (source: Catalog, target: Catalog) => diffCatalogs(source, target).map((i) => `${i.kind} ${i.name ?? i.owner.name}: ${i.change} ${i.details.join("; ")}`.trim());
const diffOf = (source: Partial<Table>, target: Partial<Table>) => lines(catalog([base(source)]), catalog([base(target)]));

describe("diffCatalogs: properties of tables, columns, indexes and schemas", () => {
  it("reports nothing when every property agrees", () => {
    const full = { policies: [policy()], rules: [rule()], statistics: [stats({ target: 500 })], rowSecurity: { enabled: true, forced: true }, inherits: [qualifiedName("public", "p")] };
    assert.deepEqual(diffOf(full, full), []);
  });

  it("column statistics target, storage and compression", () => {
    const columns = (statistics: number | null, storage: "external" | null, compression: string | null) => ({ columns: [col("a", "integer", { statistics, storage, compression }), col("b", "text")] });
    assert.deepEqual(diffOf(columns(500, "external", "lz4"), columns(null, null, null)), ["column a: differs statistics: 500 → default; storage: external → the type's; compression: lz4 → default"]);
  });

  it("CLUSTER ON, REPLICA IDENTITY USING INDEX and index statistics", () => {
    const index = (p: Partial<IndexProperties>) => ({ indexes: [{ name: "t_a", definition: "CREATE INDEX t_a ON public.t USING btree (a)", comment: null, properties: props(p) }] });
    assert.deepEqual(diffOf(index({ clustered: true, replicaIdentity: true, statistics: [{ column: 1, target: 300 }] }), index({})), [
      "index t_a: differs clustered: true → false; replica identity: true → false; statistics: column 1 300 → default",
    ]);
    const key = (p: Partial<IndexProperties>) => ({
      constraints: [{ name: "t_pkey", kind: "primary" as const, definition: "PRIMARY KEY (a)", columns: ["a"], references: null, referencedColumns: [], deferrable: false, initiallyDeferred: false, comment: null, index: props(p) }],
    });
    assert.deepEqual(diffOf(key({ clustered: true }), key({})), ["constraint t_pkey: differs clustered: true → false"]);
  });

  it("replica identity, INHERITS parents and row-level security of the table", () => {
    assert.deepEqual(diffOf({ replicaIdentity: "full" }, {}), ["table t: differs replica identity: full → default"]);
    assert.deepEqual(diffOf({ inherits: [qualifiedName("public", "p"), qualifiedName("public", "q")] }, { inherits: [qualifiedName("public", "p")] }), [
      "table t: differs inherits: public.p, public.q → public.p",
    ]);
    assert.deepEqual(diffOf({ rowSecurity: { enabled: true, forced: true } }, {}), ["table t: differs row level security: enabled, forced → disabled"]);
  });

  it("policies: on one side, or different roles, command, kind and expressions", () => {
    assert.deepEqual(diffOf({ policies: [policy()] }, {}), ["policy mine: only-source"]);
    assert.deepEqual(diffOf({}, { policies: [policy()] }), ["policy mine: only-target"]);
    assert.deepEqual(diffOf({ policies: [policy()] }, { policies: [policy({ permissive: false, command: "select", roles: ["app"], using: "true", withCheck: "false" })] }), [
      "policy mine: differs as: permissive → restrictive; for: all → select; to: public → app; using: (owner = CURRENT_USER) → true; with check: none → false",
    ]);
    assert.deepEqual(diffOf({ policies: [policy({ roles: ["b", "a"] })] }, { policies: [policy({ roles: ["a", "b"] })] }), [], "role order does not matter");
  });

  it("rules and extended statistics", () => {
    assert.deepEqual(diffOf({ rules: [rule()] }, {}), ["rule log_delete: only-source"]);
    assert.deepEqual(diffOf({ rules: [rule({ enabled: "D" })] }, { rules: [rule({ definition: "CREATE RULE log_delete AS ON DELETE TO public.t DO INSTEAD NOTHING" })] }), [
      "rule log_delete: differs definition: CREATE RULE log_delete AS ON DELETE TO public.t DO NOTHING → CREATE RULE log_delete AS ON DELETE TO public.t DO INSTEAD NOTHING; enabled: D → O",
    ]);
    assert.deepEqual(diffOf({ statistics: [stats()] }, {}), ["statistics public.t_stats: only-source"]);
    assert.deepEqual(diffOf({ statistics: [stats({ target: 700 })] }, { statistics: [stats()] }), ["statistics public.t_stats: differs statistics: 700 → default"]);
  });

  it("expressions are compared only within one major version", () => {
    const source = catalog([base({ policies: [policy()], rules: [rule()] })]);
    const target = catalog([base({ policies: [policy({ using: "(owner = CURRENT_USER::text)" })], rules: [rule({ definition: "CREATE RULE log_delete AS\n ON DELETE TO public.t DO NOTHING" })] })], [], { serverVersion: 150000 });
    assert.deepEqual(lines(source, target), []);
  });

  it("schema comments of schemas on both sides", () => {
    const source = catalog([], [], { schemas: ["public", "app"], schemaComments: [{ schema: "app", comment: "the app" }] });
    assert.deepEqual(lines(source, catalog([], [], { schemas: ["public", "app"], schemaComments: [] })), ["schema app: differs comment: the app → none"]);
    assert.deepEqual(lines(source, catalog([], [], { schemas: ["public", "app"], schemaComments: [{ schema: "app", comment: "the app" }] })), []);
  });

  it("does not compare what an older manifest does not know", () => {
    const old = table("t", [col("a"), col("b", "text")], {
      indexes: [{ name: "t_a", definition: "CREATE INDEX t_a ON public.t USING btree (a)", comment: null }],
    });
    assert.deepEqual(lines(catalog([base({ policies: [policy()], replicaIdentity: "full" })]), catalog([old])), []);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { qualifiedName, type QualifiedName } from "../../src/model/qualified-name.js";
import { orderByForeignKeys, type FkEdge } from "../../src/plan/fk-graph.js";

const t = (name: string) => qualifiedName("public", name);
const edge = (child: string, parent: string, opts: Partial<FkEdge> = {}): FkEdge => ({
  child: t(child),
  parent: t(parent),
  constraint: `${child}_${parent}_fk`,
  enforced: true,
  deferrable: false,
  ...opts,
});
const names = (list: readonly QualifiedName[]) => list.map((q) => q.name);

describe("FK load order", () => {
  it("puts parents before children, ties by name", () => {
    const result = orderByForeignKeys([t("orders"), t("users"), t("items"), t("orgs")], [edge("orders", "users"), edge("users", "orgs"), edge("items", "orders")]);
    assert.deepEqual(names(result.order), ["orgs", "users", "orders", "items"]);
    assert.equal(result.brokenEdges.length, 0);
    assert.equal(result.cycles.length, 0);
  });
  it("needs nothing for a self-reference", () => {
    const result = orderByForeignKeys([t("employees")], [edge("employees", "employees")]);
    assert.deepEqual(names(result.order), ["employees"]);
    assert.equal(result.brokenEdges.length, 0);
  });
  it("ignores edges to unselected tables", () => {
    const result = orderByForeignKeys([t("b")], [edge("b", "a")]);
    assert.deepEqual(names(result.order), ["b"]);
  });
  it("breaks a cycle at the deferrable edge when there is one", () => {
    const result = orderByForeignKeys([t("players"), t("teams")], [edge("players", "teams"), edge("teams", "players", { deferrable: true })]);
    assert.deepEqual(names(result.order), ["teams", "players"]);
    assert.deepEqual(result.brokenEdges.map((e) => e.constraint), ["teams_players_fk"]);
    assert.equal(result.cycles.length, 1);
  });
  it("breaks a cycle of non-deferrable edges at one edge", () => {
    const result = orderByForeignKeys([t("a"), t("b"), t("c")], [edge("a", "b"), edge("b", "c"), edge("c", "a")]);
    assert.equal(result.brokenEdges.length, 1);
    assert.equal(result.order.length, 3);
  });
  it("needs no breaking for edges not enforced during the load (tables it creates)", () => {
    const result = orderByForeignKeys([t("a"), t("b")], [edge("a", "b", { enforced: false }), edge("b", "a", { enforced: false })]);
    assert.equal(result.brokenEdges.length, 0);
    assert.equal(result.cycles.length, 1);
  });
  it("handles a long chain without recursion limits", () => {
    const n = 5000;
    const tables = Array.from({ length: n }, (_, i) => t(`t${String(i).padStart(5, "0")}`));
    const edges = tables.slice(1).map((child, i) => ({ child, parent: tables[i]!, constraint: `fk${i}`, enforced: true, deferrable: false }));
    const result = orderByForeignKeys([...tables].reverse(), edges);
    assert.deepEqual(names(result.order), names(tables));
  });
});

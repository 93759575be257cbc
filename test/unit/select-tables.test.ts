/** Where filters: the command line's must match a selected table; pgferry.yml's apply to the tables they name when selected. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../src/errors.js";
import { selectTables } from "../../src/plan/select-tables.js";
import { catalog, col, table } from "../harness/catalog-builders.js";

const source = catalog([table("users", [col("id")]), table("events", [col("id")]), table("orders", [col("id")])]);
const conditions = (where: ReadonlyMap<string, string>) => Object.fromEntries([...where].map(([k, v]) => [k.replace("\u0000", "."), v]));

describe("selectTables: where filters", () => {
  it("applies pgferry.yml's filters to the selected tables they name and ignores the others", () => {
    const selected = selectTables(source, { include: ["users"], exclude: [], where: {}, defaultWhere: { events: "id > 5", users: "id < 100" } });
    assert.deepEqual(conditions(selected.where), { "public.users": "id < 100" });
    assert.deepEqual(selected.diagnostics, []);
  });
  it("lets a command-line filter replace pgferry.yml's for the same table", () => {
    const selected = selectTables(source, { include: [], exclude: [], where: { "public.users": "id = 1" }, defaultWhere: { users: "id < 100", orders: "id > 0" } });
    assert.deepEqual(conditions(selected.where), { "public.users": "id = 1", "public.orders": "id > 0" });
  });
  it("refuses a command-line filter that matches no selected table, and warns of a pgferry.yml filter that matches no table at all", () => {
    assert.throws(() => selectTables(source, { include: ["users"], exclude: [], where: { events: "id > 5" } }), (e: unknown) => e instanceof ConfigError && e.message === 'where filter for "events" matches no selected table');
    const selected = selectTables(source, { include: [], exclude: [], where: {}, defaultWhere: { evnets: "id > 5" } });
    assert.deepEqual(selected.diagnostics.map((d) => d.message), ['sync.where filter for "evnets" in pgferry.yml matches no table in the source']);
  });
});

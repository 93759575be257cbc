/** Pre-data statements ordered by what each is built from, stable otherwise. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DomainType, FunctionDef } from "../../src/model/catalog.js";
import type { DdlStatement } from "../../src/model/ddl-statement.js";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { orderPreData } from "../../src/plan/order-pre-data.js";
import { col, table } from "../harness/catalog-builders.js";

const fn = (name: string, extra: Partial<Omit<FunctionDef, "definition">> = {}): DdlStatement => ({
  kind: "create-function",
  function: { key: `public.${name}()`, name: qualifiedName("public", name), identityArguments: "", kind: "f", definition: "…", comment: null, ...extra },
});
const domain = (name: string, functions: string[]): DdlStatement => {
  const type: DomainType = { name: qualifiedName("public", name), comment: null, baseType: "text", baseUserType: null, notNull: false, default: null, collation: null, checks: [], functions };
  return { kind: "create-domain", type };
};
const label = (s: DdlStatement) =>
  s.kind === "create-function" ? s.function.name.name : s.kind === "create-domain" ? s.type.name.name : s.kind === "create-table" ? s.table.name.name : s.kind;

describe("orderPreData", () => {
  it("puts a domain after the function its CHECK calls and a function after the table whose row type it returns", () => {
    const statements: DdlStatement[] = [
      { kind: "create-schema", schema: "s" },
      domain("email", ["public.valid()"]),
      fn("valid"),
      fn("rows_of", { relations: [qualifiedName("public", "customer")] }),
      { kind: "create-table", table: table("customer", [col("id")], { functions: ["public.valid()"] }), identitySequences: [] },
    ];
    assert.deepEqual(orderPreData(statements).map(label), ["create-schema", "valid", "email", "customer", "rows_of"]);
  });
  it("keeps the given order when nothing depends on anything, and for a cycle", () => {
    const independent = [fn("a"), fn("b"), fn("c")];
    assert.deepEqual(orderPreData(independent).map(label), ["a", "b", "c"]);
    const cycle = [fn("a", { types: [qualifiedName("public", "d")] }), domain("d", ["public.a()"]), fn("z")];
    assert.deepEqual(orderPreData(cycle).map(label), ["z", "a", "d"]);
  });
});

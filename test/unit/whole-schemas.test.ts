/** Which schemas a selection syncs whole (every table chosen), so that all their objects are created. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { selectTables, type Selection } from "../../src/plan/select-tables.js";
import { wholeSchemas } from "../../src/plan/whole-schemas.js";
import { catalog, col, table } from "../harness/catalog-builders.js";

const inSchema = (schema: string, name: string) => table(name, [col("id")], { name: qualifiedName(schema, name) });
const source = catalog([inSchema("public", "a"), inSchema("public", "b"), inSchema("audit", "log")], [], { schemas: ["audit", "public", "util"] });
const whole = (selection: Partial<Selection>) => {
  const full: Selection = { include: [], exclude: [], where: {}, ...selection };
  return [...wholeSchemas(source, full, selectTables(source, full).tables)].sort();
};

describe("wholeSchemas", () => {
  it("takes every schema, also one without tables, when no table pattern narrows the selection", () => {
    assert.deepEqual(whole({}), ["audit", "public", "util"]);
  });
  it("leaves out a schema one of whose tables is excluded", () => {
    assert.deepEqual(whole({ exclude: ["public.b"] }), ["audit", "util"]);
  });
  it("with include patterns, takes only schemas whose every table is chosen", () => {
    assert.deepEqual(whole({ include: ["public.*"] }), ["public"]);
    assert.deepEqual(whole({ include: ["public.a", "audit.*"] }), ["audit"]);
  });
});

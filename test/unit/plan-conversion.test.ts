/** Which conversion each type drift gets: text input where the text form means the same, SQL otherwise. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Column } from "../../src/model/catalog.js";
import { conversionExpression, planConversion } from "../../src/plan/plan-conversion.js";

const column = (type: string, category: string): Column => ({
  name: "c", position: 1, type, userType: null, category, binaryPortable: true, equality: true, notNull: false, default: null, generated: null, identity: null, collation: null, comment: null,
});

describe("planConversion", () => {
  const cases: [string, string, string, string, boolean, string][] = [
    // source type, category, target type, category, source type exists on target, expected
    ["text[]", "A", "jsonb", "U", true, "to-jsonb"],
    ["numeric", "N", "jsonb", "U", true, "to-jsonb"],
    ["boolean", "B", "json", "U", true, "to-jsonb"],
    ["text", "S", "jsonb", "U", true, "text-input"],
    ["json", "U", "jsonb", "U", true, "text-input"],
    ["integer", "N", "bigint", "N", true, "text-input"],
    ["bigint", "N", "numeric(20,0)", "N", true, "text-input"],
    ["numeric(10,2)", "N", "integer", "N", true, "cast"],
    ["double precision", "N", "bigint", "N", true, "cast"],
    ["character varying(10)", "S", "character varying(50)", "S", true, "text-input"],
    ["public.mood", "E", "text", "S", true, "text-input"],
    ["text", "S", "public.mood", "E", true, "text-input"],
    ["public.mood", "E", "public.feeling", "E", false, "text-input"],
    ["integer[]", "A", "bigint[]", "A", true, "cast"],
    ["boolean", "B", "integer", "N", true, "cast"],
    ["point", "G", "integer", "N", true, "cast"],
    ["timestamp with time zone", "D", "timestamp without time zone", "D", true, "cast"],
  ];
  for (const [from, fromCategory, to, toCategory, onTarget, expected] of cases) {
    it(`${from} → ${to}: ${expected}`, () => {
      const planned = planConversion(column(from, fromCategory), column(to, toCategory), onTarget);
      assert.equal(planned.conversion, expected);
      assert.equal(planned.stagingType, expected === "text-input" ? "text" : from);
    });
  }

  it("needs nothing for equal types", () => {
    assert.deepEqual(planConversion(column("jsonb", "U"), column("jsonb", "U"), true), { conversion: "none", stagingType: "jsonb", explanation: "same type" });
  });

  it("renders each conversion as SQL on a quoted column", () => {
    assert.equal(conversionExpression("to-jsonb", '"v"', "jsonb"), 'to_jsonb("v")');
    assert.equal(conversionExpression("to-jsonb", '"v"', "json"), 'to_jsonb("v")::json');
    assert.equal(conversionExpression("cast", '"v"', "integer"), 'CAST("v" AS integer)');
    assert.equal(conversionExpression("none", '"v"', "integer"), '"v"');
  });
});

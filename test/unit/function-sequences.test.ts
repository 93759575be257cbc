/** Sequences named in function bodies: parsed from the text, resolved like the server would. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configuredSearchPath, functionSequences, parseRelationName, sequenceLiterals } from "../../src/introspect/function-sequences.js";
import type { FunctionDef, Sequence } from "../../src/model/catalog.js";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { buildSyncPlan } from "../../src/plan/build-sync-plan.js";
import { ALL_TABLES, catalog, col, table } from "../harness/catalog-builders.js";

describe("sequences a function body names", () => {
  it("finds nextval, currval and setval literals, also doubled in a single-quoted body and cast to regclass", () => {
    const body = `BEGIN NEW.id := nextval('public.items_id_seq'); PERFORM setval( '"Odd ""Seq"""'::regclass, 5); x := pg_catalog.currval(''legacy''); y := nextval(v_name); END`;
    assert.deepEqual(sequenceLiterals(body), ["public.items_id_seq", '"Odd ""Seq"""', "legacy"]);
  });

  it("parses names as regclass does: unquoted parts fold to lower case", () => {
    assert.deepEqual(parseRelationName("Public.Items_ID_seq"), { schema: "public", name: "items_id_seq" });
    assert.deepEqual(parseRelationName('"CI"."Builds ""Seq"""'), { schema: "CI", name: 'Builds "Seq"' });
    assert.deepEqual(parseRelationName("db.ci.seq"), { schema: "ci", name: "seq" });
    assert.deepEqual(parseRelationName("seq"), { schema: null, name: "seq" });
    assert.equal(parseRelationName("a..b"), null);
  });

  it("resolves an unqualified name in the function's search_path setting, else its schema, then public", () => {
    assert.deepEqual(configuredSearchPath(["work_mem=1MB", 'search_path=ci, "My Schema", $user']), ["ci", "My Schema"]);
    assert.equal(configuredSearchPath(null), null);
    const sequences = [qualifiedName("public", "s"), qualifiedName("ci", "s"), qualifiedName("app", "t")];
    const body = "nextval('s'); nextval('t'); nextval('missing')";
    assert.deepEqual(functionSequences({ schema: "app", body, config: ["search_path=ci"] }, sequences), [qualifiedName("ci", "s")]);
    assert.deepEqual(functionSequences({ schema: "app", body, config: null }, sequences), [qualifiedName("public", "s"), qualifiedName("app", "t")]);
  });

  it("creates a free-standing sequence a created function names, before the tables, and sets it", () => {
    const seq = (name: string, extra: Partial<Sequence> = {}): Sequence => ({
      name: qualifiedName("public", name), dataType: "bigint", start: "1", increment: "1", min: "1", max: "9", cache: "1", cycle: false, lastValue: "7",
      ownedBy: null, identity: false, readable: true, comment: null, ...extra,
    });
    const fn: FunctionDef = {
      key: "public.assign()", name: qualifiedName("public", "assign"), identityArguments: "", kind: "f", definition: "CREATE FUNCTION …", comment: null,
      sequences: [qualifiedName("public", "items_id_seq"), qualifiedName("public", "owned_seq"), qualifiedName("public", "there_seq")],
    };
    const items = table("items", [col("id")], { functions: ["public.assign()"], triggers: [{ name: "assign", definition: "CREATE TRIGGER …", enabled: "O", comment: null }] });
    const owned = seq("owned_seq", { ownedBy: { table: qualifiedName("public", "other"), column: "id" } });
    const source = catalog([items], [seq("items_id_seq"), owned, seq("there_seq")], { functions: [fn] });
    const plan = buildSyncPlan({ source, target: catalog([], [seq("there_seq")]), selection: ALL_TABLES, cascade: false });
    assert.deepEqual(
      plan.preData.map((s) => (s.kind === "create-sequence" ? `sequence ${s.sequence.name.name}` : s.kind)),
      ["create-function", "sequence items_id_seq", "create-table"],
      "only the free-standing sequence the target lacks",
    );
    assert.deepEqual(plan.sequenceResets, [{ sequence: qualifiedName("public", "items_id_seq"), value: "7", isCalled: true, neverBackwards: false }]);
  });
});

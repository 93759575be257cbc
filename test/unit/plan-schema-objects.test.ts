/** Collations, operators, operator classes/families and text search objects a sync creates: which, in what order, and what is refused. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderDdlCommands } from "../../src/ddl/render-ddl.js";
import type { Catalog, FunctionDef } from "../../src/model/catalog.js";
import type { DdlStatement } from "../../src/model/ddl-statement.js";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { NO_SCHEMA_OBJECTS, schemaObjectKey, type OperatorDef, type SchemaObjects, type SupportFunction } from "../../src/model/schema-objects.js";
import { buildSyncPlan } from "../../src/plan/build-sync-plan.js";
import { planSchemaObjects } from "../../src/plan/plan-schema-objects.js";
import { diffCatalogs } from "../../src/plan/diff-catalogs.js";
import { ALL_TABLES, catalog, col, table } from "../harness/catalog-builders.js";

const name = (n: string, schema = "public") => qualifiedName(schema, n);
const userFn = (n: string, language = "sql"): SupportFunction => ({ name: name(n), signature: `public.${n}(text,text)`, key: `public.${n}(text, text)`, extension: null, language });
const builtin = (n: string): SupportFunction => ({ name: name(n, "pg_catalog"), signature: `${n}(internal)`, key: null, extension: null, language: "internal" });
const fnDef = (n: string): FunctionDef => ({ key: `public.${n}(text, text)`, name: name(n), identityArguments: "text, text", kind: "f", definition: `CREATE OR REPLACE FUNCTION public.${n}(text, text) …`, comment: null });
const operator = (symbol: string, fn: string, extra: Partial<OperatorDef> = {}): OperatorDef => ({
  key: `public.${symbol}(text,text)`, name: name(symbol), left: "text", right: "text", function: userFn(fn), commutator: null, negator: null,
  restrict: builtin("eqsel"), join: null, hashes: false, merges: false, comment: null, ...extra,
});
const ref = (kind: "collation" | "operator class" | "text search configuration", key: string, user: string) => ({ object: { kind, key }, user: { kind: "table" as const, name: name(user) } });

const objects: SchemaObjects = {
  ...NO_SCHEMA_OBJECTS,
  icu: true,
  collations: [
    { name: name("ci", "lang"), provider: "i", locale: "und-u-ks-level2", collate: null, ctype: null, deterministic: false, rules: null, comment: "ignores case" },
    { name: name("unused"), provider: "c", locale: null, collate: "C", ctype: "C", deterministic: true, rules: null, comment: null },
  ],
  operators: [
    operator("=~", "ci_eq", { commutator: { key: "public.=~(text,text)", name: name("=~") }, negator: { key: "public.<>~(text,text)", name: name("<>~") }, comment: "equal" }),
    operator("<>~", "ci_ne"),
    operator("<~", "ci_lt"),
  ],
  operatorFamilies: [{ name: name("ci_ops"), method: "btree", operators: [], functions: [], comment: null }],
  operatorClasses: [
    {
      name: name("ci_ops"), method: "btree", type: "text", isDefault: false, family: name("ci_ops"), storage: null, comment: null,
      operators: [
        { strategy: 1, operator: "public.<~(text,text)", left: "text", right: "text", sortFamily: null },
        { strategy: 3, operator: "public.=~(text,text)", left: "text", right: "text", sortFamily: null },
      ],
      functions: [{ number: 1, left: "text", right: "text", function: userFn("ci_cmp") }],
    },
  ],
  textSearchDictionaries: [
    { name: name("stemmer"), template: { name: name("snowball", "pg_catalog"), builtIn: true, extension: null }, options: "language = 'english'", comment: null },
    { name: name("ints"), template: { name: name("intdict_template"), builtIn: false, extension: "dict_int" }, options: null, comment: null },
  ],
  textSearchConfigurations: [
    { name: name("docs_cfg"), parser: { name: name("default", "pg_catalog"), builtIn: true, extension: null }, comment: null,
      mappings: [{ token: "asciiword", dictionaries: [name("stemmer")] }, { token: "int", dictionaries: [name("ints"), name("simple", "pg_catalog")] }] },
  ],
  usages: [
    ref("operator class", schemaObjectKey(name("ci_ops"), "btree"), "people"),
    ref("text search configuration", schemaObjectKey(name("docs_cfg")), "docs"),
  ],
};

const people = table("people", [col("id"), col("name", "text", { collation: name("ci", "lang") })]);
const docs = table("docs", [col("id"), col("body", "text")]);
const source = catalog([people, docs, table("other", [col("id")])], [], { schemas: ["public", "lang"], functions: ["ci_eq", "ci_ne", "ci_lt", "ci_cmp", "unused_fn"].map(fnDef), schemaObjects: objects });
const emptyTarget = (extra: Partial<Catalog> = {}) =>
  catalog([], [], { availableExtensions: ["dict_int"], schemaObjects: { ...NO_SCHEMA_OBJECTS, icu: true }, ...extra });

const describe1 = (s: DdlStatement) => (s.kind === "create-function" ? `function ${s.function.name.name}` : (renderDdlCommands(s)[0] ?? "").split(/ \(|\n/)[0]!);

describe("planSchemaObjects through buildSyncPlan", () => {
  it("creates what the tables use in pg_restore's order: collations, extensions, functions, operators, families, classes, dictionaries, configurations, tables", () => {
    const plan = buildSyncPlan({ source, target: emptyTarget(), selection: { include: ["people", "docs"], exclude: [], where: {} }, cascade: false });
    assert.deepEqual(plan.diagnostics.filter((d) => d.level !== "info"), []);
    assert.deepEqual(plan.preData.map(describe1), [
      'CREATE SCHEMA IF NOT EXISTS "lang"',
      'CREATE COLLATION "lang"."ci"',
      'CREATE EXTENSION IF NOT EXISTS "dict_int" WITH SCHEMA "public"',
      "function ci_cmp",
      "function ci_lt",
      "function ci_eq",
      "function ci_ne",
      'CREATE OPERATOR "public".<~',
      'CREATE OPERATOR "public".=~',
      'CREATE OPERATOR "public".<>~',
      'CREATE OPERATOR FAMILY "public"."ci_ops" USING "btree"',
      'CREATE OPERATOR CLASS "public"."ci_ops" FOR TYPE text USING "btree" FAMILY "public"."ci_ops" AS',
      'CREATE TEXT SEARCH DICTIONARY "public"."stemmer"',
      'CREATE TEXT SEARCH DICTIONARY "public"."ints"',
      'CREATE TEXT SEARCH CONFIGURATION "public"."docs_cfg"',
      'CREATE TABLE "public"."docs"',
      'CREATE TABLE "public"."people"',
    ]);
    const comments = plan.postData.flatMap((s) => (s.kind === "comment" ? renderDdlCommands(s) : []));
    assert.deepEqual(comments, [`COMMENT ON COLLATION "lang"."ci" IS 'ignores case'`, `COMMENT ON OPERATOR "public".=~ (text, text) IS 'equal'`]);
  });

  it("leaves out what the target has and what nothing selected uses, and creates everything of a schema synced whole", () => {
    const target = emptyTarget({ schemas: ["public", "lang"], schemaObjects: { ...NO_SCHEMA_OBJECTS, icu: true, collations: objects.collations.slice(0, 1) } });
    const partial = buildSyncPlan({ source, target, selection: { include: ["people"], exclude: [], where: {} }, cascade: false });
    assert.deepEqual(partial.diagnostics.filter((d) => d.level !== "info"), []);
    const kinds = partial.preData.map((s) => s.kind);
    assert.ok(!kinds.includes("create-collation"), "the target has lang.ci");
    assert.ok(!kinds.includes("create-text-search-configuration"), "docs is not selected");
    const whole = planSchemaObjects({ source, target, tables: [], views: [], types: [], addedCollations: [], wholeSchemas: new Set(["public"]) });
    assert.deepEqual(whole.collations.map(describe1), ['CREATE COLLATION "public"."unused"']);
    assert.equal(whole.objects.length, 3 + 1 + 1 + 2 + 1);
    const domain = planSchemaObjects({ source, target: emptyTarget(), tables: [], views: [], types: [{ name: name("ci_text"), collations: [name("ci", "lang")] }], addedCollations: [] });
    assert.deepEqual(domain.collations.map(describe1), ['CREATE COLLATION "lang"."ci"'], "a created domain's collation");
    const added = planSchemaObjects({ source, target: emptyTarget(), tables: [], views: [], types: [], addedCollations: [{ table: name("old"), collation: name("ci", "lang") }] });
    assert.deepEqual(added.collations.map(describe1), ['CREATE COLLATION "lang"."ci"'], "an added column's collation");
  });

  it("reads a snapshot manifest from before these objects were introspected: nothing to create, nothing to compare", () => {
    const { schemaObjects, ...old } = source;
    void schemaObjects;
    const plan = buildSyncPlan({ source: old, target: emptyTarget(), selection: ALL_TABLES, cascade: false });
    assert.ok(!plan.preData.some((s) => s.kind.startsWith("create-collation") || s.kind.startsWith("create-operator") || s.kind.startsWith("create-text-search")));
    assert.deepEqual(diffCatalogs(old, emptyTarget()).filter((i) => ["collation", "operator", "operator class"].includes(i.kind)), []);
    assert.deepEqual(
      diffCatalogs(source, emptyTarget()).filter((i) => i.kind !== "table" && i.kind !== "function").map((i) => `${i.kind} ${i.owner.name} ${i.change}`),
      [
        "collation ci only-source",
        "collation unused only-source",
        "operator =~ only-source",
        "operator <>~ only-source",
        "operator <~ only-source",
        "operator family ci_ops only-source",
        "operator class ci_ops only-source",
        "text search dictionary stemmer only-source",
        "text search dictionary ints only-source",
        "text search configuration docs_cfg only-source",
      ],
    );
  });

  it("refuses, with one line each, what the target cannot create", () => {
    const cFunction = { ...objects, operatorClasses: [{ ...objects.operatorClasses[0]!, functions: [{ number: 1, left: "text", right: "text", function: userFn("ci_cmp", "c") }] }] };
    const userTemplate = { ...objects, textSearchDictionaries: [objects.textSearchDictionaries[0]!, { ...objects.textSearchDictionaries[1]!, template: { name: name("mine"), builtIn: false, extension: null } }] };
    const plan = (schemaObjects: SchemaObjects, target: Catalog) =>
      buildSyncPlan({ source: { ...source, schemaObjects }, target, selection: ALL_TABLES, cascade: false }).diagnostics.filter((d) => d.level === "error").map((d) => `${d.table?.name}: ${d.message}`);
    assert.deepEqual(plan(objects, emptyTarget({ schemaObjects: NO_SCHEMA_OBJECTS })), [
      "people: needs collation lang.ci, which pgferry cannot create on the target: it is an ICU collation and the target server was built without ICU",
    ]);
    assert.deepEqual(plan(cFunction, emptyTarget()), [
      "people: needs operator class public.ci_ops USING btree, which pgferry cannot create on the target: its function public.ci_cmp(text,text) is written in C (install its library and create it on the target first)",
    ]);
    assert.deepEqual(plan(cFunction, emptyTarget({ functions: [fnDef("ci_cmp")] })), [], "a C function the target already has is fine");
    assert.deepEqual(plan(userTemplate, emptyTarget()), [
      "docs: needs text search dictionary public.ints, which pgferry cannot create on the target: its template public.mine is user-defined (written in C): pgferry does not create text search templates",
    ]);
    assert.deepEqual(plan(objects, emptyTarget({ availableExtensions: [] })), [
      "docs: needs extension dict_int, which the target server does not have (install its package there, or leave the table out)",
    ]);
    const postfix = { ...objects, operators: objects.operators.map((o) => (o.name.name === "<~" ? { ...o, right: null } : o)) };
    assert.deepEqual(plan(postfix, emptyTarget()), [
      "people: needs operator public.<~(text,text), which pgferry cannot create on the target: postfix operators do not exist from PostgreSQL 14 on",
    ]);
    assert.deepEqual(plan(postfix, emptyTarget({ serverVersion: 130000 })), []);
    const builtinLocale = { ...objects, collations: [{ ...objects.collations[0]!, provider: "b" as const, locale: "C.UTF-8", deterministic: true }] };
    assert.deepEqual(plan(builtinLocale, emptyTarget({ serverVersion: 160000 })), [
      "people: needs collation lang.ci, which pgferry cannot create on the target: the builtin collation provider needs PostgreSQL 17 or later on the target",
    ]);
  });

  it("renders each object as pg_dump writes it", () => {
    const render = (s: DdlStatement) => renderDdlCommands(s);
    assert.deepEqual(render({ kind: "create-operator", operator: objects.operators[0]! }), [
      'CREATE OPERATOR "public".=~ (\n    FUNCTION = "public"."ci_eq",\n    LEFTARG = text,\n    RIGHTARG = text,\n    COMMUTATOR = OPERATOR("public".=~),\n    NEGATOR = OPERATOR("public".<>~),\n    RESTRICT = "pg_catalog"."eqsel"\n)',
    ]);
    assert.deepEqual(render({ kind: "create-operator-class", operatorClass: objects.operatorClasses[0]! }), [
      'CREATE OPERATOR CLASS "public"."ci_ops" FOR TYPE text USING "btree" FAMILY "public"."ci_ops" AS\n    OPERATOR 1 public.<~(text,text),\n    OPERATOR 3 public.=~(text,text),\n    FUNCTION 1 (text, text) public.ci_cmp(text,text)',
    ]);
    assert.deepEqual(render({ kind: "create-operator-family", family: { ...objects.operatorFamilies[0]!, functions: [{ number: 2, left: "text", right: "text", function: userFn("ci_hash") }] } }), [
      'CREATE OPERATOR FAMILY "public"."ci_ops" USING "btree"',
      'ALTER OPERATOR FAMILY "public"."ci_ops" USING "btree" ADD\n    FUNCTION 2 (text, text) public.ci_hash(text,text)',
    ]);
    assert.deepEqual(render({ kind: "create-text-search-configuration", configuration: objects.textSearchConfigurations[0]! }), [
      'CREATE TEXT SEARCH CONFIGURATION "public"."docs_cfg" (\n    PARSER = "pg_catalog"."default"\n)',
      'ALTER TEXT SEARCH CONFIGURATION "public"."docs_cfg"\n    ADD MAPPING FOR "asciiword" WITH "public"."stemmer"',
      'ALTER TEXT SEARCH CONFIGURATION "public"."docs_cfg"\n    ADD MAPPING FOR "int" WITH "public"."ints", "pg_catalog"."simple"',
    ]);
    assert.deepEqual(render({ kind: "create-collation", collation: { ...objects.collations[1]!, ctype: "en_US.UTF-8" } }), [
      `CREATE COLLATION "public"."unused" (provider = libc, lc_collate = 'C', lc_ctype = 'en_US.UTF-8')`,
    ]);
    assert.throws(() => render({ kind: "create-operator", operator: operator("=; DROP", "x") }), /not an operator name/);
  });
});

/** Issue 15: the json, address and js kinds' pure parts: parameters, plan refusals, rendering. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configError, parseConfig } from "../harness/config-text.js";
import type { Constraint, Table } from "../../src/model/catalog.js";
import type { TableAction } from "../../src/model/plan.js";
import { buildSyncPlan } from "../../src/plan/build-sync-plan.js";
import { renderCopyOut } from "../../src/sql/copy-sql.js";
import { parseJsonPath } from "../../src/transform/json-path.js";
import { ALL_TABLES, catalog, col, table } from "../harness/catalog-builders.js";

const parse = parseConfig;
const SECRET = "transform:\n  secret: sixteen-characters-at-least\n";
const pk = (columns: string[]): Constraint => ({ name: "pk", kind: "primary", definition: "", columns, references: null, referencedColumns: [], deferrable: false, initiallyDeferred: false, comment: null });
const text = (name: string, type = "text") => col(name, type, { category: "S" });
const people = table("people", [col("id"), col("doc", "jsonb"), col("raw", "json"), text("city", "character varying(8)"), text("street"), text("zip"), text("country"), col("n")], {
  constraints: [pk(["id"]), { ...pk(["street"]), name: "people_street_key", kind: "unique" }],
});

function plan(yaml: string, tables: Table[] = [people]) {
  const config = parse(yaml);
  return buildSyncPlan({ source: catalog(tables), target: catalog([]), selection: ALL_TABLES, cascade: false, tables: config.tables, transform: { rules: config.transform.rules, secret: Boolean(config.transform.secret) } });
}
const errors = (p: ReturnType<typeof plan>) => p.diagnostics.filter((d) => d.level === "error").map((d) => `${d.table?.name}: ${d.message}`);
type Copied = Extract<TableAction, { kind: "create" | "refresh" }>;
const action = (p: ReturnType<typeof plan>) => p.actions.find((a): a is Copied => a.kind === "create")!;

describe("json paths", () => {
  it("reads keys, quoted keys, indexes and [*], and names what it cannot read", () => {
    assert.deepEqual(parseJsonPath('$.a["b c"][2][*].d_1'), [
      { kind: "key", key: "a" },
      { kind: "key", key: "b c" },
      { kind: "index", index: 2 },
      { kind: "each" },
      { kind: "key", key: "d_1" },
    ]);
    assert.equal(parseJsonPath("a.b"), "must start with $ (e.g. $.profile.email)");
    assert.equal(parseJsonPath("$"), "names the whole document: name a value inside it (e.g. $.email)");
    assert.equal(parseJsonPath("$.a..b"), 'cannot read "..b": use .key, ["key"], [0] or [*]');
    assert.equal(parseJsonPath("$.a[-1]"), 'cannot read "[-1]": use .key, ["key"], [0] or [*]');
  });
});

describe("the json kind", () => {
  it("validates each path and its kind's parameters in one config line", () => {
    assert.equal(
      configError('tables:\n  people:\n    transform:\n      doc: { kind: json, paths: { "$.a..b": { kind: email } } }\n'),
      'pgferry.yml: tables.people.transform.doc: kind json: paths: path "$.a..b" cannot read "..b": use .key, ["key"], [0] or [*]',
    );
    assert.equal(
      configError('tables:\n  people:\n    transform:\n      doc: { kind: json, paths: { "$.a": { kind: hash, length: 3 } } }\n'),
      'pgferry.yml: tables.people.transform.doc: kind json: paths: path "$.a": kind hash: length: Too small: expected number to be >=8',
    );
    assert.equal(configError('tables:\n  people:\n    transform:\n      doc: { kind: json, paths: { "$.a": { kind: nope } } }\n'), 'pgferry.yml: tables.people.transform.doc: kind json: paths: path "$.a": unknown kind nope');
    assert.equal(configError("tables:\n  people:\n    transform:\n      doc: { kind: json, paths: {} }\n"), "pgferry.yml: tables.people.transform.doc: kind json: paths: name at least one path");
  });

  it("refuses in the plan, one line each: a kind that cannot write text inside a document, json on a non-json column, a keyed path without a secret", () => {
    const p = plan(
      'tables:\n  people:\n    transform:\n      doc: { kind: json, paths: { "$.born": { kind: noise, range: 3 } } }\n      raw: { kind: json, paths: { "$.x": { kind: sql, expression: "1" } } }\n      n: { kind: json, paths: { "$.x": { kind: mask } } }\n      zip: { kind: json, paths: { "$.x": { kind: email } } }\n',
    );
    // The exact set, order-independent.
    assert.deepEqual([...errors(p)].sort(), [
      'people: column "doc" (jsonb, from tables:): kind json: path "$.born": kind noise cannot write text',
      'people: column "n" (integer, from tables:): kind json cannot write a column of type integer',
      'people: column "raw" (json, from tables:): kind json: path "$.x": an sql expression reads the row\'s columns, not a value inside a document',
      'people: column "zip" (text, from tables:): kind json cannot write a column of type text',
      'people: column(s) "doc", "zip" use keyed transforms, which need transform.secret (e.g. secret: ${PGFERRY_TRANSFORM_SECRET}); it is not set',
    ]);
    const masked = plan('tables:\n  people:\n    transform:\n      doc: { kind: json, paths: { "$.card": { kind: mask, last: 4 } } }\n');
    assert.deepEqual(errors(masked), [], "a json transform whose paths are not keyed needs no secret");
  });

  it("renders each path as jsonb_set inside one-row subqueries, so the SQL grows with the path, and casts back to the column's type", () => {
    const p = plan(`${SECRET}tables:\n  people:\n    transform:\n      raw: { kind: json, paths: { "$.a.b.c.d.e.f": { kind: mask }, "$.tags[*]": { kind: phone } } }\n`);
    assert.deepEqual(errors(p), []);
    const sql = renderCopyOut(action(p));
    assert.equal((sql.match(/AS pgferry_j\d+\)/g) ?? []).length, 9, "one subquery per step, and one per keyed value");
    assert.equal((sql.match(/sha256\(/g) ?? []).length, 2, "the HMAC (two sha256) once per array element, though phone reads it once per digit");
    assert.ok(sql.length < 6000, `the SQL stays small (${sql.length} characters)`);
    assert.match(sql, /CAST\(\(SELECT CASE .*jsonb_typeof\(pgferry_j\d+\.d\) = 'array' .* AS json\) AS "raw"/);
    assert.ok(!sql.includes("sixteen-characters"));
  });
});

describe("the address kinds", () => {
  it("respect varchar(n), are refused on a unique column, and need the secret", () => {
    const p = plan("tables:\n  people:\n    transform:\n      city: { kind: city }\n      street: { kind: street }\n      zip: { kind: zip, format: '##-###' }\n      country: { kind: country, code: true }\n");
    assert.deepEqual(errors(p), [
      'people: column "city" (character varying(8), from tables:): kind city writes up to 11 characters, more than the column holds',
      'people: column "street" (text, from tables:): kind street is not unique-safe (distinct values could become equal), but the column is in UNIQUE constraint people_street_key: use hash (length 24+), email, uuid or keep',
      'people: column(s) "city", "street", "zip", "country" use keyed transforms, which need transform.secret (e.g. secret: ${PGFERRY_TRANSFORM_SECRET}); it is not set',
    ]);
    assert.equal(configError("tables:\n  people:\n    transform:\n      zip: { kind: zip, format: 'ABC' }\n"), "pgferry.yml: tables.people.transform.zip: kind zip: format: must hold 1 to 32 # (one per digit)");
  });
});

describe("the js kind", () => {
  it("is refused on a unique column unless declared injective, and forces text COPY for its table only", () => {
    const refused = plan("tables:\n  people:\n    transform:\n      street: { kind: js, module: ./m.mjs }\n");
    assert.deepEqual(errors(refused), [
      'people: column "street" (text, from tables:): kind js is not unique-safe (distinct values could become equal), but the column is in UNIQUE constraint people_street_key: use hash (length 24+), email, uuid or keep',
    ]);
    const p = plan("tables:\n  people:\n    transform:\n      street: { kind: js, module: ./m.mjs, export: fake, injective: true }\n", [people, table("other", [col("id")])]);
    assert.deepEqual(errors(p), []);
    const copies = p.actions.filter((a): a is Copied => a.kind === "create");
    assert.deepEqual(copies.map((a) => [a.table.name, a.copy.format]).sort(), [["other", "binary"], ["people", "text"]]);
    assert.match(renderCopyOut(copies.find((a) => a.table.name === "people")!), /"public"\."people"\."street" AS "street"/, "the source reads the column as it is; Node transforms it");
  });
});

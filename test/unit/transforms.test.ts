/** Issue 15, part A, the pure parts: transform config, the keyed hash's key, plan resolution and refusals, the COPY SQL. */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { configError, parseConfig } from "../harness/config-text.js";
import { redactText } from "../../src/config/redact.js";
import type { Constraint, Table } from "../../src/model/catalog.js";
import type { TableAction } from "../../src/model/plan.js";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { buildSyncPlan } from "../../src/plan/build-sync-plan.js";
import { renderCopyOut } from "../../src/sql/copy-sql.js";
import { renderRowsWhere } from "../../src/sql/rows-sql.js";
import { deriveTransformKey } from "../../src/transform/keyed-hash.js";
import { ALL_TABLES, catalog, col, table } from "../harness/catalog-builders.js";

const parse = parseConfig;

const pk = (columns: string[]): Constraint => ({ name: "pk", kind: "primary", definition: "", columns, references: null, referencedColumns: [], deferrable: false, initiallyDeferred: false, comment: null });
const unique = (name: string, columns: string[]): Constraint => ({ ...pk(columns), name, kind: "unique" });
const foreign = (name: string, columns: string[], parent: string, referenced: string[]): Constraint => ({
  ...pk(columns), name, kind: "foreign", references: qualifiedName("public", parent), referencedColumns: referenced,
});
const text = (name: string, type = "text", extra = {}) => col(name, type, { category: "S", ...extra });
const date = (name: string) => col(name, "date", { category: "D" });

const users = table("users", [col("id"), text("email"), text("name"), text("code", "character varying(10)"), date("born"), date("seen")], {
  constraints: [pk(["id"]), unique("users_email_key", ["email"])],
});
const orders = table("orders", [col("id"), text("customer_email"), text("note")], { constraints: [pk(["id"]), foreign("orders_email_fk", ["customer_email"], "users", ["email"])] });
const notes = table("notes", [col("id"), text("order_email")], { constraints: [pk(["id"]), foreign("notes_order_fk", ["order_email"], "orders", ["customer_email"])] });

/** The plan of `tables` (all created) under the config text's `tables:` and `transform:`. */
function plan(yaml: string, tables: Table[] = [users, orders, notes]) {
  const config = parse(yaml);
  const source = catalog(tables);
  return buildSyncPlan({
    source,
    target: catalog([]),
    selection: ALL_TABLES,
    cascade: false,
    tables: config.tables,
    transform: { rules: config.transform.rules, secret: Boolean(config.transform.secret) },
  });
}
const errors = (p: ReturnType<typeof plan>) => p.diagnostics.filter((d) => d.level === "error").map((d) => `${d.table?.name}: ${d.message}`);
type Copied = Extract<TableAction, { kind: "create" | "refresh" }>;
const action = (p: ReturnType<typeof plan>, name: string) => p.actions.find((a): a is Copied => a.table.name === name && (a.kind === "create" || a.kind === "refresh"))!;
const SECRET = "transform:\n  secret: sixteen-characters-at-least\n";

describe("transform config", () => {
  it("validates each kind's parameters, in one line naming where", () => {
    assert.equal(configError("tables:\n  users:\n    transform:\n      email: { kind: emial }\n"), 'pgferry.yml: tables.users.transform.email.kind: Invalid option: expected one of "keep"|"hash"|"email"|"first_name"|"last_name"|"full_name"|"phone"|"uuid"|"null"|"constant"|"default"|"mask"|"noise"|"shift"|"sql"|"street"|"city"|"zip"|"country"|"json"|"js"');
    assert.equal(configError("tables:\n  users:\n    transform:\n      email: { kind: email, keep_domain: true }\n"), "pgferry.yml: tables.users.transform.email: kind email has no parameter keep_domain (parameters: keepDomain, domain)");
    assert.equal(configError("tables:\n  users:\n    transform:\n      code: { kind: hash, length: 100 }\n"), "pgferry.yml: tables.users.transform.code: kind hash: length: Too big: expected number to be <=64");
    assert.equal(configError("transform:\n  rules:\n    - { match: '*.email', kind: constant }\n"), "pgferry.yml: transform.rules.0: kind constant needs parameter value");
    assert.equal(configError("transform:\n  secret: short\n"), "pgferry.yml: transform.secret: transform.secret must be at least 16 characters");
  });

  it("registers transform.secret for redaction", () => {
    parse("transform:\n  secret: my-transform-secret-value-42\n");
    assert.equal(redactText("oops my-transform-secret-value-42 leaked"), "oops **** leaked");
  });
});

describe("the keyed hash's key", () => {
  it("is HMAC-SHA256's padded key pair: sha256(outer || sha256(inner || m)) equals Node's HMAC, for short and long secrets", () => {
    for (const secret of ["sixteen-characters", "x".repeat(100)]) {
      const key = deriveTransformKey(secret);
      const inner = createHash("sha256").update(Buffer.from(key.innerHex, "hex")).update("alice@example.org").digest();
      const mac = createHash("sha256").update(Buffer.from(key.outerHex, "hex")).update(inner).digest("hex");
      assert.equal(mac, createHmac("sha256", secret).update("alice@example.org").digest("hex"));
      assert.ok(!key.innerHex.includes(Buffer.from(secret).toString("hex")), "the secret itself is not sent");
    }
  });
});

describe("transform planning", () => {
  it("takes explicit transforms over rules, keep over a rule, and gives FK children their parent's mapping down a chain", () => {
    const p = plan(`${SECRET}  rules:\n    - { match: "*.email", kind: email }\n    - { match: "users.n*", kind: full_name }\ntables:\n  users:\n    transform:\n      name: { kind: keep }\n`);
    assert.deepEqual(errors(p), []);
    const summary = (name: string) => (action(p, name).copy.transforms ?? []).map((t) => `${t.column}: ${t.kind} (${t.origin})`);
    assert.deepEqual(summary("users"), ['email: email (from transform.rules[0] "*.email")']);
    assert.deepEqual(summary("orders"), ["customer_email: email (following public.users.email through FK orders_email_fk)"]);
    assert.deepEqual(summary("notes"), ["order_email: email (following public.orders.customer_email through FK notes_order_fk)"]);
  });

  it("refuses, one line each: an unknown column, a type it cannot write, a too-short varchar, null on NOT NULL, shift without a key, no secret", () => {
    const keyless = table("events", [col("id"), date("at")]);
    const p = plan(
      `tables:\n  users:\n    transform:\n      nope: { kind: "null" }\n      id: { kind: email }\n      code: { kind: uuid }\n      born: { kind: noise, range: 5 }\n  events:\n    transform:\n      at: { kind: shift, range: "2 days" }\n      id: { kind: "null" }\n`,
      [users, keyless.columns[0] ? { ...keyless, columns: [col("id", "integer", { notNull: true }), date("at")] } : keyless],
    );
    assert.deepEqual(errors(p), [
      'users: a transform is configured for column "nope", which the table does not have',
      "users: column \"id\" (integer, from tables:): kind email cannot write a column of type integer",
      'users: column "code" (character varying(10), from tables:): kind uuid writes up to 36 characters, more than the column holds',
      'users: column "born" (date, from tables:): kind noise: range must be an interval (e.g. "30 days") for a date or timestamp column',
      'users: column(s) "id", "code", "born" use keyed transforms, which need transform.secret (e.g. secret: ${PGFERRY_TRANSFORM_SECRET}); it is not set',
      'events: column "id" (integer, from tables:): kind null on a NOT NULL column',
      'events: column "at" (date, from tables:): kind shift needs by: [columns] (the table has no primary key to key each row\'s offset)',
      'events: column(s) "at" use keyed transforms, which need transform.secret (e.g. secret: ${PGFERRY_TRANSFORM_SECRET}); it is not set',
    ]);
  });

  it("refuses a non-injective kind on a UNIQUE, PK or FK-referenced column, and an FK child transformed unlike (or without) its parent", () => {
    const p = plan(`${SECRET}tables:\n  users:\n    transform:\n      id: { kind: mask }\n      email: { kind: hash, length: 16 }\n  orders:\n    transform:\n      note: { kind: constant, value: x }\n  notes:\n    transform:\n      order_email: { kind: hash }\n`);
    assert.deepEqual(errors(p), [
      'notes: column "order_email" references public.orders.customer_email (FK notes_order_fk), transformed by hash (length: 16), but this column is transformed by hash (length: 64): they must be the same so the keys still join',
      'users: column "id" (integer, from tables:): kind mask cannot write a column of type integer',
      'users: column "email" (text, from tables:): kind hash is not unique-safe (distinct values could become equal), but the column is in UNIQUE constraint users_email_key: use hash (length 24+), email, uuid or keep',
      'orders: column "customer_email" (text, following public.users.email through FK orders_email_fk): kind hash is not unique-safe (distinct values could become equal), but the column is referenced by FK notes_order_fk of public.notes: use hash (length 24+), email, uuid or keep',
    ]);
    const unset = plan(`${SECRET}tables:\n  orders:\n    transform:\n      customer_email: { kind: email }\n`);
    assert.deepEqual(errors(unset), [
      'orders: column "customer_email" references public.users.email (FK orders_email_fk), which is not transformed, but is itself transformed (email (keepDomain: false, domain: "example.com")): configure the same transform on the parent column, or none',
    ]);
  });

  it("reports a partitioned table's problems once, on the table its rows are read through", () => {
    const partitioned = { partitioned: true, partitioning: { key: "RANGE (id)", parent: null, bound: null } };
    const parts = ["p1", "p2"].map((name) => table(name, [col("id"), text("email")], { partitioning: { key: null, parent: qualifiedName("public", "events"), bound: "FOR VALUES FROM (0) TO (9)" } }));
    const p = plan(`transform:\n  rules:\n    - { match: "*.email", kind: email }\n`, [table("events", [col("id"), text("email")], partitioned), ...parts]);
    assert.deepEqual(errors(p), ['events: column(s) "email" use keyed transforms, which need transform.secret (e.g. secret: ${PGFERRY_TRANSFORM_SECRET}); it is not set']);
  });

  it("leaves a default column out of the copy, and refuses it on a target column that has no default to give", () => {
    const p = plan(`tables:\n  orders:\n    transform:\n      note: { kind: default }\n`);
    assert.deepEqual(errors(p), []);
    assert.deepEqual(action(p, "orders").columns.map((c) => c.name), ["id", "customer_email"]);
    const target = catalog([table("orders", [col("id"), text("customer_email"), text("note", "text", { notNull: true })], { constraints: [pk(["id"])] })]);
    const config = parse(`tables:\n  orders:\n    transform:\n      note: { kind: default }\n`);
    const refused = buildSyncPlan({ source: catalog([orders]), target, selection: ALL_TABLES, cascade: false, tables: config.tables, transform: { rules: [], secret: false } });
    assert.deepEqual(errors(refused), ['orders: column "note" (transform default) is NOT NULL without a default on the target']);
  });
});

describe("the source SELECT", () => {
  it("stays byte-identical without transforms (and with keep only)", () => {
    for (const yaml of ["{}", "tables:\n  users:\n    transform:\n      email: { kind: keep }\n"]) {
      const p = plan(yaml, [users]);
      assert.equal(renderCopyOut(action(p, "users")), 'COPY "public"."users" ("id", "email", "name", "code", "born", "seen") TO STDOUT (FORMAT binary)');
    }
    const filtered = buildSyncPlan({ source: catalog([users]), target: catalog([]), selection: { ...ALL_TABLES, where: { users: "id > 1" } }, cascade: false });
    assert.equal(renderCopyOut(action(filtered, "users")), 'COPY (SELECT "id", "email", "name", "code", "born", "seen" FROM ONLY "public"."users" WHERE (id > 1)) TO STDOUT (FORMAT binary)');
  });

  it("computes each keyed hash once per row (shifted dates of a row share one), casts back to the column's type without a length limit, and holds no secret", () => {
    const p = plan(`${SECRET}tables:\n  users:\n    transform:\n      code: { kind: mask, last: 2 }\n      born: { kind: shift, range: "3 days" }\n      seen: { kind: shift, range: "3 days" }\n      email: { kind: email }\n`, [users]);
    assert.deepEqual(errors(p), []);
    const sql = renderCopyOut(action(p, "users"));
    assert.ok(!sql.includes("sixteen-characters-at-least"));
    assert.equal((sql.match(/ AS "pgferry_h\d+"/g) ?? []).length, 2, "one hash for the email, one for the row key");
    assert.match(sql, /CAST\(CASE WHEN char_length\("public"\."users"\."code"::text\) <= 2 .* AS character varying\) AS "code"/);
    assert.match(sql, /convert_to\(ROW\("public"\."users"\."id"\)::text, 'UTF8'\)/);
    assert.match(sql, /^COPY \(SELECT "public"\."users"\."id" AS "id", .* FROM ONLY "public"\."users", LATERAL \(SELECT .* OFFSET 0\) AS pgferry_h\) TO STDOUT \(FORMAT binary\)$/);
    assert.match(renderRowsWhere(users, "id = 1", action(p, "users").copy.transforms), /FROM \(SELECT \* FROM ONLY "public"\."users" WHERE \(id = 1\)\) AS r, LATERAL \(SELECT sha256/);
  });
});

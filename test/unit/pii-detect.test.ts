/** Issue 15, Coverage, the pure parts: the column-name matcher, the value patterns, and --strict-pii in the plan. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfigText } from "../../src/config/load-config.js";
import type { Constraint, Table } from "../../src/model/catalog.js";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { buildSyncPlan } from "../../src/plan/build-sync-plan.js";
import { judgeValues, luhnValid, matchValue, nameWords, piiByName, suggestKind } from "../../src/pii/pii-detect.js";
import { ALL_TABLES, catalog, col, table } from "../harness/catalog-builders.js";

const text = (name: string, type = "text") => col(name, type, { category: "S" });

describe("PII by column name", () => {
  it("splits snake_case, camelCase, acronyms and digits into words", () => {
    assert.deepEqual(nameWords("userEmail2"), ["user", "email", "2"]);
    assert.deepEqual(nameWords("e_mail"), ["e", "mail"]);
    assert.deepEqual(nameWords("IPAddress"), ["ip", "address"]);
    assert.deepEqual(nameWords("billing_Street_1"), ["billing", "street", "1"]);
  });

  it("matches whole words in any case style", () => {
    const cases: [string, string | null][] = [
      ["email", "email"], ["e_mail", "email"], ["eMail", "email"], ["contact_email", "email"], ["EmailAddress", "email"], ["emails", "email"],
      ["first_name", "name"], ["firstName", "name"], ["lastname", "name"], ["surname", "name"], ["full_name", "name"],
      ["phone", "phone"], ["mobile_number", "phone"], ["tel", "phone"], ["homePhone", "phone"],
      ["street", "address"], ["city", "address"], ["zip_code", "address"], ["postcode", "address"], ["billing_address", "address"],
      ["birth_date", "birth date"], ["born_on", "birth date"], ["dob", "birth date"], ["dateOfBirth", "birth date"],
      ["ssn", "identity number"], ["passport_no", "identity number"], ["iban", "payment"], ["card_number", "payment"],
      ["ip_address", "ip address"], ["last_ip", "ip address"],
      ["password", "secret"], ["password_hash", "secret"], ["api_key", "secret"], ["apiKey", "secret"], ["reset_token", "secret"], ["client_secret", "secret"],
      // not whole words, or nothing personal
      ["hostname", null], ["emailer_queue", null], ["telemetry", null], ["capacity", null], ["tokenizer", null], ["rename_at", null], ["name", null],
      ["description", null], ["typed", null], ["shipping_method", null], ["home_city", "address"],
    ];
    for (const [name, category] of cases) assert.equal(piiByName(text(name)), category, name);
  });

  it("leaves columns alone whose type cannot hold what the name says", () => {
    assert.equal(piiByName(col("email_verified", "boolean", { category: "B" })), null);
    assert.equal(piiByName(col("email_sent_at", "timestamp with time zone", { category: "D" })), null);
    assert.equal(piiByName(col("token_count", "integer", { category: "N" })), null);
    assert.equal(piiByName(col("birth_date", "date", { category: "D" })), "birth date");
    assert.equal(piiByName(col("phone", "bigint", { category: "N" })), "phone");
  });

  it("suggests a kind that fits the column's type", () => {
    assert.equal(suggestKind("name", text("first_name")), "first_name");
    assert.equal(suggestKind("name", text("surname")), "last_name");
    assert.equal(suggestKind("name", text("display_name")), "full_name");
    assert.equal(suggestKind("birth date", col("dob", "date", { category: "D" })), "noise");
    assert.equal(suggestKind("secret", text("api_key")), "hash");
    assert.equal(suggestKind("email", text("email")), "email");
    assert.equal(suggestKind("ip address", col("ip", "inet", { category: "I" })), "null");
  });
});

describe("PII by value", () => {
  it("recognises emails, phones, IPv4, payment cards (Luhn) and IBANs (mod 97)", () => {
    const cases: [string, string | null][] = [
      ["alice@example.com", "email"], ["a.b+c@mail.co.uk", "email"], ["not an @ email", null], ["user@localhost", null],
      ["+49 170 5550123", "phone"], ["(555) 010-4477", "phone"], ["555-010-4477", "phone"], ["12345678", null], ["2024-03-01", null], ["2024-03-01 10:00:00", null],
      ["192.168.1.20", "ipv4"], ["10.0.0.0/8", "ipv4"], ["256.1.1.1", null], ["1.2.3", null],
      ["4111 1111 1111 1111", "payment card"], ["4111111111111111", "payment card"], ["4111111111111112", null], ["0000000000000000", null],
      ["DE89 3704 0044 0532 0130 00", "iban"], ["GB82WEST12345698765432", "iban"], ["DE89370400440532013001", null],
      ["hello world", null], ["", null],
    ];
    for (const [value, pattern] of cases) assert.equal(matchValue(value), pattern, value);
    assert.ok(luhnValid("79927398713"));
    assert.ok(!luhnValid("79927398710"));
  });

  it("reports the most frequent pattern and its rate over non-null values, from half of them on", () => {
    assert.deepEqual(judgeValues(["a@b.example", "c@d.example", null, "x", null]), { pattern: "email", rate: 2 / 3, sampled: 3 });
    assert.equal(judgeValues(["a@b.example", "x", "y"]), null);
    assert.equal(judgeValues([null, null]), null);
    assert.equal(judgeValues([]), null);
    assert.deepEqual(judgeValues(["10.0.0.1", "10.0.0.2"]), { pattern: "ipv4", rate: 1, sampled: 2 });
  });
});

describe("--strict-pii in the plan", () => {
  const pk = (columns: string[]): Constraint => ({ name: "pk", kind: "primary", definition: "", columns, references: null, referencedColumns: [], deferrable: false, initiallyDeferred: false, comment: null });
  const users = table("users", [col("id"), text("email"), text("phone"), text("nickname"), col("active", "boolean", { category: "B" })], { constraints: [pk(["id"])] });
  const orders = table("orders", [col("id"), text("user_email"), text("city")], {
    constraints: [pk(["id"]), { ...pk(["user_email"]), name: "orders_email_fk", kind: "foreign", references: qualifiedName("public", "users"), referencedColumns: ["email"] }],
  });
  const plan = (yaml: string, strict: boolean, tables: Table[] = [users, orders], include: string[] = []) => {
    const config = parseConfigText(yaml, "pgferry.yml", {});
    return buildSyncPlan({
      source: catalog(tables),
      target: catalog([]),
      selection: { ...ALL_TABLES, include },
      cascade: false,
      tables: config.tables,
      transform: { rules: config.transform.rules, secret: true, strict },
    });
  };
  const errors = (p: ReturnType<typeof plan>) => p.diagnostics.filter((d) => d.level === "error").map((d) => `${d.table?.name}: ${d.message}`);

  it("refuses one line per uncovered column, and only when strict", () => {
    assert.deepEqual(errors(plan("{}", false)), []);
    assert.deepEqual(errors(plan("{}", true)), [
      'users: column "email" looks like personal data (email) and has no transform: configure one (e.g. kind email), or kind keep to mark it reviewed [--strict-pii]',
      'users: column "phone" looks like personal data (phone) and has no transform: configure one (e.g. kind phone), or kind keep to mark it reviewed [--strict-pii]',
      'orders: column "user_email" looks like personal data (email) and has no transform: configure one (e.g. kind email), or kind keep to mark it reviewed [--strict-pii]',
      'orders: column "city" looks like personal data (address) and has no transform: configure one (e.g. kind mask), or kind keep to mark it reviewed [--strict-pii]',
    ]);
  });

  it("counts explicit transforms, rules, FK inheritance and keep as covered", () => {
    const yaml = `transform:
  rules:
    - { match: "*.phone", kind: phone }
tables:
  users:
    transform:
      email: { kind: email }
  orders:
    transform:
      city: { kind: keep }
`;
    assert.deepEqual(errors(plan(yaml, true)), [], "orders.user_email follows users.email through its FK");
    const kept = "tables:\n  users:\n    transform:\n      email: { kind: keep }\n      phone: { kind: keep }\n  orders:\n    transform:\n      city: { kind: keep }\n";
    assert.deepEqual(errors(plan(kept, true)), [], "a column referencing a kept one is reviewed with it");
  });

  it("looks only at the selected tables, and catches a column added after a migration", () => {
    assert.deepEqual(errors(plan("tables:\n  users:\n    transform:\n      email: { kind: email }\n      phone: { kind: keep }\n", true, [users, orders], ["users"])), []);
    const migrated = table("users", [...users.columns, text("passwordDigest")], { constraints: [pk(["id"])] });
    assert.deepEqual(errors(plan("tables:\n  users:\n    transform:\n      email: { kind: email }\n      phone: { kind: keep }\n", true, [migrated, orders], ["users"])), [
      'users: column "passwordDigest" looks like personal data (secret) and has no transform: configure one (e.g. kind hash), or kind keep to mark it reviewed [--strict-pii]',
    ]);
  });

  it("reads transform.strict from pgferry.yml", () => {
    assert.equal(parseConfigText("transform:\n  strict: true\n", "pgferry.yml", {}).transform.strict, true);
    assert.throws(() => parseConfigText("transform:\n  strict: yes please\n", "pgferry.yml", {}), /transform\.strict/);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../src/errors.js";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { matchesPattern, parseTablePattern } from "../../src/plan/table-pattern.js";

const matches = (pattern: string, schema: string, name: string) => matchesPattern(parseTablePattern(pattern), qualifiedName(schema, name));

describe("table patterns", () => {
  it("matches unqualified names in every schema", () => {
    assert.equal(matches("users", "public", "users"), true);
    assert.equal(matches("users", "auth", "users"), true);
    assert.equal(matches("users", "public", "users_old"), false);
  });
  it("matches schema-qualified names and globs", () => {
    assert.equal(matches("public.users", "auth", "users"), false);
    assert.equal(matches("public.*", "public", "anything"), true);
    assert.equal(matches("*.audit_?", "x", "audit_1"), true);
    assert.equal(matches("*.audit_?", "x", "audit_10"), false);
  });
  it("is case-sensitive, as quoted PostgreSQL names are", () => {
    assert.equal(matches("User", "public", "User"), true);
    assert.equal(matches("user", "public", "User"), false);
  });
  it("takes quoted parts literally, dots, stars and quotes included", () => {
    assert.equal(matches('"Billing Dept"."Invoice.2024"', "Billing Dept", "Invoice.2024"), true);
    assert.equal(matches('"a*"', "public", "a*"), true);
    assert.equal(matches('"a*"', "public", "ab"), false);
    assert.equal(matches('"say ""hi"""', "public", 'say "hi"'), true);
    assert.equal(matches("public.bıgınt", "public", "bıgınt"), true);
  });
  it("treats regular-expression characters as plain text", () => {
    assert.equal(matches("a+b", "public", "a+b"), true);
    assert.equal(matches("a+b", "public", "aab"), false);
    assert.equal(matches("t(1)", "public", "t(1)"), true);
  });
  it("rejects malformed patterns", () => {
    assert.throws(() => parseTablePattern("a.b.c"), ConfigError);
    assert.throws(() => parseTablePattern('"unclosed'), /unbalanced double quote/);
    assert.throws(() => parseTablePattern("public."), ConfigError);
  });
});

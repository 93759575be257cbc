import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { quoteIdent, quoteLiteral, quoteQualified } from "../../src/sql/quote.js";

describe("quoting", () => {
  it("double-quotes identifiers and doubles inner quotes", () => {
    assert.equal(quoteIdent("users"), '"users"');
    assert.equal(quoteIdent('we"ird'), '"we""ird"');
    assert.equal(quoteIdent("Mixed Case.dot"), '"Mixed Case.dot"');
    assert.equal(quoteQualified(qualifiedName("Billing Dept", "bıgınt")), '"Billing Dept"."bıgınt"');
  });
  it("refuses empty identifiers and NUL bytes", () => {
    assert.throws(() => quoteIdent(""));
    assert.throws(() => quoteIdent("a\u0000b"));
    assert.throws(() => quoteLiteral("a\u0000b"));
  });
  it("quotes DDL literals, with the E'' form for backslashes", () => {
    assert.equal(quoteLiteral("it's"), "'it''s'");
    assert.equal(quoteLiteral("a\\b"), "E'a\\\\b'");
  });
});

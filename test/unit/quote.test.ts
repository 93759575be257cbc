import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { quoteIdent, quoteLiteral, quoteQualified, quoteRelation } from "../../src/sql/quote.js";

describe("quoting", () => {
  it("double-quotes identifiers and doubles inner quotes", () => {
    assert.equal(quoteIdent("users"), '"users"');
    assert.equal(quoteIdent('we"ird'), '"we""ird"');
    assert.equal(quoteIdent("Mixed Case.dot"), '"Mixed Case.dot"');
    assert.equal(quoteQualified(qualifiedName("Billing Dept", "bıgınt")), '"Billing Dept"."bıgınt"');
  });
  it("writes ONLY before a plain table's name when asked", () => {
    assert.equal(quoteRelation(qualifiedName("public", "m"), true), 'ONLY "public"."m"');
    assert.equal(quoteRelation(qualifiedName("public", "p"), false), '"public"."p"');
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

describe("index definitions of partitioned tables", () => {
  it("drop ONLY so the index reaches every partition, whatever the index is named", async () => {
    const { indexOnAllPartitions } = await import("../../src/ddl/index-definition.js");
    assert.equal(indexOnAllPartitions("CREATE INDEX p_idx ON ONLY public.p USING btree (a)"), "CREATE INDEX p_idx ON public.p USING btree (a)");
    assert.equal(indexOnAllPartitions('CREATE UNIQUE INDEX "x ON ONLY y" ON ONLY public.p USING btree (a)'), 'CREATE UNIQUE INDEX "x ON ONLY y" ON public.p USING btree (a)');
    assert.equal(indexOnAllPartitions("CREATE INDEX i ON public.only_t USING btree (a)"), "CREATE INDEX i ON public.only_t USING btree (a)");
  });
});

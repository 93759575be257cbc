/** The real-schema loader takes out only the removals it is given, and fails when one no longer matches. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyRemovals, DUMP_ON_15 } from "../harness/load-schema-file.js";

const DUMP = [
  "\\restrict abc",
  "SET transaction_timeout = 0;",
  "SET lock_timeout = 0;",
  "--",
  "-- Name: vector; Type: EXTENSION; Schema: -; Owner: -",
  "--",
  "",
  "CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;",
  "",
  "--",
  "-- Name: film; Type: TABLE; Schema: public; Owner: -",
  "--",
  "",
  "CREATE TABLE public.film (",
  "    id integer",
  ");",
  "INSERT INTO public.review VALUES",
  "  (1),",
  "  (2);",
  "\\unrestrict abc",
].join("\n");

describe("applyRemovals", () => {
  it("removes lines, whole pg_dump sections and multi-line statements, and keeps the rest", () => {
    const text = applyRemovals(DUMP, [
      ...DUMP_ON_15,
      { section: /^-- Name: vector; /, why: "no pgvector" },
      { statement: /^INSERT INTO public\.review /, why: "rows of missing parents" },
    ]);
    assert.equal(text, ["SET lock_timeout = 0;", "--", "-- Name: film; Type: TABLE; Schema: public; Owner: -", "--", "", "CREATE TABLE public.film (", "    id integer", ");"].join("\n"));
  });

  it("fails with the reason of a removal that matched nothing (the file changed upstream)", () => {
    assert.throws(() => applyRemovals("SELECT 1;", [{ section: /^-- Name: vector; /, why: "no pgvector" }]), /removal\(s\) matched nothing: no pgvector/);
    assert.equal(applyRemovals("SELECT 1;", DUMP_ON_15), "SELECT 1;", "optional removals may match nothing");
  });
});

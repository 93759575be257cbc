/** Issue 15: the COPY text codec and the js row stage, on hand-made COPY data (no server). */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { text as readAll } from "node:stream/consumers";
import { describe, it } from "node:test";
import { withJsStage } from "../../src/execute/js-row-stage.js";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { CopyLineSplitter, decodeCopyField, encodeCopyField } from "../../src/transform/copy-text-codec.js";

const NASTY = ["", "plain", "\\N", "\\", "\\\\", "a\tb", "line\nbreak", "cr\rlf\r\n", "\b\f\v", "tab at end\t", "\\.", "ü€😀 multi-byte", "ends with \\", "x\\ny (a backslash, then n)"];

describe("the COPY text codec", () => {
  it("round-trips every escape and NULL, and tells NULL from the text \\N", () => {
    for (const value of [...NASTY, null]) assert.equal(decodeCopyField(encodeCopyField(value)), value, JSON.stringify(value));
    assert.equal(encodeCopyField(null), "\\N");
    assert.equal(encodeCopyField("\\N"), "\\\\N");
    assert.equal(encodeCopyField("a\tb\nc\\d\re"), "a\\tb\\nc\\\\d\\re");
    for (const value of NASTY) assert.ok(!/[\t\n\r]/.test(encodeCopyField(value)), "an encoded field holds no raw tab, newline or carriage return");
  });

  it("decodes the byte escapes COPY FROM accepts: octal, hex (a multi-byte character spelled as bytes), and any other escaped character as itself", () => {
    assert.equal(decodeCopyField("\\101\\x42\\x3"), "AB\u0003");
    assert.equal(decodeCopyField("\\xc3\\xbc"), "ü");
    assert.equal(decodeCopyField("\\303\\274"), "ü");
    assert.equal(decodeCopyField("\\q\\8"), "q8");
    assert.equal(decodeCopyField("\\x"), "x", "\\x without hex digits is an escaped x");
  });

  it("splits lines whatever the chunk boundaries, with a multi-byte character cut at every byte", () => {
    const data = Buffer.from("1\tü€😀\n2\t\\N\n3\tend😀\n", "utf8");
    for (let cut = 0; cut <= data.length; cut += 1) {
      for (let second = cut; second <= data.length; second += 1) {
        const splitter = new CopyLineSplitter();
        const lines = [data.subarray(0, cut), data.subarray(cut, second), data.subarray(second)].flatMap((chunk) => splitter.push(chunk));
        assert.deepEqual(lines, ["1\tü€😀", "2\t\\N", "3\tend😀"], `cut at ${cut} and ${second}`);
        assert.equal(splitter.leftover, 0);
      }
    }
  });
});

describe("the js row stage", () => {
  const dir = mkdtempSync(join(tmpdir(), "pgferry-js-"));
  const module = join(dir, "fns.mjs");
  writeFileSync(
    module,
    `export const wrap = (value, row) => value === null ? null : "<" + value + "|" + row.id + ">";
     export const asyncUpper = async (value) => value?.toUpperCase() ?? null;
     export const boom = (value) => { throw new RangeError("bad value " + value); };
     export const number = () => 42;
     export function rowSize(value) { return "keys:" + Object.keys(arguments[1]).length; }
     export const notAFunction = 1;`,
  );
  const action = (fn: string, format: "text" | "binary" = "text") => ({
    table: qualifiedName("public", "t"),
    columns: [{ name: "id" }, { name: "note" }, { name: "other" }],
    copy: { format, transforms: [{ column: "note", kind: "js", params: { module, export: fn, injective: false }, type: "text", typeClass: "text" as const, origin: "from tables:" }] },
  });
  const run = (fn: string, chunks: Buffer[]) => readAll(withJsStage(action(fn), Readable.from(chunks)));

  it("replaces only the js column, passes the other fields' bytes as they came, at every chunk boundary", async () => {
    const rows = NASTY.map((v, i) => `${i}\t${encodeCopyField(v)}\t${encodeCopyField(`keep ${v}`)}\n`).join("") + "99\t\\N\t\\N\n";
    const data = Buffer.from(rows, "utf8");
    const expected = NASTY.map((v, i) => `${i}\t${encodeCopyField(`<${v}|${i}>`)}\t${encodeCopyField(`keep ${v}`)}\n`).join("") + "99\t\\N\t\\N\n";
    for (let cut = 0; cut <= data.length; cut += 7) {
      assert.equal(await run("wrap", [data.subarray(0, cut), data.subarray(cut)]), expected, `cut at ${cut}`);
    }
    const oneByteChunks = [...data].map((b) => Buffer.from([b]));
    assert.equal(await run("wrap", oneByteChunks), expected, "one byte per chunk");
    assert.equal(await run("asyncUpper", [Buffer.from("1\tab\\tc\tx\n")]), "1\tAB\\tC\tx\n", "a function may return a promise");
  });

  it("replaces several js columns of a row, whatever the order they are configured in; a one-parameter function alone gets an empty row", async () => {
    const two = {
      ...action("wrap"),
      copy: {
        format: "text" as const,
        transforms: [
          { column: "other", kind: "js", params: { module, export: "rowSize", injective: false }, type: "text", typeClass: "text" as const, origin: "from tables:" },
          { column: "note", kind: "js", params: { module, export: "wrap", injective: false }, type: "text", typeClass: "text" as const, origin: "from tables:" },
        ],
      },
    };
    const data = Buffer.from("1\tü\\t\tx\n2\t\\N\tz😀\n", "utf8");
    for (let cut = 0; cut <= data.length; cut += 1) {
      const out = await readAll(withJsStage(two, Readable.from([data.subarray(0, cut), data.subarray(cut)])));
      assert.equal(out, "1\t<ü\\t|1>\tkeys:3\n2\t\\N\tkeys:3\n", `cut at ${cut}`);
    }
    assert.equal(await run("rowSize", [data]), "1\tkeys:0\tx\n2\tkeys:0\tz😀\n", "alone, a one-parameter function is given an empty row");
  });

  it("fails naming the table, column, function and row, never the value; refuses a non-string result and a non-function export", async () => {
    const data = [Buffer.from("1\tfine\tx\n2\tsecret-value\tx\n")];
    await assert.rejects(run("boom", data), (error: Error) => {
      assert.equal(error.message, `js transform of public.t.note (boom from ${module}) threw RangeError on row 1`);
      return true;
    });
    await assert.rejects(run("number", data), new RegExp(`^Error: js transform of public\\.t\\.note \\(number from .*\\) returned a number, not a string or null on row 1$`));
    await assert.rejects(run("notAFunction", data), /^ConfigError: js transform of public\.t\.note \(notAFunction from .*fns\.mjs\): cannot load it: its export notAFunction is a number, not a function$/);
    await assert.rejects(run("missing", data), /cannot load it: it has no export missing$/);
    await assert.rejects(readAll(withJsStage(action("wrap"), Readable.from([Buffer.from("1\tcut off")]))), /public\.t: the source's COPY data ended inside a row/);
    assert.throws(() => withJsStage(action("wrap", "binary"), Readable.from([])), /js transforms need text COPY/);
  });
});

/**
 * The row stage of a table with `js` transforms, between the source's COPY … TO STDOUT (text
 * format, forced by the plan) and whatever the rows go to (the target's COPY FROM, a snapshot
 * file). Each line is split into fields on tab bytes; only the js columns are decoded and
 * re-encoded, every other field passes as the bytes the source sent. The row object a function
 * gets holds the row's values as the SELECT read them (other transforms applied). A failure
 * names the table, column and row number, never a value.
 */
import { pipeline, Transform, type TransformCallback } from "node:stream";
import type { ColumnTransform } from "../model/plan.js";
import { displayName, type QualifiedName } from "../model/qualified-name.js";
import type { CopyOutStream } from "../pg/session.js";
import { CopyLineSplitter, decodeCopyField, encodeCopyField, fieldBounds } from "../transform/copy-text-codec.js";
import { describeJsFunction } from "../transform/js-transformer.js";
import { activeTransforms } from "../transform/render-transforms.js";
import { jsModulePath, loadJsTransform, type JsTransformFunction } from "./load-js-transform.js";

interface CopiedTable {
  readonly table: QualifiedName;
  readonly columns: readonly { readonly name: string }[];
  readonly copy: { readonly format: "binary" | "text"; readonly transforms?: readonly ColumnTransform[] };
}

/** The table's js transforms (none: its rows pass as bytes). */
export function jsTransformsOf(action: CopiedTable): readonly ColumnTransform[] {
  return activeTransforms(action.copy.transforms).filter((t) => t.kind === "js");
}

interface Slot {
  readonly index: number;
  readonly transform: ColumnTransform;
  fn?: JsTransformFunction;
}

const EMPTY_ROW: Readonly<Record<string, string | null>> = Object.freeze({});

/** `out` with the js columns of each row replaced by their function's result; `out` itself when the table has none. */
export function withJsStage(action: CopiedTable, out: CopyOutStream): CopyOutStream {
  const transforms = jsTransformsOf(action);
  if (transforms.length === 0) return out;
  if (action.copy.format !== "text") throw new Error(`${displayName(action.table)}: js transforms need text COPY`);
  const names = action.columns.map((c) => c.name);
  const slots: Slot[] = transforms.map((t) => ({ index: names.indexOf(t.column), transform: t }));
  // Replaced in line order, so the bytes between them are copied in one pass.
  const ordered = [...slots].sort((a, b) => a.index - b.index);
  const order = ordered.map((slot) => slots.indexOf(slot));
  const splitter = new CopyLineSplitter();
  const bounds = new Int32Array(names.length * 2);
  let rowNumber = 0;
  const fail = (slot: Slot, what: string) =>
    new Error(`js transform of ${displayName(action.table)}.${slot.transform.column} (${describeJsFunction({ ...slot.transform.params, module: jsModulePath(slot.transform.params) })}) ${what} on row ${rowNumber}`);
  const field = (data: Buffer, i: number) => decodeCopyField(data.toString("utf8", bounds[2 * i], bounds[2 * i + 1]));

  /** The lines of `data` with each js field replaced: the bytes between them are copied as they came. */
  const transformLines = async (data: Buffer): Promise<Buffer> => {
    for (const slot of slots) slot.fn ??= await loadJsTransform(action.table, slot.transform);
    // When every function declares exactly one parameter (value), none reads the row: it is not built.
    const wantsRow = slots.some((slot) => slot.fn!.length !== 1);
    const pieces: Buffer[] = [];
    for (let start = 0, end = data.indexOf(0x0a); end >= 0; start = end + 1, end = data.indexOf(0x0a, start)) {
      rowNumber += 1;
      fieldBounds(data, start, end, names.length, bounds);
      let row: Record<string, string | null> | undefined;
      if (wantsRow) {
        row = {};
        for (let i = 0; i < names.length; i += 1) row[names[i]!] = field(data, i);
      }
      const results: (string | null)[] = [];
      for (const slot of slots) {
        let result: unknown;
        try {
          result = slot.fn!(row ? row[slot.transform.column]! : field(data, slot.index), row ?? EMPTY_ROW);
          if (result instanceof Promise) result = await result;
        } catch (error) {
          // Its message is not shown: a function's error may quote the row's values.
          throw fail(slot, `threw ${error instanceof Error ? error.name : typeof error}`);
        }
        if (result !== null && typeof result !== "string") throw fail(slot, `returned ${result === undefined ? "undefined" : `a ${typeof result}`}, not a string or null`);
        results.push(result);
      }
      let from = start;
      for (const [n, slot] of ordered.entries()) {
        pieces.push(data.subarray(from, bounds[2 * slot.index]), Buffer.from(encodeCopyField(results[order[n]!]!), "utf8"));
        from = bounds[2 * slot.index + 1]!;
      }
      pieces.push(data.subarray(from, end + 1));
    }
    return Buffer.concat(pieces);
  };

  const stage = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      transformLines(splitter.pushBytes(chunk)).then(
        (lines) => callback(null, lines.length ? lines : undefined),
        (error: unknown) => callback(error as Error),
      );
    },
    flush(callback: TransformCallback) {
      callback(splitter.leftover ? new Error(`${displayName(action.table)}: the source's COPY data ended inside a row`) : null);
    },
  });
  pipeline(out, stage, () => undefined); // an error on either side destroys both; the consumer sees it on the stage
  Object.defineProperty(stage, "rowCount", { get: () => out.rowCount });
  return stage as CopyOutStream;
}

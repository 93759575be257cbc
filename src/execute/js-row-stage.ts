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
import { CopyLineSplitter, decodeCopyField, encodeCopyField } from "../transform/copy-text-codec.js";
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

/** `out` with the js columns of each row replaced by their function's result; `out` itself when the table has none. */
export function withJsStage(action: CopiedTable, out: CopyOutStream): CopyOutStream {
  const transforms = jsTransformsOf(action);
  if (transforms.length === 0) return out;
  if (action.copy.format !== "text") throw new Error(`${displayName(action.table)}: js transforms need text COPY`);
  const names = action.columns.map((c) => c.name);
  const slots: Slot[] = transforms.map((t) => ({ index: names.indexOf(t.column), transform: t }));
  const splitter = new CopyLineSplitter();
  let rowNumber = 0;
  const fail = (slot: Slot, what: string) =>
    new Error(`js transform of ${displayName(action.table)}.${slot.transform.column} (${describeJsFunction({ ...slot.transform.params, module: jsModulePath(slot.transform.params) })}) ${what} on row ${rowNumber}`);

  const transformLines = async (lines: readonly string[]): Promise<string> => {
    for (const slot of slots) slot.fn ??= await loadJsTransform(action.table, slot.transform);
    let text = "";
    for (const line of lines) {
      rowNumber += 1;
      const fields = line.split("\t");
      const row: Record<string, string | null> = {};
      for (let i = 0; i < names.length; i += 1) row[names[i]!] = decodeCopyField(fields[i]!);
      for (const slot of slots) {
        let result: unknown;
        try {
          result = slot.fn!(row[slot.transform.column]!, row);
          if (result instanceof Promise) result = await result;
        } catch (error) {
          // Its message is not shown: a function's error may quote the row's values.
          throw fail(slot, `threw ${error instanceof Error ? error.name : typeof error}`);
        }
        if (result !== null && typeof result !== "string") throw fail(slot, `returned ${result === undefined ? "undefined" : `a ${typeof result}`}, not a string or null`);
        fields[slot.index] = encodeCopyField(result);
      }
      text += `${fields.join("\t")}\n`;
    }
    return text;
  };

  const stage = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      transformLines(splitter.push(chunk)).then(
        (text) => callback(null, text.length ? Buffer.from(text, "utf8") : undefined),
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

/**
 * The `js` kind: a function exported by a module of the user's, applied in Node by the COPY row
 * stage (execute/js-row-stage) to the column's text; the source's SELECT reads the column as it
 * is. Whether it is deterministic is the function's business; on a UNIQUE/PK/FK column the user
 * must declare it injective. Pure: the module is loaded by the executor, not here.
 */
import { z } from "zod";
import type { Params, Transformer } from "./transformer-registry.js";

export const JS_TRANSFORMER: Transformer = {
  kind: "js",
  description: "your function (module, export) applied in Node to the column's text and the row's; injective: true declares it unique-safe",
  params: z.strictObject({
    module: z.string().min(1),
    export: z.string().regex(/^[A-Za-z_$][\w$]*$/, "must be the name of an export").default("default"),
    injective: z.boolean().default(false),
  }),
  keyed: false,
  hashes: "none",
  deterministic: true,
  injective: (p) => p["injective"] === true,
  uniqueSafeWhen: "injective: true (your word for it)",
  accepts: "any",
  inNode: true,
  render: (_p, input) => input.value,
};

/** `maskNotes from /app/anonymize.mjs`, for messages. */
export function describeJsFunction(params: Params): string {
  return `${String(params["export"])} from ${String(params["module"])}`;
}

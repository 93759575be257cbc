/**
 * The path syntax of the `json` kind: `$` then keys (`.name`, `["any key"]`), array indexes
 * (`[0]`) and every element of an array (`[*]`). A small subset of SQL/JSON paths on purpose:
 * each step maps to one jsonb operation, so a path renders to plain SQL (jsonb_set and
 * jsonb_array_elements, PostgreSQL 9.5+) and leaves everything off the path as it was. Pure.
 */
export type JsonPathStep = { readonly kind: "key"; readonly key: string } | { readonly kind: "index"; readonly index: number } | { readonly kind: "each" };

const STEP = /^(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d{1,9})\]|\[\*\]|\["((?:[^"\\]|\\.)*)"\])/;

/** The steps of a path, or a reason it is not one. */
export function parseJsonPath(path: string): readonly JsonPathStep[] | string {
  if (!path.startsWith("$")) return "must start with $ (e.g. $.profile.email)";
  const steps: JsonPathStep[] = [];
  let rest = path.slice(1);
  while (rest.length) {
    const match = STEP.exec(rest);
    if (!match) return `cannot read ${JSON.stringify(rest)}: use .key, ["key"], [0] or [*]`;
    if (match[1] !== undefined) steps.push({ kind: "key", key: match[1] });
    else if (match[2] !== undefined) steps.push({ kind: "index", index: Number(match[2]) });
    else if (match[3] !== undefined) steps.push({ kind: "key", key: JSON.parse(`"${match[3]}"`) as string });
    else steps.push({ kind: "each" });
    rest = rest.slice(match[0].length);
  }
  if (steps.length === 0) return "names the whole document: name a value inside it (e.g. $.email)";
  return steps;
}

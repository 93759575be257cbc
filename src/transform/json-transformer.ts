/**
 * The `json` kind: other kinds applied to values inside a json/jsonb document, in SQL. Each
 * path's value is read as text (a string's contents, another value's JSON text), transformed by
 * its kind exactly as a text column would be (the same keyed hash, so `$.email` under `email`
 * gives what a text column holding that address gets) and written back as a JSON string. The
 * rest of the document is kept; an absent path stays absent, a JSON null stays null, an SQL
 * NULL stays NULL. Pure.
 */
import { z } from "zod";
import { quoteLiteral } from "../sql/quote.js";
import { parseJsonPath, type JsonPathStep } from "./json-path.js";
import { renderKeyedHash } from "./keyed-hash.js";
import { isKeyed, type Params, type Transformer } from "./transformer-registry.js";

/** Kinds that make no sense on a value inside a document: they read other columns, the target, or Node. */
const NOT_INSIDE: Readonly<Record<string, string>> = {
  json: "json inside json: name the inner path instead",
  js: "js runs in Node, not in the source's SELECT",
  default: "a value inside a document has no column default",
  sql: "an sql expression reads the row's columns, not a value inside a document",
  shift: "shift is keyed by the row, not the value",
};

interface PathTransform {
  readonly kind: string;
  readonly params: Params;
}

type Find = (kind: string) => Transformer | undefined;

function pathsSchema(find: Find) {
  return z.record(z.string(), z.looseObject({ kind: z.string() })).transform((paths, ctx) => {
    const out: Record<string, PathTransform> = {};
    for (const [path, spec] of Object.entries(paths)) {
      const steps = parseJsonPath(path);
      if (typeof steps === "string") {
        ctx.addIssue({ code: "custom", message: `path ${JSON.stringify(path)} ${steps}` });
        continue;
      }
      const { kind, ...rest } = spec;
      const transformer = find(kind);
      if (!transformer) {
        ctx.addIssue({ code: "custom", message: `path ${JSON.stringify(path)}: unknown kind ${kind}` });
        continue;
      }
      const parsed = transformer.params.safeParse(rest);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        ctx.addIssue({ code: "custom", message: `path ${JSON.stringify(path)}: kind ${kind}: ${issue.path.length ? `${issue.path.map(String).join(".")}: ` : ""}${issue.message}` });
        continue;
      }
      out[path] = { kind, params: parsed.data as Params };
    }
    return out;
  });
}

function pathsOf(params: Params): Readonly<Record<string, PathTransform>> {
  return params["paths"] as Record<string, PathTransform>;
}

/** The `json` transformer; `find` looks up the other kinds (the registry it belongs to). */
export function jsonTransformer(find: Find): Transformer {
  const get = (kind: string) => find(kind)!;
  return {
    kind: "json",
    description: "other kinds applied to values at paths inside a json/jsonb document ($.key, [\"key\"], [0], [*]); the rest is kept",
    params: z.strictObject({ paths: pathsSchema(find).refine((p) => Object.keys(p).length > 0, "name at least one path") }),
    keyed: (p) => Object.values(pathsOf(p)).some((t) => isKeyed(get(t.kind), t.params)),
    keyedWhen: "when a path's kind is keyed",
    hashes: "none",
    deterministic: true,
    injective: () => false,
    accepts: ["json"],
    fits: (p) => {
      for (const [path, t] of Object.entries(pathsOf(p))) {
        const inner = get(t.kind);
        const reason = NOT_INSIDE[t.kind] ?? (inner.accepts === "any" || inner.accepts.includes("text") ? null : `kind ${t.kind} cannot write text`);
        if (reason) return `path ${JSON.stringify(path)}: ${reason}`;
      }
      return null;
    },
    render: (p, input) => {
      let doc = `${input.value}::jsonb`;
      let depth = 0;
      for (const [path, t] of Object.entries(pathsOf(p))) {
        const steps = parseJsonPath(path) as readonly JsonPathStep[];
        doc = renderAt(doc, steps, (text) => renderLeaf(get(t.kind), t.params, text, `pgferry_j${depth++}`), () => depth++);
      }
      return doc;
    },
  };
}

/** The new JSON value of a leaf: a JSON null stays null, anything else becomes the kind's text as a JSON string. */
function renderLeaf(transformer: Transformer, params: Params, value: string, alias: string): string {
  const text = `(${value} #>> '{}')`;
  if (!isKeyed(transformer, params)) {
    const sql = transformer.render(params, { value: text, hash: "NULL", typeClass: "text", type: "text" }) ?? "NULL";
    return `CASE WHEN jsonb_typeof(${value}) = 'null' THEN ${value} ELSE coalesce(to_jsonb(CAST(${sql} AS text)), 'null'::jsonb) END`;
  }
  // The hash once per value: a kind may read it many times (phone: once per digit).
  const sql = transformer.render(params, { value: `${alias}.t`, hash: `${alias}.h`, typeClass: "text", type: "text" }) ?? "NULL";
  const leaf = `(SELECT coalesce(to_jsonb(CAST(${sql} AS text)), 'null'::jsonb) FROM (SELECT ${text} AS t, ${renderKeyedHash(text)} AS h OFFSET 0) AS ${alias})`;
  return `CASE WHEN jsonb_typeof(${value}) = 'null' THEN ${value} ELSE ${leaf} END`;
}

/**
 * `doc` with the value at `steps` replaced by `leaf(value)`, when it is there. Each step reads
 * its document once, through a one-row subquery (OFFSET 0 keeps it from being flattened), so the
 * SQL grows with the path's length, not exponentially.
 */
function renderAt(doc: string, steps: readonly JsonPathStep[], leaf: (value: string) => string, nextAlias: () => number): string {
  if (steps.length === 0) return leaf(doc);
  const alias = `pgferry_j${nextAlias()}`;
  const d = `${alias}.d`;
  const [step, ...rest] = steps as [JsonPathStep, ...JsonPathStep[]];
  let body: string;
  switch (step.kind) {
    case "key": {
      const key = quoteLiteral(step.key);
      body = `CASE WHEN jsonb_typeof(${d}) = 'object' AND ${d} ? ${key} THEN jsonb_set(${d}, ARRAY[${key}], ${renderAt(`(${d} -> ${key})`, rest, leaf, nextAlias)}) ELSE ${d} END`;
      break;
    }
    case "index":
      body = `CASE WHEN jsonb_typeof(${d}) = 'array' AND jsonb_array_length(${d}) > ${step.index} THEN jsonb_set(${d}, ARRAY['${step.index}'], ${renderAt(`(${d} -> ${step.index})`, rest, leaf, nextAlias)}) ELSE ${d} END`;
      break;
    case "each": {
      const element = `${alias}_e`;
      const inner = renderAt(`${element}.v`, rest, leaf, nextAlias);
      body = `CASE WHEN jsonb_typeof(${d}) = 'array' THEN (SELECT coalesce(jsonb_agg(${inner} ORDER BY ${element}.n), '[]'::jsonb) FROM jsonb_array_elements(${d}) WITH ORDINALITY AS ${element}(v, n)) ELSE ${d} END`;
      break;
    }
  }
  return `(SELECT ${body} FROM (SELECT ${doc} AS d OFFSET 0) AS ${alias})`;
}

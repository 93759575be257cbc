/**
 * The transformers: a literal registry (nothing registers itself on import). Each kind has
 * validated parameters, flags (keyed, deterministic, injective) and a pure SQL rendering that
 * runs inside the source's `COPY (SELECT …) TO STDOUT`, so original values never leave the
 * source server. NULL stays NULL under every kind but `sql`. Pure.
 */
import { z } from "zod";
import { quoteLiteral } from "../sql/quote.js";
import type { TypeClass } from "./column-type-class.js";
import { FIRST_NAMES, LAST_NAMES, longest } from "./name-lists.js";
import { ADDRESS_TRANSFORMERS } from "./address-transformers.js";
import { JS_TRANSFORMER } from "./js-transformer.js";
import { jsonTransformer } from "./json-transformer.js";
import { fillDigits, pick, uniform } from "./keyed-pick.js";

/** What a rendering reads: the original value and, for keyed kinds, its keyed hash (bytea). */
export interface RenderInput {
  readonly value: string;
  readonly hash: string;
  readonly typeClass: TypeClass;
  /** The type the output is cast to. */
  readonly type: string;
}

export interface Transformer {
  readonly kind: string;
  readonly description: string;
  /** Parameters (besides `kind`), validated; defaults filled in. */
  readonly params: z.ZodObject;
  /** Needs transform.secret: the output derives from HMAC-SHA256(secret, …); a function when that depends on the parameters. */
  readonly keyed: boolean | ((params: Params) => boolean);
  /** When `keyed` depends on the parameters: the condition, for `pgferry transformers`. */
  readonly keyedWhen?: string;
  /** Applied in Node by the COPY row stage (js), not inside the source's SELECT. */
  readonly inNode?: boolean;
  /** What the keyed hash is computed over: the value, or the row's key (`shift`). */
  readonly hashes: "value" | "row" | "none";
  /** The same input (and secret) always gives the same output, in every table, run and path. */
  readonly deterministic: boolean;
  /** Distinct inputs give distinct outputs (with overwhelming probability): allowed on UNIQUE/PK/FK-referenced columns. */
  injective(params: Params): boolean;
  /** When injective depends on the parameters: the condition, for `pgferry transformers`. */
  readonly uniqueSafeWhen?: string;
  /** Column type classes it can write, or "any". */
  readonly accepts: readonly TypeClass[] | "any";
  /** Extra parameter/type checks: a reason it does not fit, or null. */
  fits?(params: Params, typeClass: TypeClass): string | null;
  /** The longest text it can produce, when bounded (checked against varchar(n) / char(n)). */
  maxLength?(params: Params): number | null;
  /** The SQL expression of the new value (the caller casts it to the column's type); null: the column is left out. */
  render(params: Params, input: RenderInput): string | null;
}

export type Params = Readonly<Record<string, unknown>>;

const TEXT: readonly TypeClass[] = ["text"];
const NUMBERS_AND_DATES: readonly TypeClass[] = ["integer", "decimal", "date", "timestamp"];

/** A kind that writes one name of `names`, picked by the keyed hash (not unique). */
function nameFromList(kind: string, what: string, names: readonly string[]): Transformer {
  return {
    kind,
    description: `${what} from a built-in list, picked by the keyed hash (not unique)`,
    params: z.strictObject({}),
    keyed: true,
    hashes: "value",
    deterministic: true,
    injective: never,
    accepts: TEXT,
    maxLength: () => longest(names),
    render: (_p, input) => pick(names, input.hash, 0),
  };
}

/** `value` moved by a keyed offset in [-range, range]: whole numbers for integers, an interval for dates. */
function offset(params: Params, input: RenderInput): string {
  const u = uniform(input.hash);
  const range = params["range"];
  if (typeof range === "number") {
    if (input.typeClass === "integer") {
      const whole = Math.floor(range);
      return `(${input.value}::int8 + (floor(${u} * ${2 * whole + 1}) - ${whole})::int8)`;
    }
    return `(${input.value}::numeric + ((${u} * 2 - 1) * ${range})::numeric)`;
  }
  return `(${input.value} + (${u} * 2 - 1) * ${quoteLiteral(String(range))}::interval)`;
}

function rangeFits(params: Params, typeClass: TypeClass): string | null {
  const numeric = typeClass === "integer" || typeClass === "decimal";
  if (numeric && typeof params["range"] !== "number") return "range must be a number for a numeric column";
  if (!numeric && typeof params["range"] !== "string") return "range must be an interval (e.g. \"30 days\") for a date or timestamp column";
  return null;
}

const never = () => false;
const always = () => true;
const interval = z.string().regex(/^[0-9a-z .:+-]+$/i, "must be an interval such as \"30 days\"");

export const TRANSFORMERS: readonly Transformer[] = [
  {
    kind: "keep",
    description: "the original value (overrides a rule for one column)",
    params: z.strictObject({}),
    keyed: false,
    hashes: "none",
    deterministic: true,
    injective: always,
    accepts: "any",
    render: (_p, input) => input.value,
  },
  {
    kind: "hash",
    description: "hex of HMAC-SHA256(secret, value), cut to `length` characters; the raw 32 bytes in a bytea column",
    params: z.strictObject({ length: z.number().int().min(8).max(64).default(64) }),
    keyed: true,
    hashes: "value",
    deterministic: true,
    // 96 bits or more: a collision among a billion values has a probability below 1e-11.
    injective: (p) => Number(p["length"]) >= 24,
    uniqueSafeWhen: "length >= 24, or a bytea column",
    accepts: ["text", "bytea"],
    maxLength: (p) => Number(p["length"]),
    render: (p, input) => (input.typeClass === "bytea" ? input.hash : `substr(encode(${input.hash}, 'hex'), 1, ${Number(p["length"])})`),
  },
  {
    kind: "email",
    description: "u<24 hex of the keyed hash>@domain: distinct emails stay distinct; keepDomain keeps the original domain",
    params: z.strictObject({
      keepDomain: z.boolean().default(false),
      domain: z.string().regex(/^[A-Za-z0-9.-]+$/, "must be a domain name").default("example.com"),
    }),
    keyed: true,
    hashes: "value",
    deterministic: true,
    injective: always,
    accepts: TEXT,
    maxLength: (p) => (p["keepDomain"] ? null : 26 + String(p["domain"]).length),
    render: (p, input) => {
      const fallback = quoteLiteral(String(p["domain"]));
      const domain = p["keepDomain"] ? `coalesce(nullif(substring(${input.value}::text from '@([^@]*)$'), ''), ${fallback})` : fallback;
      return `'u' || substr(encode(${input.hash}, 'hex'), 1, 24) || '@' || ${domain}`;
    },
  },
  nameFromList("first_name", "a first name", FIRST_NAMES),
  nameFromList("last_name", "a last name", LAST_NAMES),
  {
    kind: "full_name",
    description: "\"First Last\" from the built-in lists, picked by the keyed hash (not unique)",
    params: z.strictObject({}),
    keyed: true,
    hashes: "value",
    deterministic: true,
    injective: never,
    accepts: TEXT,
    maxLength: () => longest(FIRST_NAMES) + 1 + longest(LAST_NAMES),
    render: (_p, input) => `${pick(FIRST_NAMES, input.hash, 0)} || ' ' || ${pick(LAST_NAMES, input.hash, 2)}`,
  },
  {
    kind: "phone",
    description: "the format with each # replaced by a digit of the keyed hash (default 555-###-####; not unique)",
    params: z.strictObject({
      format: z
        .string()
        .default("555-###-####")
        .refine((f) => /#/.test(f) && (f.match(/#/g) ?? []).length <= 32, "must hold 1 to 32 # (one per digit)"),
    }),
    keyed: true,
    hashes: "value",
    deterministic: true,
    injective: never,
    accepts: TEXT,
    maxLength: (p) => String(p["format"]).length,
    render: (p, input) => fillDigits(String(p["format"]), input.hash),
  },
  {
    kind: "uuid",
    description: "a uuid made of the keyed hash's first 128 bits: distinct values stay distinct",
    params: z.strictObject({}),
    keyed: true,
    hashes: "value",
    deterministic: true,
    injective: always,
    accepts: ["uuid", "text"],
    maxLength: () => 36,
    render: (_p, input) => `CAST(encode(substr(${input.hash}, 1, 16), 'hex') AS uuid)`,
  },
  {
    kind: "null",
    description: "NULL",
    params: z.strictObject({}),
    keyed: false,
    hashes: "none",
    deterministic: true,
    injective: never,
    accepts: "any",
    render: () => "NULL",
  },
  {
    kind: "constant",
    description: "the given value for every non-NULL value",
    params: z.strictObject({ value: z.union([z.string(), z.number(), z.boolean()]).transform(String) }),
    keyed: false,
    hashes: "none",
    deterministic: true,
    injective: never,
    accepts: "any",
    maxLength: (p) => String(p["value"]).length,
    // The cast of the literal alone is folded when the SELECT is planned: EXPLAIN refuses a value the type rejects before the run.
    render: (p, input) => `CASE WHEN ${input.value} IS NULL THEN NULL ELSE CAST(${quoteLiteral(String(p["value"]))} AS ${input.type}) END`,
  },
  {
    kind: "default",
    description: "the target column's default: the column is left out of the copy",
    params: z.strictObject({}),
    keyed: false,
    hashes: "none",
    deterministic: false,
    injective: never,
    accepts: "any",
    render: () => null,
  },
  {
    kind: "mask",
    description: "keep the first `first` and last `last` characters, replace the others with `char` (default *)",
    params: z.strictObject({
      first: z.number().int().min(0).default(0),
      last: z.number().int().min(0).default(0),
      char: z.string().length(1).default("*"),
    }),
    keyed: false,
    hashes: "none",
    deterministic: true,
    injective: never,
    accepts: TEXT,
    render: (p, input) => {
      const [first, last, char] = [Number(p["first"]), Number(p["last"]), quoteLiteral(String(p["char"]))];
      const v = `${input.value}::text`;
      return `CASE WHEN char_length(${v}) <= ${first + last} THEN repeat(${char}, char_length(${v})) ELSE left(${v}, ${first}) || repeat(${char}, char_length(${v}) - ${first + last}) || right(${v}, ${last}) END`;
    },
  },
  {
    kind: "noise",
    description: "the value moved by a keyed offset within ±range (a number, or an interval for dates), the same for the same value",
    params: z.strictObject({ range: z.union([z.number().positive(), interval]) }),
    keyed: true,
    hashes: "value",
    deterministic: true,
    injective: never,
    accepts: NUMBERS_AND_DATES,
    fits: rangeFits,
    render: offset,
  },
  {
    kind: "shift",
    description: "dates moved by a keyed offset within ±range, one offset per row (keyed by the `by` columns, default the primary key)",
    params: z.strictObject({ range: interval, by: z.array(z.string().min(1)).min(1).optional() }),
    keyed: true,
    hashes: "row",
    deterministic: true,
    injective: never,
    accepts: ["date", "timestamp"],
    render: offset,
  },
  {
    kind: "sql",
    description: "your SQL expression over the row's columns (checked on the source before the run); injective: true declares it unique-safe",
    params: z.strictObject({ expression: z.string().min(1), injective: z.boolean().default(false) }),
    keyed: false,
    hashes: "none",
    deterministic: true,
    injective: (p) => p["injective"] === true,
    uniqueSafeWhen: "injective: true (your word for it)",
    accepts: "any",
    render: (p) => `(${String(p["expression"])})`,
  },
  ...ADDRESS_TRANSFORMERS,
  // Looks the inner kinds up when a config is parsed or a plan rendered, after this list exists.
  jsonTransformer((kind) => TRANSFORMERS.find((t) => t.kind === kind)),
  JS_TRANSFORMER,
];

/** A kind's keyed flag (needs transform.secret) for these parameters. */
export function isKeyed(transformer: Transformer, params: Params): boolean {
  return typeof transformer.keyed === "function" ? transformer.keyed(params) : transformer.keyed;
}

/** A kind's parameters for listings: name, required or its default. */
export function describeParameters(transformer: Transformer): { name: string; required: boolean; default?: unknown }[] {
  return Object.entries(transformer.params.shape).map(([name, field]) => {
    const absent = (field as z.ZodType).safeParse(undefined);
    return absent.success ? { name, required: false, ...(absent.data !== undefined ? { default: absent.data } : {}) } : { name, required: true };
  });
}

export const TRANSFORMER_KINDS = TRANSFORMERS.map((t) => t.kind) as [string, ...string[]];

export function findTransformer(kind: string): Transformer {
  const found = TRANSFORMERS.find((t) => t.kind === kind);
  if (!found) throw new Error(`unknown transformer kind ${kind}`);
  return found;
}

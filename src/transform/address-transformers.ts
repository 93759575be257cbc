/**
 * The address kinds, one per part (`street`, `city`, `zip`, `country`): each part is usually its
 * own column, so a `transform.rules` entry reads as what it does (`{match: "*.city", kind: city}`),
 * and each part has its own parameters. Every part is picked by the keyed hash of the value from
 * a small built-in list (or digits), like the name kinds: deterministic, not unique. Pure.
 */
import { z } from "zod";
import type { TypeClass } from "./column-type-class.js";
import { CITIES, COUNTRIES, STREET_NAMES, STREET_SUFFIXES } from "./address-lists.js";
import { fillDigits, pick } from "./keyed-pick.js";
import { longest } from "./name-lists.js";
import type { Transformer } from "./transformer-registry.js";

const TEXT: readonly TypeClass[] = ["text"];

/** The flags every address kind shares: keyed by the value, deterministic, not unique-safe, text columns. */
const PICKED = { keyed: true, hashes: "value", deterministic: true, injective: () => false, accepts: TEXT } as const;

export const ADDRESS_TRANSFORMERS: readonly Transformer[] = [
  {
    kind: "street",
    description: "\"<1–9999> <name> <Street|Avenue|…>\" from built-in lists, picked by the keyed hash (not unique)",
    params: z.strictObject({}),
    ...PICKED,
    maxLength: () => 4 + 1 + longest(STREET_NAMES) + 1 + longest(STREET_SUFFIXES),
    render: (_p, input) =>
      `(1 + (get_byte(${input.hash}, 4) * 256 + get_byte(${input.hash}, 5)) % 9999)::text || ' ' || ${pick(STREET_NAMES, input.hash, 0)} || ' ' || ${pick(STREET_SUFFIXES, input.hash, 2)}`,
  },
  {
    kind: "city",
    description: "a city name from a built-in list, picked by the keyed hash (not unique)",
    params: z.strictObject({}),
    ...PICKED,
    maxLength: () => longest(CITIES),
    render: (_p, input) => pick(CITIES, input.hash, 0),
  },
  {
    kind: "zip",
    description: "the format with each # replaced by a digit of the keyed hash (default #####; not unique)",
    params: z.strictObject({
      format: z
        .string()
        .default("#####")
        .refine((f) => /#/.test(f) && (f.match(/#/g) ?? []).length <= 32, "must hold 1 to 32 # (one per digit)"),
    }),
    ...PICKED,
    maxLength: (p) => String(p["format"]).length,
    render: (p, input) => fillDigits(String(p["format"]), input.hash),
  },
  {
    kind: "country",
    description: "a country name (or with code: true its ISO 3166 two-letter code) from a built-in list, picked by the keyed hash (not unique)",
    params: z.strictObject({ code: z.boolean().default(false) }),
    ...PICKED,
    maxLength: (p) => (p["code"] ? 2 : longest(COUNTRIES.map(([name]) => name))),
    render: (p, input) => pick(COUNTRIES.map(([name, code]) => (p["code"] ? code : name)), input.hash, 0),
  },
];

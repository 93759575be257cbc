/**
 * The keyed hash every keyed transformer derives its output from: HMAC-SHA256(secret, value text).
 * Built from sha256() (PostgreSQL 11+) with the standard HMAC construction (RFC 2104), so the
 * source needs no extension (pgcrypto's hmac) and nothing is created on it (its session is read-only).
 * The secret never appears in SQL text: its two padded keys are set once per source session with
 * set_config($1) (bind parameters) and read back by current_setting(), which fails when they are
 * missing instead of hashing with an empty key. Pure.
 */
import { createHash } from "node:crypto";

/** Session settings (custom placeholders, settable by any role) that hold the padded keys as hex. */
export const INNER_KEY_SETTING = "pgferry.transform_ikey";
export const OUTER_KEY_SETTING = "pgferry.transform_okey";

/** HMAC's two padded keys, K' xor ipad and K' xor opad, as hex: what the source session needs. */
export interface TransformKey {
  readonly innerHex: string;
  readonly outerHex: string;
}

const BLOCK = 64; // SHA-256's block size in bytes

export function deriveTransformKey(secret: string): TransformKey {
  let key = Buffer.from(secret, "utf8");
  if (key.length > BLOCK) key = createHash("sha256").update(key).digest();
  const padded = Buffer.alloc(BLOCK);
  key.copy(padded);
  const inner = Buffer.alloc(BLOCK);
  const outer = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i += 1) {
    inner[i] = padded[i]! ^ 0x36;
    outer[i] = padded[i]! ^ 0x5c;
  }
  return { innerHex: inner.toString("hex"), outerHex: outer.toString("hex") };
}

/**
 * The statement that stores the key in a source session (parameters: inner, outer). Keyed kinds
 * hash a value's text form: DateStyle, IntervalStyle and extra_float_digits are fixed for every
 * source session already (pg/snapshot); TimeZone (timestamptz) and bytea_output are fixed here,
 * so the same value hashes the same on every server and in every session.
 */
export const SET_TRANSFORM_KEY_SQL = `SELECT set_config('${INNER_KEY_SETTING}', $1, false), set_config('${OUTER_KEY_SETTING}', $2, false),
  set_config('TimeZone', 'UTC', false), set_config('bytea_output', 'hex', false)`;

/**
 * HMAC-SHA256 of a text SQL expression, as bytea. The keys are uncorrelated scalar subqueries:
 * PostgreSQL evaluates each once per statement (an InitPlan), not once per row.
 */
export function renderKeyedHash(text: string): string {
  const inner = `(SELECT decode(current_setting('${INNER_KEY_SETTING}'), 'hex'))`;
  const outer = `(SELECT decode(current_setting('${OUTER_KEY_SETTING}'), 'hex'))`;
  return `sha256(${outer} || sha256(${inner} || convert_to(${text}, 'UTF8')))`;
}

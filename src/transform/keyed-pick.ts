/** Reading a keyed hash (bytea SQL) as a number or a pick from a list, in SQL. Pure. */
import { quoteLiteral } from "../sql/quote.js";

/** A number in [0, 1) from the hash's first four bytes. */
export function uniform(hash: string): string {
  return `((get_byte(${hash}, 0)::float8 * 16777216 + get_byte(${hash}, 1) * 65536 + get_byte(${hash}, 2) * 256 + get_byte(${hash}, 3)) / 4294967296)`;
}

/** One of `names`, picked by two bytes of the hash starting at `offset`. */
export function pick(names: readonly string[], hash: string, offset: number): string {
  const list = `(ARRAY[${names.map(quoteLiteral).join(", ")}]::text[])`;
  return `${list}[1 + (get_byte(${hash}, ${offset}) * 256 + get_byte(${hash}, ${offset + 1})) % ${names.length}]`;
}


/** `format` with each `#` replaced by a digit of the hash (one byte per digit, at most 32). */
export function fillDigits(format: string, hash: string): string {
  let digit = 0;
  return format
    .split(/(#)/)
    .filter((s) => s !== "")
    .map((s) => (s === "#" ? `chr(48 + get_byte(${hash}, ${digit++}) % 10)` : quoteLiteral(s)))
    .join(" || ");
}

/**
 * PostgreSQL's COPY text format, one field at a time: rows end with a newline, fields are
 * separated by a tab, `\N` is NULL, and a backslash escapes \b \f \n \r \t \v and itself, or
 * starts an octal (`\123`) or hex (`\x53`) byte. COPY TO writes only the single-letter escapes;
 * COPY FROM also reads the byte forms, so both are decoded. A tab or newline byte never occurs
 * inside a multi-byte UTF-8 character, so a line and its fields can be split on bytes before
 * any decoding. Pure.
 */

const BACKSLASH = 0x5c;
const SINGLE: Readonly<Record<number, number>> = { 0x62: 0x08, 0x66: 0x0c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x76: 0x0b };

/** A field's value (null for `\N`), from its text as COPY wrote it. */
export function decodeCopyField(field: string): string | null {
  if (field === "\\N") return null;
  if (!field.includes("\\")) return field;
  const bytes = Buffer.from(field, "utf8");
  const out = Buffer.alloc(bytes.length);
  let length = 0;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i]!;
    if (byte !== BACKSLASH || i + 1 === bytes.length) {
      out[length++] = byte;
      continue;
    }
    const next = bytes[++i]!;
    if (next in SINGLE) out[length++] = SINGLE[next]!;
    else if (next >= 0x30 && next <= 0x37) {
      let value = next - 0x30;
      for (let n = 0; n < 2 && bytes[i + 1]! >= 0x30 && bytes[i + 1]! <= 0x37; n += 1) value = value * 8 + (bytes[++i]! - 0x30);
      out[length++] = value & 0xff;
    } else if (next === 0x78 && isHex(bytes[i + 1])) {
      let value = hexValue(bytes[++i]!);
      if (isHex(bytes[i + 1])) value = value * 16 + hexValue(bytes[++i]!);
      out[length++] = value;
    } else out[length++] = next; // any other escaped character is itself (COPY's rule)
  }
  return out.subarray(0, length).toString("utf8");
}

function isHex(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66));
}

function hexValue(byte: number): number {
  return byte <= 0x39 ? byte - 0x30 : (byte | 0x20) - 0x61 + 10;
}

const ESCAPES: Readonly<Record<string, string>> = { "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v" };

/** A value as a COPY text field, escaped as COPY TO escapes it (null: `\N`). */
export function encodeCopyField(value: string | null): string {
  if (value === null) return "\\N";
  return /[\\\b\f\n\r\t\v]/.test(value) ? value.replace(/[\\\b\f\n\r\t\v]/g, (ch) => ESCAPES[ch]!) : value;
}

/**
 * Splits a stream of COPY text bytes into whole lines: bytes after the last newline wait for the
 * next chunk, so a character split between chunks is decoded whole.
 */
export class CopyLineSplitter {
  private pending: Buffer | null = null;

  /** The bytes of `chunk`'s complete lines (with what was pending before it), newlines included; the rest waits. */
  pushBytes(chunk: Buffer): Buffer {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const end = data.lastIndexOf(0x0a) + 1;
    this.pending = end < data.length ? Buffer.from(data.subarray(end)) : null;
    return data.subarray(0, end);
  }

  /** The complete lines of `chunk` (with what was pending before it), as UTF-8 text without their newline. */
  push(chunk: Buffer): string[] {
    const data = this.pushBytes(chunk);
    const lines: string[] = [];
    for (let start = 0, end = data.indexOf(0x0a); end >= 0; start = end + 1, end = data.indexOf(0x0a, start)) lines.push(data.toString("utf8", start, end));
    return lines;
  }

  /** Bytes left without a final newline (COPY data always ends with one): a truncated stream. */
  get leftover(): number {
    return this.pending?.length ?? 0;
  }
}

/**
 * Where each field of the line `data[start, end)` begins and ends (`bounds[2i]`, `bounds[2i+1]`),
 * for the first `count` fields; tab bytes separate them.
 */
export function fieldBounds(data: Buffer, start: number, end: number, count: number, bounds: Int32Array): void {
  let from = start;
  for (let i = 0; i < count; i += 1) {
    let to = i === count - 1 ? end : data.indexOf(0x09, from);
    if (to < 0 || to > end) to = end;
    bounds[2 * i] = from;
    bounds[2 * i + 1] = to;
    from = to + 1;
  }
}

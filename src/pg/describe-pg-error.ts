/** One-line descriptions of driver and server errors, with secrets removed. */
import { redactText } from "../config/redact.js";

export interface PgErrorFields {
  readonly code?: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly where?: string;
}

/**
 * The SQLSTATE of an error the server sent. node-postgres sets `severity` on every one of them;
 * Node's own errors have a `code` too, and some look like a SQLSTATE (EPERM, EBUSY, EROFS).
 */
export function sqlstateOf(error: unknown): string | undefined {
  const fields = error as { code?: unknown; severity?: unknown } | null;
  const code = fields?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && typeof fields?.severity === "string" ? code : undefined;
}

/** `message (detail) [SQLSTATE xxxxx]` on one line. */
export function describePgError(error: unknown): string {
  if (!(error instanceof Error)) return redactText(String(error));
  const fields = error as Error & PgErrorFields;
  const parts = [oneLine(fields.message)];
  if (fields.detail) parts.push(`(${oneLine(fields.detail)})`);
  const sqlstate = sqlstateOf(error);
  if (sqlstate) parts.push(`[SQLSTATE ${sqlstate}]`);
  return redactText(parts.join(" "));
}

/**
 * PostgreSQL puts row values into some errors: `Key (email)=(alice@x.org) already exists.`
 * (unique, FK, exclusion, CREATE UNIQUE INDEX), `Failing row contains (…).` (check, not-null,
 * partition), `invalid input syntax for type uuid: "…"`. Those are personal data: history rows and
 * JSON reports keep the constraint and column names and lose the values; the terminal shows them
 * with --verbose only. Each pattern stops at the phrase PostgreSQL writes after the values.
 */
const ROW_VALUES: readonly (readonly [RegExp, string])[] = [
  [/\b([Kk]ey \(.*?\))=\(.*?\)( already exists| is duplicated| is not present in table| is still referenced from table| conflicts with existing key| conflicts with key)/g, "$1=(…)$2"],
  [/\b(conflicts with (?:existing )?key \(.*?\))=\(.*?\)\.(?=\)|\s|$)/g, "$1=(…)."],
  [/\b(Partition key of the failing row contains \(.*?\)) = \(.*?\)\.(?=\)|\s|$)/g, "$1 = (…)."],
  [/\b(Failing row contains )\(.*?\)\.(?=\)|\s|$)/g, "$1(…)."],
  [/\b((?:invalid input syntax for(?: type)? [^:"]+|invalid input value for enum [^:"]+|malformed [a-z ]+ literal|date\/time field value out of range): )"(?:[^"]|"")*"/g, '$1"…"'],
  [/\b(value )"(?:[^"]|"")*"( is out of range for type)/g, '$1"…"$2'],
  [/\b(Token )"(?:[^"]|"")*"( is invalid)/g, '$1"…"$2'],
];

/** The text with row values replaced by `…`; constraint, table and column names stay. */
export function stripRowValues(text: string): string {
  let out = text;
  for (const [pattern, replacement] of ROW_VALUES) out = out.replace(pattern, replacement);
  return out;
}

/** Every string in a JSON-like value through stripRowValues (for reports and history rows). */
export function withoutRowValues<T>(value: T): T {
  if (typeof value === "string") return stripRowValues(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutRowValues(item)) as T;
  if (value instanceof Date || value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutRowValues(item)])) as T;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

const TRANSIENT_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * Errors worth a retry before any write happened: the server was unreachable, restarting, or the
 * connection dropped. Authentication failures and unknown databases are not retried.
 */
export function isTransientConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") {
    if (TRANSIENT_NODE_CODES.has(code)) return true;
    if (/^08/.test(code)) return true; // connection exception class
    if (code === "57P01" || code === "57P02" || code === "57P03") return true; // shutdown / cannot connect now
  }
  const message = error instanceof Error ? error.message : "";
  return /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error/i.test(message);
}

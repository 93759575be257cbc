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

/** Open connections with bounded, logged retries for transient failures. */
import pg from "pg";
import { ConnectionError, isPgferryError } from "../errors.js";
import { redactUrl } from "../config/redact.js";
import { describePgError, isTransientConnectionError, sqlstateOf } from "./describe-pg-error.js";
import { wrapClient, type SqlSession } from "./session.js";

export interface ConnectOptions {
  readonly role: string;
  /** Attempts in total (1 = no retry). */
  readonly attempts?: number;
  readonly baseDelayMs?: number;
  readonly connectTimeoutMs?: number;
  readonly onRetry?: (message: string) => void;
}

export async function connect(url: string, options: ConnectOptions): Promise<SqlSession> {
  return withRetry(() => connectOnce(url, options), { ...options, what: `connect to ${options.role} ${redactUrl(url)}` });
}

async function connectOnce(url: string, options: ConnectOptions): Promise<SqlSession> {
  const client = new pg.Client({
    connectionString: url,
    application_name: "pgferry",
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    keepAlive: true,
  });
  try {
    await client.connect();
    const rows = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    return wrapClient(client, options.role, rows.rows[0]?.pid ?? 0);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

export interface RetryOptions {
  readonly role: string;
  readonly what: string;
  readonly attempts?: number;
  readonly baseDelayMs?: number;
  readonly onRetry?: (message: string) => void;
}

/**
 * Run `action`, retrying with exponential back-off while it fails with a transient connection
 * error. Used only for work that writes nothing (connecting, reading catalogs).
 */
export async function withRetry<T>(action: () => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = options.attempts ?? 4;
  const baseDelay = options.baseDelayMs ?? 250;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await action();
    } catch (error) {
      if (isPgferryError(error)) throw error; // typed already (and retried where it was raised)
      const transient = isTransientConnectionError(error);
      if (!transient || attempt >= attempts) {
        const sqlstate = sqlstateOf(error);
        throw new ConnectionError(`cannot ${options.what}: ${describePgError(error)}${transient ? ` (after ${attempt} attempts)` : ""}`, {
          cause: error,
          ...(sqlstate ? { sqlstate } : {}),
        });
      }
      const delay = baseDelay * 2 ** (attempt - 1);
      options.onRetry?.(`${options.what} failed (${describePgError(error)}); retrying in ${delay} ms (attempt ${attempt + 1} of ${attempts})`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Open connections with bounded, logged retries for transient failures. */
import pg from "pg";
import { ConnectionError, isPgferryError } from "../errors.js";
import { redactUrl } from "../config/redact.js";
import { describePgError, isTransientConnectionError, sqlstateOf } from "./describe-pg-error.js";
import { millisecondsSetting, wrapClient, type SqlSession } from "./session.js";

export interface ConnectOptions {
  readonly role: string;
  /** Attempts in total (1 = no retry). */
  readonly attempts?: number;
  readonly baseDelayMs?: number;
  readonly connectTimeoutMs?: number;
  readonly onRetry?: (message: string) => void;
  /** Seconds any statement of the session (catalog reads included) may wait for a lock; 0 = forever. */
  readonly lockTimeoutSeconds?: number;
}

/**
 * How soon the server notices a client that died (SIGKILL, a lost network) and ends its backend,
 * releasing its locks and rolling back: TCP keepalives on both ends, and from PostgreSQL 14 on
 * client_connection_check_interval, which checks the socket while a statement runs.
 */
const DEAD_CLIENT_CHECK_MS = 2000;
const KEEPALIVE_IDLE_SECONDS = 10;

export async function connect(url: string, options: ConnectOptions): Promise<SqlSession> {
  return withRetry(() => connectOnce(url, options), { ...options, what: `connect to ${options.role} ${redactUrl(url)}` });
}

async function connectOnce(url: string, options: ConnectOptions): Promise<SqlSession> {
  const client = new pg.Client({
    connectionString: url,
    application_name: "pgferry",
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_IDLE_SECONDS * 1000,
  });
  try {
    await client.connect();
    const rows = await client.query<{ pid: number }>(
      `SELECT pg_backend_pid() AS pid,
              CASE WHEN current_setting('server_version_num')::int >= 140000 THEN set_config('client_connection_check_interval', $1, false) END,
              set_config('tcp_keepalives_idle', $2, false),
              CASE WHEN $3::text IS NOT NULL THEN set_config('lock_timeout', $3, false) END`,
      [String(DEAD_CLIENT_CHECK_MS), String(KEEPALIVE_IDLE_SECONDS), options.lockTimeoutSeconds === undefined ? null : millisecondsSetting(options.lockTimeoutSeconds)],
    );
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

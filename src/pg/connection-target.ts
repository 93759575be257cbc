/**
 * Where a URL really leads: the host, port, database and user that node-postgres will use, with
 * its own rules (query parameters win over the URL's parts, `PG*` variables fill what is missing,
 * the database defaults to the user name). pgferry decides labels and protection from this, never
 * from the URL's text, and refuses query parameters the driver would silently ignore.
 */
import pg from "pg";
import { ConfigError } from "../errors.js";

export interface ConnectionTarget {
  /** A host name, an IP address, or a Unix socket directory. */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly hasPassword: boolean;
}

/** Query parameters node-postgres acts on; any other is refused (libpq's `dbname`, `connect_timeout`, …). */
const SUPPORTED_PARAMETERS = new Set([
  "host",
  "port",
  "user",
  "password",
  "ssl",
  "sslmode",
  "sslcert",
  "sslkey",
  "sslrootcert",
  "sslnegotiation",
  "application_name",
  "fallback_application_name",
  "options",
  "client_encoding",
]);

const HINTS: Readonly<Record<string, string>> = {
  dbname: "put the database in the URL's path (postgres://host/DATABASE)",
  database: "put the database in the URL's path (postgres://host/DATABASE)",
  replication: "pgferry opens normal sessions",
};

/** `what` names the endpoint in errors (e.g. `target "staging"`); `url` must already parse as a URL. */
export function resolveConnectionTarget(url: string, what: string): ConnectionTarget {
  for (const key of new URL(url).searchParams.keys()) {
    if (!SUPPORTED_PARAMETERS.has(key)) {
      throw new ConfigError(`${what}: the URL parameter "${key}" is not supported by pgferry's driver (node-postgres)${HINTS[key] ? `: ${HINTS[key]}` : ", remove it"}`);
    }
  }
  // The driver's own parameter resolution, without connecting.
  const client = new pg.Client({ connectionString: url });
  const host = client.host || "localhost";
  const database = client.database ?? client.user;
  if (!client.user || !database) throw new ConfigError(`${what}: no user name in the URL, PGUSER or the environment`);
  return Object.freeze({
    host,
    port: client.port,
    database,
    user: client.user,
    hasPassword: Boolean((client as unknown as { password?: unknown }).password),
  });
}

/** A URL-like label of where a connection goes, without the password. */
export function describeTarget(target: ConnectionTarget): string {
  const host = target.host.includes(":") && !target.host.startsWith("/") ? `[${target.host}]` : target.host;
  const user = `${encodeURIComponent(target.user)}${target.hasPassword ? ":****" : ""}@`;
  return `postgres://${user}${host}:${target.port}/${encodeURIComponent(target.database)}`;
}

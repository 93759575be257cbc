/** Turn a FROM/TO argument (environment name or postgres:// URL) into a connectable endpoint. */
import { ConfigError } from "../errors.js";
import { redactUrl } from "./redact.js";
import type { EnvironmentConfig, PgferryConfig } from "./schema.js";

export interface Endpoint {
  /** Environment name, or null for a URL given directly. */
  readonly name: string | null;
  readonly url: string;
  /** What users see: the name and the redacted URL. */
  readonly label: string;
  readonly protected: boolean;
}

export function resolveEndpoint(arg: string | undefined, role: "source" | "target", config: PgferryConfig): Endpoint {
  const chosen = arg ?? (role === "source" ? config.defaults.from : config.defaults.to);
  if (!chosen) {
    throw new ConfigError(`no ${role} given: pass it as an argument or set defaults.${role === "source" ? "from" : "to"} in pgferry.yml`);
  }
  if (/^postgres(ql)?:\/\//i.test(chosen)) {
    const url = validateUrl(chosen, role);
    const protectedMatch = findProtectedMatch(url, config);
    return Object.freeze({
      name: null,
      url,
      label: redactUrl(url),
      protected: protectedMatch !== null,
    });
  }
  const env = config.environments[chosen];
  if (!env) {
    const known = Object.keys(config.environments);
    throw new ConfigError(
      `unknown environment "${chosen}"${known.length ? ` (known: ${known.join(", ")})` : " (no environments in config)"}`,
    );
  }
  const url = validateUrl(environmentUrl(env), role, chosen);
  return Object.freeze({ name: chosen, url, label: `${chosen} (${redactUrl(url)})`, protected: env.protected });
}

/**
 * The URL of an environment given in parts. Built as text, not through URL setters, which
 * silently ignore what they cannot use (an IPv6 address, a socket directory) and would leave
 * `localhost` in place: IPv6 goes in brackets, a socket directory into `?host=` (libpq's form).
 */
export function environmentUrl(env: EnvironmentConfig): string {
  if (env.url) return env.url;
  const host = env.host ?? "localhost";
  const params = new URLSearchParams();
  let hostPart = host;
  if (host.startsWith("/")) {
    hostPart = "localhost"; // replaced by ?host= when connecting
    params.set("host", host);
  } else if (host.includes(":")) {
    hostPart = `[${host.replace(/^\[|\]$/g, "")}]`;
  }
  if (env.sslmode) params.set("sslmode", env.sslmode);
  const auth = env.user ? `${encodeURIComponent(env.user)}${env.password ? `:${encodeURIComponent(env.password)}` : ""}@` : "";
  const query = params.size > 0 ? `?${params.toString()}` : "";
  const url = `postgres://${auth}${hostPart}${env.port ? `:${env.port}` : ""}/${encodeURIComponent(env.database ?? "")}${query}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`host "${host}" is not a valid host name, IP address or socket directory`);
  }
  if (parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase() !== hostPart.replace(/^\[|\]$/g, "").toLowerCase()) {
    throw new ConfigError(`host "${host}" is not a valid host name, IP address or socket directory`);
  }
  return url;
}

function validateUrl(url: string, role: string, name?: string): string {
  try {
    const parsed = new URL(url);
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error("not a postgres:// URL");
    return url;
  } catch {
    throw new ConfigError(`${role}${name ? ` "${name}"` : ""}: ${redactUrl(url)} is not a valid postgres:// URL`);
  }
}

/** A URL given directly is protected when it points at the same host, port and database as a protected environment. */
function findProtectedMatch(url: string, config: PgferryConfig): string | null {
  const key = endpointKey(url);
  for (const [name, env] of Object.entries(config.environments)) {
    if (env.protected && endpointKey(environmentUrl(env)) === key) return name;
  }
  return null;
}

/**
 * Host, port and database, normalised: case, a trailing dot, loopback spellings, `?host=`.
 * This compares what the URLs say, not where they lead (two DNS names of one server differ).
 */
function endpointKey(url: string): string {
  try {
    const parsed = new URL(url);
    let host = (parsed.searchParams.get("host") ?? parsed.hostname).replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
    if (host === "127.0.0.1" || host === "::1" || host === "") host = "localhost";
    const database = decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || "postgres";
    return `${host}:${parsed.searchParams.get("port") ?? (parsed.port || "5432")}/${database}`;
  } catch {
    return url;
  }
}

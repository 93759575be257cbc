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

export function environmentUrl(env: EnvironmentConfig): string {
  if (env.url) return env.url;
  const url = new URL("postgres://localhost");
  url.hostname = env.host ?? "localhost";
  if (env.port) url.port = String(env.port);
  if (env.user) url.username = encodeURIComponent(env.user);
  if (env.password) url.password = encodeURIComponent(env.password);
  url.pathname = `/${encodeURIComponent(env.database ?? "")}`;
  if (env.sslmode) url.searchParams.set("sslmode", env.sslmode);
  return url.toString();
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

function endpointKey(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname === "127.0.0.1" || parsed.hostname === "::1" ? "localhost" : parsed.hostname;
    return `${host.toLowerCase()}:${parsed.port || "5432"}/${decodeURIComponent(parsed.pathname.slice(1))}`;
  } catch {
    return url;
  }
}

/** Turn a FROM/TO argument (environment name or postgres:// URL) into a connectable endpoint. */
import { ConfigError, UnsetVariableError } from "../errors.js";
import { describeTarget, resolveConnectionTarget, type ConnectionTarget } from "../pg/connection-target.js";
import { hostKey } from "./host-key.js";
import { redactUrl } from "./redact.js";
import type { EnvironmentConfig, PgferryConfig } from "./schema.js";

export interface Endpoint {
  /** Environment name, or null for a URL given directly. */
  readonly name: string | null;
  readonly url: string;
  /** What users see: the name and where the driver will really connect (no password). */
  readonly label: string;
  /** Configured protected, or its URL names the same server and database as a protected environment. */
  readonly protected: boolean;
  /** Host, port, database and user as the driver resolves them (query parameters, PG* variables). */
  readonly target: ConnectionTarget;
  /** Every protected environment of the config: checked against what the server says after connecting. */
  readonly protectedPeers: readonly ProtectedPeer[];
  /**
   * Protected environments whose address names an unset `${VAR}`: why each cannot be told apart
   * from this endpoint. Writing is refused while there are any (absent: none).
   */
  readonly unknownProtectedPeers?: readonly string[];
}

/** A protected environment, by where its URL leads. */
export interface ProtectedPeer {
  readonly name: string;
  readonly target: ConnectionTarget;
}

export function resolveEndpoint(arg: string | undefined, role: "source" | "target", config: PgferryConfig): Endpoint {
  const chosen = arg ?? (role === "source" ? config.defaults.from : config.defaults.to);
  if (!chosen) {
    throw new ConfigError(`no ${role} given: pass it as an argument or set defaults.${role === "source" ? "from" : "to"} in pgferry.yml`);
  }
  const named = /^postgres(ql)?:\/\//i.test(chosen) ? null : chosen;
  const env = named === null ? undefined : config.environments[named];
  if (named !== null && !env) {
    const known = Object.keys(config.environments);
    throw new ConfigError(`unknown environment "${named}"${known.length ? ` (known: ${known.join(", ")})` : " (no environments in config)"}`);
  }
  const url = validateUrl(env ? environmentUrl(env) : chosen, role, named ?? undefined);
  const target = resolveConnectionTarget(url, named ? `${role} "${named}"` : role);
  const { peers: protectedPeers, unknown } = findProtectedPeers(config);
  const protectedMatch = protectedPeers.find((peer) => sameEndpointText(peer.target, target));
  return Object.freeze({
    name: named,
    url,
    label: named ? `${named} (${describeTarget(target)})` : describeTarget(target),
    protected: (env?.protected ?? false) || protectedMatch !== undefined,
    target,
    protectedPeers,
    ...(unknown.length > 0 ? { unknownProtectedPeers: unknown } : {}),
  });
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

function findProtectedPeers(config: PgferryConfig): { peers: ProtectedPeer[]; unknown: string[] } {
  const peers: ProtectedPeer[] = [];
  const unknown: string[] = [];
  for (const [name, env] of Object.entries(config.environments)) {
    try {
      if (!env.protected) continue;
      peers.push({ name, target: resolveConnectionTarget(environmentUrl(environmentAddress(env)), `environment "${name}"`) });
    } catch (error) {
      // Its address is not known: nobody can tell whether an endpoint is this environment.
      if (error instanceof UnsetVariableError) unknown.push(`${error.message}: pgferry cannot tell whether the target is the protected environment "${name}"`);
      // Otherwise an environment nobody can connect to: nothing can reach it through its own settings either.
    }
  }
  return { peers, unknown };
}

/**
 * Where an environment leads, without its password (which may be unset: it does not change the
 * address). An unset user stands in for any user when a database is named (without one, the user names it).
 */
function environmentAddress(env: EnvironmentConfig): EnvironmentConfig {
  if (env.url !== undefined) return { url: env.url, protected: true };
  let user: string | undefined;
  try {
    user = env.user;
  } catch (error) {
    if (!(error instanceof UnsetVariableError) || env.database === undefined) throw error;
    user = "pgferry";
  }
  return {
    protected: true,
    ...(env.host !== undefined ? { host: env.host } : {}),
    ...(env.port !== undefined ? { port: env.port } : {}),
    ...(env.database !== undefined ? { database: env.database } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(env.sslmode !== undefined ? { sslmode: env.sslmode } : {}),
  };
}

/**
 * Host, port and database as written (normalised: case, a trailing dot, IPv4 spellings, loopback
 * and socket directories), before any connection; the server's own answer is checked later.
 */
function sameEndpointText(a: ConnectionTarget, b: ConnectionTarget): boolean {
  return a.port === b.port && a.database === b.database && hostKey(a.host) === hostKey(b.host);
}

/**
 * The one check before pgferry writes anywhere. Before connecting: the environment is protected,
 * or its URL names the host, port and database of a protected one. After connecting, before the
 * first write, from what the server says it is: the database carries the `pgferry.protected`
 * marker (`pgferry protect ENV`), or its address, port and database are a protected
 * environment's (host names resolved as the driver resolves them).
 */
import { lookup } from "node:dns/promises";
import type { Endpoint, ProtectedPeer } from "../config/resolve-endpoint.js";
import { hostKey, LOCAL } from "../config/host-key.js";
import { SafetyError, UnsetVariableError } from "../errors.js";
import { lockTargetOrFail } from "../pg/advisory-lock.js";
import { dropStaleLoadSchemas } from "./parallel-load.js";
import { connect, type ConnectOptions } from "../pg/connect.js";
import type { SqlSession } from "../pg/session.js";
import { quoteIdent } from "../sql/quote.js";

/** The database-level setting `pgferry protect` writes. */
export const PROTECTED_SETTING = "pgferry.protected";

export function assertWritableTarget(target: Endpoint): void {
  if (target.protected) throw new SafetyError(`target ${target.label} is protected: pgferry never writes to it`);
  const [unknown] = target.unknownProtectedPeers ?? [];
  if (unknown) throw new UnsetVariableError(unknown);
}

/** Connect to a target that is about to be written, and refuse it if the server turns out protected. */
export async function connectWritable(target: Endpoint, options: ConnectOptions): Promise<SqlSession> {
  assertWritableTarget(target);
  const session = await connect(target.url, options);
  try {
    await assertWritableSession(session, target);
    return session;
  } catch (error) {
    await session.close();
    throw error;
  }
}

interface ServerIdentity extends Record<string, unknown> {
  readonly database: string;
  readonly port: number;
  readonly address: string | null;
  readonly marker: string | null;
  readonly databaseMarker: string | null;
}

export async function assertWritableSession(session: SqlSession, target: Endpoint): Promise<void> {
  const [server] = await session.query<ServerIdentity>(
    `SELECT current_database() AS database, current_setting('port')::int AS port, host(inet_server_addr()) AS address,
            current_setting($1, true) AS marker,
            (SELECT split_part(c, '=', 2) FROM pg_db_role_setting s, unnest(s.setconfig) c
              WHERE s.setrole = 0 AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND split_part(c, '=', 1) = $1) AS "databaseMarker"`,
    [PROTECTED_SETTING],
  );
  if (!server) return;
  // The database's own setting counts even where a session (e.g. ?options=-c …) overrides it.
  if (isOn(server.databaseMarker) || isOn(server.marker)) {
    throw new SafetyError(`target ${target.label} is protected: database "${server.database}" is marked ${PROTECTED_SETTING} = on (pgferry protect); pgferry never writes to it`);
  }
  const peer = await findProtectedPeer(target, server);
  if (peer) {
    throw new SafetyError(`target ${target.label} is protected: it is the server and database of the protected environment "${peer.name}"; pgferry never writes to it`);
  }
}

function isOn(value: string | null): boolean {
  return value !== null && /^(on|true|yes|1)$/i.test(value.trim());
}

async function findProtectedPeer(target: Endpoint, server: ServerIdentity): Promise<ProtectedPeer | undefined> {
  if (target.protectedPeers.length === 0) return undefined;
  const targetHosts = await hostKeys(target.target.host);
  const serverHost = server.address === null ? LOCAL : hostKey(server.address);
  for (const peer of target.protectedPeers) {
    if (peer.target.database !== server.database) continue;
    const peerHosts = await hostKeys(peer.target.host);
    // Where the client went (port forwarding changes what the server sees) or what the server says.
    const sameAsDialled = peer.target.port === target.target.port && [...peerHosts].some((h) => targetHosts.has(h));
    const sameAsServer = peer.target.port === server.port && peerHosts.has(serverHost);
    if (sameAsDialled || sameAsServer) return peer;
  }
  return undefined;
}

const LOOKUP_TIMEOUT_MS = 3000;

/** The host as written and every address it resolves to, each as a hostKey. */
async function hostKeys(host: string): Promise<Set<string>> {
  const keys = new Set([hostKey(host)]);
  if (host.startsWith("/")) return keys;
  const timeout = new Promise<[]>((resolve) => setTimeout(() => resolve([]), LOOKUP_TIMEOUT_MS).unref());
  const addresses = await Promise.race([lookup(host, { all: true }).catch(() => []), timeout]);
  for (const { address } of addresses) keys.add(hostKey(address));
  return keys;
}

/**
 * How a step after the sync reaches the target: the run's own session (which holds the target's
 * advisory lock until the job is done), or, when called on its own, a checked session of its own.
 */
export interface TargetAccess {
  readonly target: Endpoint;
  /** The job's locked session; absent when the step runs by itself. */
  readonly session?: SqlSession;
}

/**
 * Run `work` on the target: on the job's session when there is one, else on a new checked
 * session that takes the target's lock first (so nothing overlaps a sync) and is closed after.
 */
export async function withTargetSession<T>(access: TargetAccess, work: (session: SqlSession) => Promise<T>, options: { attempts?: number; lock?: boolean } = {}): Promise<T> {
  if (access.session) return work(access.session);
  const session = await connectWritable(access.target, { role: "target", ...(options.attempts ? { attempts: options.attempts } : {}) });
  try {
    if (options.lock !== false) await lockForWriting(session, access.target);
    return await work(session);
  } finally {
    await session.close();
  }
}

/**
 * Take the target's advisory lock (no other run writes until this session ends), then clear what
 * a killed run left behind: its committed load schemas. Resolves to the schemas dropped.
 */
export async function lockForWriting(session: SqlSession, target: Endpoint): Promise<string[]> {
  await lockTargetOrFail(session, target.label);
  return dropStaleLoadSchemas(session);
}

/**
 * `pgferry protect`: mark (or unmark) the database itself, so that every later session, whatever
 * URL, alias or port forward reached it, sees it as protected. Needs the database's owner.
 * Resolves to the database's name.
 */
export async function setProtectionMarker(endpoint: Endpoint, on: boolean): Promise<string> {
  const session = await connect(endpoint.url, { role: "target" });
  try {
    const [row] = await session.query<{ database: string }>("SELECT current_database() AS database");
    const database = row!.database;
    // ALTER DATABASE takes no bind parameters; the name is quoted, the setting's value is fixed text.
    await session.query(on ? `ALTER DATABASE ${quoteIdent(database)} SET ${PROTECTED_SETTING} = 'on'` : `ALTER DATABASE ${quoteIdent(database)} RESET ${PROTECTED_SETTING}`);
    return database;
  } finally {
    await session.close();
  }
}

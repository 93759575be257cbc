/**
 * Redis for the hook tests: the URL in PGFERRY_TEST_REDIS_URL, else the machine's server on
 * 127.0.0.1:6379 when it answers, else a private Debian `redis-server` on a free port.
 * Tests use databases 10–15 only, so the machine server's own data in lower databases is safe.
 */
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { freePort } from "./embedded-server.js";

export interface TestRedis {
  readonly url: string;
  readonly description: string;
  readonly stop: () => Promise<void>;
}

function answers(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host, timeout: 1000 });
    socket.once("connect", () => {
      socket.write("PING\r\n");
    });
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function startRedisIfNeeded(given: string | undefined): Promise<TestRedis> {
  const none = async () => undefined;
  if (given) return { url: given, description: "given by URL", stop: none };
  if (await answers(6379)) return { url: "redis://127.0.0.1:6379", description: "machine 127.0.0.1:6379", stop: none };
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const spawnError = new Promise<never>((_, reject) => child.once("error", (e) => reject(new Error(`cannot start redis-server (apt install redis-server): ${e.message}`))));
  for (let i = 0; i < 50; i += 1) {
    if (await Promise.race([answers(port), spawnError])) {
      return { url: `redis://127.0.0.1:${port}`, description: `redis-server on port ${port}`, stop: async () => void child.kill("SIGTERM") };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error("redis-server did not answer within 5 s");
}

/** The test Redis at database `db` (10–15). */
export function testRedisUrl(db: number): string {
  if (db < 10 || db > 15) throw new Error("tests use Redis databases 10-15 only");
  const base = process.env.PGFERRY_TEST_REDIS_URL;
  if (!base) throw new Error("PGFERRY_TEST_REDIS_URL is not set: run the tests through npm test");
  return `${base.replace(/\/\d*$/, "")}/${db}`;
}

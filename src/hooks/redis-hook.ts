/**
 * The redis hook: FLUSHDB on one database, or delete keys matching patterns with SCAN + UNLINK
 * (never KEYS, which blocks the server while it walks the whole keyspace). The only importer of
 * the Redis client.
 */
import { createClient } from "redis";
import { redactUrl } from "../config/redact.js";
import { ConnectionError } from "../errors.js";

export interface RedisHookInput {
  readonly url: string;
  readonly flush?: number;
  readonly keys?: readonly string[];
}

const CONNECT_TIMEOUT_MS = 5000;
const SCAN_COUNT = 1000;

/** Resolves to what it did, e.g. "flushed db 2" or "deleted 120 keys". */
export async function runRedisHook(input: RedisHookInput): Promise<string> {
  let lastError: Error | undefined;
  const client = createClient({
    url: input.url,
    // One attempt: a hook reports an unreachable server rather than retrying forever.
    socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false },
    ...(input.flush !== undefined ? { database: input.flush } : {}),
  });
  client.on("error", (error: Error) => {
    lastError = error;
  });
  try {
    await client.connect();
  } catch (error) {
    const reason = (lastError ?? (error as Error)).message || String(error);
    throw new ConnectionError(`cannot reach Redis at ${redactUrl(input.url)}: ${reason}`, { cause: error });
  }
  try {
    if (input.flush !== undefined) {
      const before = await client.dbSize();
      await client.flushDb();
      return `flushed db ${input.flush} (${before} keys)`;
    }
    let deleted = 0;
    for (const pattern of input.keys ?? []) {
      for await (const batch of client.scanIterator({ MATCH: pattern, COUNT: SCAN_COUNT })) {
        if (batch.length > 0) deleted += await client.unlink(batch);
      }
    }
    return `deleted ${deleted} key${deleted === 1 ? "" : "s"}`;
  } finally {
    client.destroy();
  }
}

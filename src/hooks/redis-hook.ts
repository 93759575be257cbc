/**
 * The redis hook: FLUSHDB on one database, or delete keys matching patterns with SCAN + UNLINK
 * (never KEYS, which blocks the server while it walks the whole keyspace). The only importer of
 * the Redis client.
 */
import { createClient } from "redis";
import { redactUrl } from "../config/redact.js";
import { ConnectionError } from "../errors.js";
import { redisDatabase } from "./hook-spec.js";

export interface RedisHookInput {
  readonly url: string;
  readonly flush?: number;
  readonly keys?: readonly string[];
}

const CONNECT_TIMEOUT_MS = 5000;
const SCAN_COUNT = 1000;

/**
 * Resolves to what it did, e.g. "flushed db 2 (40 keys)" or "deleted 120 keys from db 2".
 * Throws a ConfigError, before connecting, when the URL names another database than `flush`.
 */
export async function runRedisHook(input: RedisHookInput): Promise<string> {
  const db = redisDatabase(input);
  let lastError: Error | undefined;
  const client = createClient({
    url: input.url,
    // One attempt: a hook reports an unreachable server rather than retrying forever.
    socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false },
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
    // SELECT explicitly rather than trust the client's URL and option merging (a URL's /N wins
    // over the `database` option in node-redis): FLUSHDB and SCAN act on the selected database.
    await client.select(db);
    if (input.flush !== undefined) {
      const before = await client.dbSize();
      await client.flushDb();
      return `flushed db ${db} (${before} keys)`;
    }
    let deleted = 0;
    for (const pattern of input.keys ?? []) {
      for await (const batch of client.scanIterator({ MATCH: pattern, COUNT: SCAN_COUNT })) {
        if (batch.length > 0) deleted += await client.unlink(batch);
      }
    }
    return `deleted ${deleted} key${deleted === 1 ? "" : "s"} from db ${db}`;
  } finally {
    client.destroy();
  }
}

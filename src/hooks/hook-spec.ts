/**
 * Post-sync hooks as plain data: what pgferry.yml's `hooks.after` asks for, with names and the
 * Redis URL resolved. Pure; the runners live next to this file.
 */
import { redactUrl } from "../config/redact.js";
import type { HookConfig } from "../config/schema.js";
import { ConfigError } from "../errors.js";

export type RemapFrom = { readonly file: string } | { readonly command: string };

export interface RemapSpec {
  readonly table: string;
  readonly match: string;
  readonly set: string;
  readonly from: RemapFrom;
  /** Attribute read from a Cognito `list-users` export (default sub). */
  readonly attribute: string;
}

export type HookSpec =
  | {
      readonly kind: "redis";
      readonly name: string;
      readonly url: string;
      /** The database the hook works on: `flush`, else the URL's, else 0. */
      readonly db: number;
      readonly flush?: number;
      readonly keys?: readonly string[];
    }
  | { readonly kind: "sql"; readonly name: string; readonly statements: readonly string[] }
  | { readonly kind: "command"; readonly name: string; readonly run: string; readonly cwd?: string; readonly timeoutSeconds?: number }
  | { readonly kind: "remap"; readonly name: string; readonly remap: RemapSpec };

export interface HookResult {
  readonly name: string;
  readonly kind: HookSpec["kind"];
  readonly status: "ok" | "failed" | "skipped";
  readonly seconds: number;
  /** What it did, e.g. "deleted 120 keys" or "matched 3, updated 2, unmatched 1". */
  readonly summary: string;
  readonly error?: string;
}

/** Turn the config's hooks into specs; `targetRedis` is the target environment's `redis` URL. */
export function planHooks(hooks: readonly HookConfig[], targetRedis: string | undefined): HookSpec[] {
  return hooks.map((hook, index): HookSpec => {
    const label = hook.name;
    if ("redis" in hook) {
      const url = hook.redis.url ?? targetRedis;
      if (!url) throw new ConfigError(`hooks.after[${index}]: the redis hook has no url and the target environment has no redis setting`);
      let db: number;
      try {
        db = redisDatabase({ url, ...(hook.redis.flush !== undefined ? { flush: hook.redis.flush } : {}) });
      } catch (error) {
        throw new ConfigError(`hooks.after[${index}]: ${(error as Error).message}`, { cause: error });
      }
      const what = hook.redis.flush !== undefined ? `flush db ${hook.redis.flush}` : `delete keys ${hook.redis.keys!.join(", ")}`;
      return {
        kind: "redis",
        name: label ?? `redis ${what}`,
        url,
        db,
        ...(hook.redis.flush !== undefined ? { flush: hook.redis.flush } : {}),
        ...(hook.redis.keys ? { keys: hook.redis.keys } : {}),
      };
    }
    if ("sql" in hook) {
      const statements = typeof hook.sql === "string" ? [hook.sql] : hook.sql;
      return { kind: "sql", name: label ?? `sql (${statements.length} statement${statements.length > 1 ? "s" : ""})`, statements };
    }
    if ("command" in hook) {
      const command = typeof hook.command === "string" ? { run: hook.command } : hook.command;
      return {
        kind: "command",
        // Never named after its text: a `${VAR}` in it may hold a secret (a token, a password).
        name: label ?? `command #${index + 1}`,
        run: command.run,
        ...(command.cwd ? { cwd: command.cwd } : {}),
        ...(command.timeout ? { timeoutSeconds: command.timeout } : {}),
      };
    }
    const { remap } = hook;
    const from: RemapFrom = typeof remap.from === "string" ? { file: remap.from } : { command: remap.from.command };
    return {
      kind: "remap",
      name: label ?? `remap ${remap.table}.${remap.set} by ${remap.match}`,
      remap: { table: remap.table, match: remap.match, set: remap.set, from, attribute: remap.attribute ?? "sub" },
    };
  });
}

/**
 * The one Redis database a hook works on. `flush: N` names it; otherwise the URL's `/N`, else 0.
 * A URL naming another database than `flush:` is refused: the client would follow the URL and
 * empty the wrong database (which is what happened before this check).
 */
export function redisDatabase(input: { readonly url: string; readonly flush?: number }): number {
  let path: string;
  try {
    path = new URL(input.url).pathname;
  } catch {
    throw new ConfigError(`${redactUrl(input.url)} is not a valid redis:// URL`);
  }
  const match = /^\/?(\d*)$/.exec(path);
  if (!match) throw new ConfigError(`the redis URL ${redactUrl(input.url)} must end in /<database number> or name no database`);
  const inUrl = match[1] ? Number(match[1]) : undefined;
  if (input.flush !== undefined && inUrl !== undefined && inUrl !== input.flush) {
    throw new ConfigError(`flush: ${input.flush} contradicts database ${inUrl} in the redis URL ${redactUrl(input.url)}; remove the /${inUrl} or make them agree`);
  }
  return input.flush ?? inUrl ?? 0;
}

/** One line per hook, for --dry-run and the plan shown before confirmation. */
export function describeHooks(hooks: readonly HookSpec[]): string[] {
  return hooks.map((h, i) => `${i + 1}. ${h.name} (${h.kind}${h.kind === "redis" ? `, db ${h.db}` : ""})`);
}

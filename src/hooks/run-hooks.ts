/**
 * Run post-sync hooks in order. The first failure stops the rest (they are reported as skipped):
 * a failed migration must not be followed by a remap against the old schema. Hooks run after
 * the sync committed, so a failing hook never undoes the synced data.
 */
import { resolve } from "node:path";
import { redactText, registerEnvironmentSecrets, registerUrlSecrets } from "../config/redact.js";
import { isPgferryError } from "../errors.js";
import { describePgError } from "../pg/describe-pg-error.js";
import { runCommandHook } from "./command-hook.js";
import type { HookResult, HookSpec } from "./hook-spec.js";
import { describeRemap, runRemapHook } from "./remap-hook.js";
import { runSqlHook } from "./sql-hook.js";
import type { TargetAccess } from "../execute/target-protection.js";

export interface HookContext extends TargetAccess {
  /** Where relative paths (remap files, command cwd) are resolved: the config file's folder. */
  readonly cwd: string;
  /** The environment commands inherit. */
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  /** Progress lines: a hook starting, a command's output. */
  readonly onLine?: (line: string) => void;
}

/**
 * Every line given to `onLine` and every name, summary and error in the results is redacted here,
 * not only by the CLI's log: a library caller that prints a command's output must not print the
 * secrets it echoes.
 */
export async function runHooks(hooks: readonly HookSpec[], context: HookContext): Promise<HookResult[]> {
  // Also when the library is used without loadConfig: commands inherit these and may print them.
  registerEnvironmentSecrets(context.env);
  registerUrlSecrets(context.target.url);
  const results: HookResult[] = [];
  let failed = false;
  for (const hook of hooks) {
    const name = redactText(hook.name);
    if (failed || context.signal?.aborted) {
      results.push({ name, kind: hook.kind, status: "skipped", seconds: 0, summary: failed ? "an earlier hook failed" : "interrupted" });
      continue;
    }
    context.onLine?.(`hook ${name}: running`);
    const started = performance.now();
    // Each line redacted on its own, before the prefix: a line that is only a short secret is hidden.
    const onLine = (line: string) => context.onLine?.(`hook ${name}: ${redactText(line)}`);
    try {
      const summary = redactText(await runHook(hook, { ...context, onLine }));
      results.push({ name, kind: hook.kind, status: "ok", seconds: (performance.now() - started) / 1000, summary });
    } catch (error) {
      failed = true;
      const message = isPgferryError(error) ? error.message : describePgError(error);
      results.push({ name, kind: hook.kind, status: "failed", seconds: (performance.now() - started) / 1000, summary: "", error: redactText(message) });
    }
  }
  return results;
}

async function runHook(hook: HookSpec, context: HookContext & { readonly onLine: (line: string) => void }): Promise<string> {
  const { onLine } = context;
  const signal = context.signal ? { signal: context.signal } : {};
  switch (hook.kind) {
    case "redis": {
      // Loaded only when a run has a redis hook: importing the Redis client costs 0.5–1.2 s of start-up.
      const { runRedisHook } = await import("./redis-hook.js");
      return runRedisHook(hook);
    }
    case "sql":
      return runSqlHook(context, hook.statements);
    case "command":
      return runCommandHook({
        run: hook.run,
        cwd: hook.cwd ? resolve(context.cwd, hook.cwd) : context.cwd,
        env: context.env,
        targetUrl: context.target.url,
        onLine,
        ...(hook.timeoutSeconds ? { timeoutSeconds: hook.timeoutSeconds } : {}),
        ...signal,
      });
    case "remap":
      return describeRemap(await runRemapHook(context, hook.remap, { cwd: context.cwd, env: context.env, onLine, ...signal }));
  }
}


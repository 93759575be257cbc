/**
 * Run post-sync hooks in order. The first failure stops the rest (they are reported as skipped):
 * a failed migration must not be followed by a remap against the old schema. Hooks run after
 * the sync committed, so a failing hook never undoes the synced data.
 */
import { resolve } from "node:path";
import { redactText } from "../config/redact.js";
import { isPgferryError } from "../errors.js";
import { describePgError } from "../pg/describe-pg-error.js";
import { runCommandHook } from "./command-hook.js";
import type { HookResult, HookSpec } from "./hook-spec.js";
import { runRedisHook } from "./redis-hook.js";
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

export async function runHooks(hooks: readonly HookSpec[], context: HookContext): Promise<HookResult[]> {
  const results: HookResult[] = [];
  let failed = false;
  for (const hook of hooks) {
    if (failed || context.signal?.aborted) {
      results.push({ name: hook.name, kind: hook.kind, status: "skipped", seconds: 0, summary: failed ? "an earlier hook failed" : "interrupted" });
      continue;
    }
    context.onLine?.(`hook ${hook.name}: running`);
    const started = performance.now();
    try {
      const summary = await runHook(hook, context);
      results.push({ name: hook.name, kind: hook.kind, status: "ok", seconds: (performance.now() - started) / 1000, summary });
    } catch (error) {
      failed = true;
      const message = isPgferryError(error) ? error.message : describePgError(error);
      results.push({ name: hook.name, kind: hook.kind, status: "failed", seconds: (performance.now() - started) / 1000, summary: "", error: redactText(message) });
    }
  }
  return results;
}

async function runHook(hook: HookSpec, context: HookContext): Promise<string> {
  const onLine = (line: string) => context.onLine?.(`hook ${hook.name}: ${line}`);
  const signal = context.signal ? { signal: context.signal } : {};
  switch (hook.kind) {
    case "redis":
      return runRedisHook(hook);
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


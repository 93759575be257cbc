/** Find, parse, interpolate and validate pgferry.yml into one frozen config. */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse, YAMLParseError } from "yaml";
import type { ZodError } from "zod";
import { ConfigError } from "../errors.js";
import { interpolateEnv } from "./interpolate-env.js";
import { registerSecret } from "./redact.js";
import { configSchema, type PgferryConfig } from "./schema.js";
import { deepFreeze } from "../model/deep-freeze.js";

export const DEFAULT_CONFIG_FILES = ["pgferry.yml", "pgferry.yaml"] as const;

export interface LoadedConfig {
  readonly config: PgferryConfig;
  /** The file read, or null when none was found and an empty config is used. */
  readonly path: string | null;
}

/** Load the config at `explicitPath`, or pgferry.yml in `cwd` when present (it is optional). */
export function loadConfig(explicitPath: string | undefined, cwd: string, env: NodeJS.ProcessEnv): LoadedConfig {
  const path = explicitPath ? resolve(cwd, explicitPath) : findDefault(cwd);
  if (!path) return { config: deepFreeze(configSchema.parse({})), path: null };
  if (!existsSync(path)) throw new ConfigError(`config file ${path} does not exist`);
  return { config: parseConfigText(readFileSync(path, "utf8"), path, env), path };
}

export function parseConfigText(text: string, label: string, env: NodeJS.ProcessEnv): PgferryConfig {
  let raw: unknown;
  try {
    raw = parse(text, { prettyErrors: true, uniqueKeys: true }) ?? {};
  } catch (error) {
    // No cause kept: the parser's error quotes the offending line, which may hold a password,
    // and secrets from this file are not known (registered) yet.
    throw new ConfigError(`${label}: ${describeYamlError(error)}`);
  }
  let interpolated: unknown;
  try {
    interpolated = interpolateEnv(raw, env);
  } catch (error) {
    throw new ConfigError(`${label}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = configSchema.safeParse(interpolated);
  if (!parsed.success) throw new ConfigError(`${label}: ${describeZodError(parsed.error)}`, { cause: parsed.error });
  for (const env of Object.values(parsed.data.environments)) {
    registerSecret(env.password);
    registerUrlPassword(env.url);
    registerUrlPassword(env.redis);
  }
  for (const store of Object.values(parsed.data.stores)) {
    registerSecret(store.secretAccessKey);
    registerSecret(store.sessionToken);
  }
  for (const hook of parsed.data.hooks.after) if ("redis" in hook) registerUrlPassword(hook.redis.url);
  return deepFreeze(parsed.data);
}

function registerUrlPassword(url: string | undefined): void {
  if (!url) return;
  try {
    registerSecret(decodeURIComponent(new URL(url).password));
  } catch {
    /* an unparsable URL is reported when it is used */
  }
}

function findDefault(cwd: string): string | null {
  for (const name of DEFAULT_CONFIG_FILES) {
    const candidate = resolve(cwd, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

function describeYamlError(error: unknown): string {
  if (error instanceof YAMLParseError) {
    const where = error.linePos?.[0];
    const firstLine = (error.message.split("\n")[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, "");
    return where ? `YAML syntax error at line ${where.line}, column ${where.col}: ${firstLine}` : `YAML syntax error: ${firstLine}`;
  }
  return `cannot parse: ${(error as Error).message}`;
}

function describeZodError(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid config";
  const path = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.join(", ");
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${keys}${path ? ` in ${path}` : ""}`;
  }
  return `${path || "config"}: ${issue.message}`;
}

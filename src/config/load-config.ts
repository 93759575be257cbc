/** Find, parse, interpolate and validate pgferry.yml into one frozen config. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse, YAMLParseError } from "yaml";
import type { ZodError } from "zod";
import { ConfigError } from "../errors.js";
import { interpolateEnv, type UnsetValue } from "./interpolate-env.js";
import { registerEnvironmentSecrets, registerSecret, registerUrlSecrets } from "./redact.js";
import { resolveJsModules } from "./resolve-js-modules.js";
import { configSchema, type PgferryConfig } from "./schema.js";
import { deepFreeze } from "../model/deep-freeze.js";
import { freezeWithUnset, validateWithUnset } from "./unset-values.js";

export const DEFAULT_CONFIG_FILES = ["pgferry.yml", "pgferry.yaml"] as const;

export interface LoadedConfig {
  readonly config: PgferryConfig;
  /** The file read, or null when none was found and an empty config is used. */
  readonly path: string | null;
}

/** Load the config at `explicitPath`, or pgferry.yml in `cwd` when present (it is optional). */
export function loadConfig(explicitPath: string | undefined, cwd: string, env: NodeJS.ProcessEnv): LoadedConfig {
  registerEnvironmentSecrets(env);
  const path = explicitPath ? resolve(cwd, explicitPath) : findDefault(cwd);
  if (!path) return { config: deepFreeze(configSchema.parse({})), path: null };
  return { config: parseConfigText(readConfigFile(path), path, env, dirname(path)), path };
}

/** The file's text; a file that cannot be read is a ConfigError naming it (exit 2), not a crash. */
function readConfigFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`config file ${path} ${READ_FAILURES[code ?? ""] ?? `cannot be read (${code ?? (error as Error).message})`}`, { cause: error });
  }
}

const READ_FAILURES: Readonly<Record<string, string>> = {
  ENOENT: "does not exist",
  ENOTDIR: "does not exist (a part of its path is not a folder)",
  EISDIR: "is a directory, not a file",
  EACCES: "cannot be read: permission denied",
  EPERM: "cannot be read: permission denied",
  ELOOP: "cannot be read: too many symbolic links",
};

/** `baseDir`: where pgferry.yml is, for js transforms' relative module paths (default: the working directory). */
export function parseConfigText(text: string, label: string, env: NodeJS.ProcessEnv, baseDir = process.cwd()): PgferryConfig {
  let raw: unknown;
  try {
    raw = parse(text, { prettyErrors: true, uniqueKeys: true }) ?? {};
  } catch (error) {
    // No cause kept: the parser's error quotes the offending line, which may hold a password,
    // and secrets from this file are not known (registered) yet.
    throw new ConfigError(`${label}: ${describeYamlError(error)}`);
  }
  registerEnvironmentSecrets(env);
  // An unset variable fails only the command that reads its value (see unset-values.ts).
  const unset: UnsetValue[] = [];
  const interpolated = interpolateEnv(raw, env, [], registerInterpolatedSecret, (value) => unset.push(value));
  // Before validation: a config that fails it may still be printed in part by the error.
  if (interpolated !== null && typeof interpolated === "object") {
    const { environments, stores, hooks, transform } = interpolated as Record<string, unknown>;
    // transform.secret only: a rule's parameters are no secrets.
    const secret = transform !== null && typeof transform === "object" ? (transform as Record<string, unknown>)["secret"] : undefined;
    registerConfigSecrets([environments, stores, hooks, { secret }]);
  }
  const parsed = validateWithUnset(configSchema, resolveJsModules(interpolated, baseDir), unset);
  if (!parsed.success) throw new ConfigError(`${label}: ${describeZodError(parsed.error)}`, { cause: parsed.error });
  return freezeWithUnset(parsed.data, unset, label);
}

/** Keys whose values are secrets, and keys whose values are URLs that may carry a password. */
const SECRET_KEY = /password|secret|token|credential|accessKeyId/i;
const URL_KEY = /^(url|redis|endpoint)$/i;
/** Where a `${VAR}` value is treated as a secret although the literal text there is not (redis key patterns). */
const SECRET_WHEN_INTERPOLATED = /^keys?$/i;
const SECRET_VARIABLE = /pass|pwd|secret|token|key|credential|auth/i;

/**
 * Every password, secret and URL password under the given parts of the (interpolated) config.
 * Not the table settings: a `fill` value for a column named like `api_token` is no secret.
 */
function registerConfigSecrets(value: unknown, key = ""): void {
  if (typeof value === "string") {
    if (SECRET_KEY.test(key)) registerSecret(value);
    else if (URL_KEY.test(key)) registerUrlSecrets(value);
  } else if (Array.isArray(value)) {
    for (const item of value) registerConfigSecrets(item, key);
  } else if (value !== null && typeof value === "object") {
    for (const [name, item] of Object.entries(value)) registerConfigSecrets(item, name);
  }
}

/**
 * A `${VAR}` value is a secret when it lands in a secret-bearing field, or when the variable's name
 * says so (`${DEPLOY_TOKEN}` in a command hook). A value in a URL field is a secret only as the
 * URL's password (registerConfigSecrets): a host or database name there is not.
 */
function registerInterpolatedSecret(path: readonly string[], variable: string, value: string): void {
  const key = [...path].reverse().find((part) => !/^\d+$/.test(part)) ?? "";
  if (SECRET_KEY.test(key) || SECRET_WHEN_INTERPOLATED.test(key) || SECRET_VARIABLE.test(variable)) registerSecret(value);
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

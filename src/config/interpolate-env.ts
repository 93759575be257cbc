/**
 * `${VAR}` and `${VAR:-fallback}` in string values of the parsed config. Done on the parsed tree,
 * not the raw text, so a variable's value can never change the YAML structure.
 */
import { ConfigError } from "../errors.js";

const PATTERN = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Told of every substitution: where (the key path), which variable, and the value put in. */
export type OnInterpolated = (path: readonly string[], variable: string, value: string) => void;

export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[] = [], onInterpolated?: OnInterpolated): unknown {
  if (typeof value === "string") return interpolateString(value, env, path, onInterpolated);
  if (Array.isArray(value)) return value.map((item, i) => interpolateEnv(item, env, [...path, String(i)], onInterpolated));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateEnv(item, env, [...path, key], onInterpolated)]),
    );
  }
  return value;
}

function interpolateString(text: string, env: NodeJS.ProcessEnv, path: string[], onInterpolated: OnInterpolated | undefined): string {
  return text.replace(PATTERN, (_match, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== "") {
      onInterpolated?.(path, name, found);
      return found;
    }
    if (fallback !== undefined) return fallback;
    throw new ConfigError(`environment variable ${name} is not set (used at ${path.join(".") || "top level"})`);
  });
}

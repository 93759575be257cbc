/**
 * `${VAR}` and `${VAR:-fallback}` in string values of the parsed config. Done on the parsed tree,
 * not the raw text, so a variable's value can never change the YAML structure.
 */
import { ConfigError } from "../errors.js";

const PATTERN = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Told of every substitution: where (the key path), which variable, and the value put in. */
export type OnInterpolated = (path: readonly string[], variable: string, value: string) => void;

/** A value that names a variable that is not set (nor empty) and has no `:-fallback`. */
export interface UnsetValue {
  /** The key path of the value, e.g. ["stores", "backups", "accessKeyId"]. */
  readonly path: readonly string[];
  /** The first unset variable of the value. */
  readonly variable: string;
}

/**
 * Told of every value that names an unset variable; that value is then left as written. Without
 * it, an unset variable is a ConfigError at once.
 */
export type OnUnset = (unset: UnsetValue) => void;

export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[] = [], onInterpolated?: OnInterpolated, onUnset?: OnUnset): unknown {
  if (typeof value === "string") return interpolateString(value, env, path, onInterpolated, onUnset);
  if (Array.isArray(value)) return value.map((item, i) => interpolateEnv(item, env, [...path, String(i)], onInterpolated, onUnset));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateEnv(item, env, [...path, key], onInterpolated, onUnset)]),
    );
  }
  return value;
}

function interpolateString(text: string, env: NodeJS.ProcessEnv, path: string[], onInterpolated: OnInterpolated | undefined, onUnset: OnUnset | undefined): string {
  let unset: string | undefined;
  const result = text.replace(PATTERN, (match, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== "") {
      onInterpolated?.(path, name, found);
      return found;
    }
    if (fallback !== undefined) return fallback;
    unset ??= name;
    return match;
  });
  if (unset === undefined) return result;
  if (!onUnset) throw new ConfigError(unsetMessage(unset, path));
  onUnset({ path, variable: unset });
  return text; // as written: the value is unknown, and a half-substituted one would be no better
}

export function unsetMessage(variable: string, path: readonly string[]): string {
  return `environment variable ${variable} is not set (used at ${path.join(".") || "top level"})`;
}

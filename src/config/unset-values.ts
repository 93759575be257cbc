/**
 * Settings whose `${VAR}` is not set, kept out of the way until a command reads them.
 *
 * How: interpolation leaves such a value as written and reports its path. Validation then checks
 * the whole file (unknown keys, types, every other value) but forgives the checks of those values,
 * which are unknown. In the frozen config each of them is a getter that throws an
 * UnsetVariableError naming the variable and the path: the command that reads the value fails, one
 * that does not (a `sync` that uses no store, `bucket-sync` with plain URLs) runs.
 */
import { ZodError, type ZodType, type core } from "zod";
import { UnsetVariableError } from "../errors.js";
import { unsetMessage, type UnsetValue } from "./interpolate-env.js";

export type ValidationResult<T> = { readonly success: true; readonly data: T } | { readonly success: false; readonly error: ZodError };

/** The schema's verdict on `value`, with the issues of the unset values (and only those) forgiven. */
export function validateWithUnset<T>(schema: ZodType<T>, value: unknown, unset: readonly UnsetValue[]): ValidationResult<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { success: true, data: parsed.data };
  const unsetPaths = new Set(unset.map((u) => u.path.join("\u0000")));
  const remaining = parsed.error.issues.filter((issue) => !forgiven(issue, [], unsetPaths));
  if (remaining.length > 0) return { success: false, error: new ZodError(remaining) };
  // Every issue is an unset value's: take the parsed tree as it is (defaults applied), issues
  // aside. zod has no public API for a result with issues, so this uses the run safeParse uses.
  const run = (schema as unknown as { _zod: { run(payload: core.ParsePayload, ctx: core.ParseContextInternal): core.ParsePayload | Promise<unknown> } })._zod.run({ value, issues: [] }, { async: false });
  if (run instanceof Promise) throw new Error("the config schema must be synchronous");
  return { success: true, data: run.value as T };
}

/** An issue about an unset value, or a union whose one option fails only on unset values. */
function forgiven(issue: core.$ZodIssue, base: readonly PropertyKey[], unsetPaths: ReadonlySet<string>): boolean {
  const path = [...base, ...issue.path];
  if (unsetPaths.has(path.map(String).join("\u0000"))) return true;
  if (issue.code === "invalid_union") return issue.errors.some((option) => option.length > 0 && option.every((inner) => forgiven(inner, path, unsetPaths)));
  return false;
}

/** Freeze the validated config, each unset value a getter that throws when it is read. */
export function freezeWithUnset<T extends object>(config: T, unset: readonly UnsetValue[], label: string): T {
  for (const { path, variable } of unset) {
    const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), config);
    const key = path[path.length - 1];
    const message = `${label}: ${unsetMessage(variable, path)}`;
    // Not where validation left it (cannot happen with the schema as it is): refuse now rather than use a value never substituted.
    if (key === undefined || parent === null || typeof parent !== "object" || !Object.hasOwn(parent, key)) throw new UnsetVariableError(message);
    Object.defineProperty(parent, key, {
      enumerable: true,
      get: () => {
        throw new UnsetVariableError(message);
      },
    });
  }
  return freezeData(config);
}

/** deepFreeze, but it never reads an accessor (the unset values). */
function freezeData<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const descriptor of Object.values(Object.getOwnPropertyDescriptors(value))) {
      if ("value" in descriptor) freezeData(descriptor.value);
    }
  }
  return value;
}

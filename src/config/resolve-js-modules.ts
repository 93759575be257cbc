/**
 * `js` transforms name their module relative to pgferry.yml (as a user reads the file), not to
 * the directory pgferry happens to run in: resolved here, once, before validation.
 */
import { isAbsolute, resolve } from "node:path";

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === "object" && !Array.isArray(value);

function resolveSpec(spec: unknown, baseDir: string): unknown {
  if (!isObject(spec) || spec["kind"] !== "js" || typeof spec["module"] !== "string" || isAbsolute(spec["module"])) return spec;
  return { ...spec, module: resolve(baseDir, spec["module"]) };
}

/** The raw config with every js transform's relative `module` made absolute against `baseDir`. */
export function resolveJsModules(raw: unknown, baseDir: string): unknown {
  if (!isObject(raw)) return raw;
  const out: Json = { ...raw };
  if (isObject(raw["tables"])) {
    out["tables"] = Object.fromEntries(
      Object.entries(raw["tables"]).map(([pattern, settings]) => {
        if (!isObject(settings) || !isObject(settings["transform"])) return [pattern, settings];
        const transform = Object.fromEntries(Object.entries(settings["transform"]).map(([column, spec]) => [column, resolveSpec(spec, baseDir)]));
        return [pattern, { ...settings, transform }];
      }),
    );
  }
  const transform = raw["transform"];
  if (isObject(transform) && Array.isArray(transform["rules"])) out["transform"] = { ...transform, rules: transform["rules"].map((rule) => resolveSpec(rule, baseDir)) };
  return out;
}

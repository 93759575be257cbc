/**
 * Loads the functions of `js` transforms from the user's modules (import(), cached per module
 * and export for the process). A module that cannot be loaded, or an export that is not a
 * function, is a ConfigError naming the table and column, raised before any row is read.
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../errors.js";
import type { ColumnTransform } from "../model/plan.js";
import { displayName, type QualifiedName } from "../model/qualified-name.js";
import { describeJsFunction } from "../transform/js-transformer.js";

/** What a js transform is given: the column's text (null for NULL) and the row's text values by column name. */
export type JsTransformFunction = (value: string | null, row: Readonly<Record<string, string | null>>) => unknown;

const loaded = new Map<string, Promise<JsTransformFunction>>();

/** The module's file: as configured (pgferry.yml's loader made it absolute), else relative to the working directory. */
export function jsModulePath(params: ColumnTransform["params"]): string {
  const module = String(params["module"]);
  return isAbsolute(module) ? module : resolve(module);
}

/** The function of one js transform, or a ConfigError naming `table`.`column`. */
export async function loadJsTransform(table: QualifiedName, transform: ColumnTransform): Promise<JsTransformFunction> {
  const file = jsModulePath(transform.params);
  const name = String(transform.params["export"]);
  const key = `${file}#${name}`;
  let found = loaded.get(key);
  if (!found) {
    found = import(pathToFileURL(file).href).then((module: Record<string, unknown>) => {
      const fn = module[name];
      if (typeof fn !== "function") throw new TypeError(fn === undefined ? `it has no export ${name}` : `its export ${name} is a ${typeof fn}, not a function`);
      return fn as JsTransformFunction;
    });
    loaded.set(key, found);
  }
  try {
    return await found;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new ConfigError(`js transform of ${displayName(table)}.${transform.column} (${describeJsFunction({ ...transform.params, module: file })}): cannot load it: ${reason}`, { table, cause: error });
  }
}

/** Every js transform of the plan's copied tables, loaded: the run stops here, before any work, on the first that fails. */
export async function loadJsTransforms(actions: readonly { readonly table: QualifiedName; readonly copy?: { readonly transforms?: readonly ColumnTransform[] } }[]): Promise<void> {
  for (const action of actions) {
    for (const t of action.copy?.transforms ?? []) if (t.kind === "js") await loadJsTransform(action.table, t);
  }
}

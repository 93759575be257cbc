/**
 * The merge of one existing table in upsert / insert-missing mode (or a refresh done as an upsert
 * that deletes what the source lacks: one that preserves columns, or one a merged table references): its key (the target's primary
 * key, or a configured key that a unique constraint backs, since ON CONFLICT needs one), the
 * columns an upsert overwrites, and whether vanished rows are deleted. Pure.
 */
import type { Table } from "../model/catalog.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { ColumnCopy, MergeSpec, SyncMode } from "../model/plan.js";

export interface MergeSettings {
  readonly mode: SyncMode;
  readonly deleteMissing: boolean;
  /** Configured key columns (tables.<t>.key), for tables without a primary key. */
  readonly key: readonly string[] | undefined;
  /** Columns whose target values are kept on a key match (tables.<t>.preserve). */
  readonly preserve: readonly string[];
}

export function planMerge(target: Table, columns: readonly ColumnCopy[], settings: MergeSettings): { merge: MergeSpec | null; diagnostics: Diagnostic[] } {
  const table = target.name;
  const what = settings.mode !== "refresh" ? settings.mode : settings.preserve.length > 0 ? "preserving columns" : "upsert + delete-missing";
  const fail = (message: string) => ({ merge: null, diagnostics: [{ level: "error" as const, table, message }] });
  const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((c) => b.includes(c));
  const primary = target.constraints.find((c) => c.kind === "primary");
  let key: readonly string[];
  if (settings.key) {
    if (!target.constraints.some((c) => (c.kind === "primary" || c.kind === "unique") && sameSet(c.columns, settings.key!))) {
      return fail(`${what} needs a primary key or unique constraint on the configured key (${settings.key.join(", ")}); the target table has none`);
    }
    key = settings.key;
  } else if (primary) {
    key = primary.columns;
  } else {
    return fail(`${what} needs a primary key: the target table has none (configure one: tables.<table>.key: [columns] with a unique constraint)`);
  }
  // NULLs never conflict, so a nullable key would insert the same row again on every run.
  const nullable = key.filter((k) => !target.columns.find((c) => c.name === k)?.notNull);
  if (nullable.length) return fail(`key column(s) ${nullable.join(", ")} may be NULL on the target: ${what} needs a NOT NULL key`);
  // Matching rows by key compares key values (ON CONFLICT, --delete-missing, verification).
  const unmatchable = key.filter((k) => target.columns.find((c) => c.name === k)?.equality === false);
  if (unmatchable.length) {
    const types = unmatchable.map((k) => `${k} ${target.columns.find((c) => c.name === k)!.type}`).join(", ");
    return fail(`key column(s) ${types} have no equality operator (no default btree or hash operator class): ${what} cannot match rows by them`);
  }
  const copied = new Set(columns.map((c) => c.name));
  const absent = key.filter((k) => !copied.has(k));
  if (absent.length) return fail(`key column(s) ${absent.join(", ")} are not copied from the source`);
  const unknown = settings.preserve.filter((p) => !target.columns.some((c) => c.name === p));
  if (unknown.length) return fail(`preserve names column(s) the target table does not have: ${unknown.join(", ")}`);
  const update = columns.map((c) => c.name).filter((c) => !key.includes(c) && !settings.preserve.includes(c));
  const replace = settings.mode === "refresh";
  const merge: MergeSpec = { mode: replace ? "upsert" : settings.mode, key, update, preserve: settings.preserve, deleteMissing: settings.deleteMissing || replace, replace };
  return { merge, diagnostics: [] };
}

/**
 * The relations a subset follows between the loaded tables: every foreign key binding a loaded
 * table's rows (declared on it, on an ancestor or on a partition: see collect-fk-edges, composite
 * keys included), and the configured virtual foreign keys. Pure.
 */
import type { Table } from "../model/catalog.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";
import { bindingForeignKeys, buildPartitionTree, loadedThrough } from "./collect-fk-edges.js";
import { parseColumnReference, type SubsetSpec } from "./subset-spec.js";
import { matchesPattern, parseTablePattern } from "./table-pattern.js";

/** Rows of `child` reference rows of `parent`: child.childColumns = parent.parentColumns. */
export interface SubsetEdge {
  readonly child: QualifiedName;
  readonly parent: QualifiedName;
  readonly childColumns: readonly string[];
  readonly parentColumns: readonly string[];
  /** A virtual FK's condition on the child's rows (only those reference the parent). */
  readonly childCondition: string | null;
  /** The constraint's name, or `subset.virtualForeignKeys[i]`. */
  readonly label: string;
}

export interface SubsetGraph {
  readonly edges: readonly SubsetEdge[];
  readonly diagnostics: readonly Diagnostic[];
}

/** `loaded`: the tables whose rows the run reads (a partition of a selected table is read through it). */
export function buildSubsetGraph(sourceTables: readonly Table[], loaded: readonly Table[], selectedKeys: ReadonlySet<string>, spec: SubsetSpec): SubsetGraph {
  const tree = buildPartitionTree(sourceTables);
  const loadedKeys = new Set(loaded.map((t) => nameKey(t.name)));
  const edges: SubsetEdge[] = [];
  const seen = new Set<string>();
  for (const table of loaded) {
    for (const { constraint } of bindingForeignKeys(table.name, tree)) {
      const parent = loadedThrough(constraint.references!, tree, selectedKeys);
      if (!loadedKeys.has(nameKey(parent))) continue; // an unselected parent: the target keeps its own rows
      const key = [nameKey(table.name), nameKey(parent), constraint.columns.join(","), constraint.referencedColumns.join(",")].join("\u0000");
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push({ child: table.name, parent, childColumns: constraint.columns, parentColumns: constraint.referencedColumns, childCondition: null, label: constraint.name });
    }
  }
  const diagnostics: Diagnostic[] = [];
  for (const [index, virtual] of (spec.virtualForeignKeys ?? []).entries()) {
    const what = `subset.virtualForeignKeys[${index}]`;
    const from = parseColumnReference(virtual.from);
    const to = parseColumnReference(virtual.to);
    const child = resolveEnd(from.table, sourceTables, `${what}.from`, diagnostics);
    const parent = resolveEnd(to.table, sourceTables, `${what}.to`, diagnostics);
    if (!child || !parent) continue;
    const missing = [...unknownColumns(child, from.columns), ...unknownColumns(parent, to.columns)];
    if (missing.length > 0) {
      diagnostics.push({ level: "error", table: missing[0]!.table, message: `${what}: no column ${missing.map((m) => `"${m.column}"`).join(", ")} in ${displayName(missing[0]!.table)}` });
      continue;
    }
    if (from.columns.length !== to.columns.length) {
      diagnostics.push({ level: "error", table: child.name, message: `${what}: ${from.columns.length} column(s) reference ${to.columns.length}` });
      continue;
    }
    const childLoaded = loadedThrough(child.name, tree, selectedKeys);
    const parentLoaded = loadedThrough(parent.name, tree, selectedKeys);
    if (!loadedKeys.has(nameKey(childLoaded)) || !loadedKeys.has(nameKey(parentLoaded))) {
      diagnostics.push({ level: "warning", table: child.name, message: `${what} is not followed: ${displayName(loadedKeys.has(nameKey(childLoaded)) ? parent.name : child.name)} is not selected` });
      continue;
    }
    edges.push({ child: childLoaded, parent: parentLoaded, childColumns: from.columns, parentColumns: to.columns, childCondition: virtual.where ?? null, label: what });
  }
  return { edges, diagnostics };
}

/** A virtual FK end names exactly one source table. */
function resolveEnd(text: string, tables: readonly Table[], what: string, diagnostics: Diagnostic[]): Table | null {
  const pattern = parseTablePattern(text);
  const matched = tables.filter((t) => matchesPattern(pattern, t.name));
  if (matched.length === 1) return matched[0]!;
  diagnostics.push({ level: "error", message: `${what}: "${text}" ${matched.length === 0 ? "names no table in the source" : `matches ${matched.length} tables (name one)`}` });
  return null;
}

function unknownColumns(table: Table, columns: readonly string[]): { table: QualifiedName; column: string }[] {
  return columns.filter((c) => !table.columns.some((col) => col.name === c)).map((column) => ({ table: table.name, column }));
}

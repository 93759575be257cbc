/**
 * The sync planner: from two catalogs and the user's selection to a SyncPlan. Pure.
 * Refused runs are plans with error diagnostics; the executor never starts on one.
 */
import type { Catalog, Column, Table } from "../model/catalog.js";
import type { DdlStatement } from "../model/ddl-statement.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { ConfigError } from "../errors.js";
import type { ColumnCopy, ColumnTransform, CopySpec, FkStrategy, SyncMode, SyncPlan, TableAction } from "../model/plan.js";
import { deepFreeze } from "../model/deep-freeze.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";
import { collectFkEdges } from "./collect-fk-edges.js";
import { orderByForeignKeys, type FkEdge } from "./fk-graph.js";
import { mapColumns, type ColumnMappingOptions } from "./map-columns.js";
import { planCreatedObjects } from "./plan-created-objects.js";
import { planIndexRebuild } from "./plan-index-rebuild.js";
import { planLargeObjects } from "./plan-large-objects.js";
import { planMerge } from "./plan-merge.js";
import { collectRunObjects } from "./collect-run-objects.js";
import { planPrivileges } from "./plan-privileges.js";
import type { RoleMap } from "./compare-acl.js";
import type { CatalogPrivileges } from "../model/privileges.js";
import { planRowSecurity } from "./plan-row-security.js";
import { planSequenceResets } from "./plan-sequence-resets.js";
import { mergeReferencedRefreshes } from "./merge-referenced-refreshes.js";
import { resolveTransforms, type TransformInput } from "./plan-transforms.js";
import { strictPiiDiagnostics } from "../pii/uncovered-columns.js";
import { planSubset } from "./plan-subset.js";
import type { SubsetSpec } from "./subset-spec.js";
import { selectTables, type Selection } from "./select-tables.js";
import { wholeSchemas } from "./whole-schemas.js";
import { tableSettingsLookup, userTypeLookup, type TableSettings } from "./table-settings.js";
import { translateForTarget, translationDiagnostics } from "./translate-for-target.js";

export type { TableSettings } from "./table-settings.js";

export interface SyncPlanInput {
  readonly source: Catalog;
  readonly target: Catalog;
  readonly selection: Selection;
  /** Empty unselected tables that reference refreshed ones instead of refusing. */
  readonly cascade: boolean;
  readonly drift?: DriftOptions;
  /** How existing tables receive the rows (default refresh). */
  readonly mode?: SyncMode;
  /** With upsert: delete target rows whose key the source no longer has (within the where filter). */
  readonly deleteMissing?: boolean;
  /** Per-table settings by table pattern (pgferry.yml `tables:`). */
  readonly tables?: Readonly<Record<string, TableSettings>>;
  /** --privileges: carry owners, grants and default privileges (both sides' privileges, read for the run). */
  readonly privileges?: PrivilegeInput;
  /** Anonymization rules (pgferry.yml `transform:`), and whether its secret is set. */
  readonly transform?: TransformInput;
  /** Subsetting (pgferry.yml `subset:`): each loaded table's where becomes its share of the subset. */
  readonly subset?: SubsetSpec;
}

/** Owners and ACLs of both sides, and the role map (source role → target role). */
export interface PrivilegeInput {
  readonly source: CatalogPrivileges;
  readonly target: CatalogPrivileges;
  readonly roles: RoleMap;
}

/** How schema differences between the sides are handled. */
export interface DriftOptions {
  /** Add source-only columns to existing target tables (default: leave them out). */
  readonly addColumns?: boolean;
  /** Create tables missing on the target (default true; false skips them). */
  readonly create?: boolean;
  /** Every drift is an error: the run refuses before writing. */
  readonly strict?: boolean;
}

export function buildSyncPlan(input: SyncPlanInput): SyncPlan {
  const { target } = input;
  // What the target's (older) version spells otherwise is planned in its faithful equivalent.
  const translation = translateForTarget(input.source, target);
  const source = translation.source;
  const selected = selectTables(source, input.selection);
  const targetByKey = new Map(target.tables.map((t) => [nameKey(t.name), t]));
  const selectedKeys = new Set(selected.tables.map((t) => nameKey(t.name)));
  const diagnostics: Diagnostic[] = [...selected.diagnostics];

  const fk = orderByForeignKeys(
    selected.tables.map((t) => t.name),
    collectFkEdges(source.tables, target.tables, selectedKeys),
  );
  const sourceByKey = new Map(selected.tables.map((t) => [nameKey(t.name), t]));
  const drift = input.drift ?? {};
  const settingsFor = tableSettingsLookup(input.tables ?? {});
  const mode = input.mode ?? "refresh";
  // A run-wide delete-missing serves the tables that upsert: the run's mode, or a table's own.
  if (input.deleteMissing && mode !== "upsert" && !Object.values(input.tables ?? {}).some((s) => s.mode === "upsert")) {
    throw new ConfigError("--delete-missing works with --mode upsert only");
  }
  const typeOnTarget = userTypeLookup(target);
  // Problems are reported for the tables whose rows are read: not for partitions read through their parent.
  const read = new Set(selected.tables.filter((t) => !ancestorIn(t, sourceByKey)).map((t) => nameKey(t.name)));
  const transforms = resolveTransforms(source.tables, (name) => settingsFor(name).transform ?? {}, input.transform ?? { rules: [], secret: false }, read);
  diagnostics.push(...transforms.diagnostics);
  if (input.transform?.strict) diagnostics.push(...strictPiiDiagnostics(selected.tables.filter((t) => read.has(nameKey(t.name))), transforms.covered));
  const subset = input.subset
    ? planSubset({
        sourceTables: source.tables,
        loaded: selected.tables.filter((t) => read.has(nameKey(t.name))),
        selectedKeys,
        spec: input.subset,
        userWhere: (name) => selected.where.get(nameKey(name)) ?? null,
      })
    : null;
  if (subset) diagnostics.push(...subset.diagnostics);
  const actions: TableAction[] = [];
  const mergeAsRefresh = new Map<string, () => ReturnType<typeof planMerge>>();
  const created: Table[] = [];
  const addedColumns: { table: QualifiedName; column: Column }[] = [];
  for (const name of fk.order) {
    const table = sourceByKey.get(nameKey(name))!;
    const existing = targetByKey.get(nameKey(name));
    if (!existing && drift.create === false) {
      diagnostics.push({ level: "warning", table: name, message: "missing on the target: skipped (--no-create)", drift: true });
      actions.push({ kind: "skip", table: name, reason: "missing on the target (--no-create)" });
      continue;
    }
    if (!existing) {
      created.push(table);
      if (!table.partitioning.parent) diagnostics.push({ level: "info", table: name, message: "missing on the target: created", drift: true });
    }
    const copiedThrough = ancestorIn(table, sourceByKey);
    if (copiedThrough) {
      if (selected.where.has(nameKey(name))) {
        diagnostics.push({
          level: "error",
          table: name,
          message: `a where filter on partition ${displayName(name)} cannot apply: its rows are copied through ${displayName(copiedThrough)} (filter the parent instead)`,
        });
      }
      actions.push({ kind: "skip", table: name, reason: `rows copied through ${displayName(copiedThrough)}` });
      continue;
    }
    const settings: TableSettings = settingsFor(name);
    const rowSecurity = planRowSecurity(table, settings.allowRowSecurity ?? false);
    if (rowSecurity) diagnostics.push(rowSecurity);
    const options: ColumnMappingOptions = {
      typeOnTarget,
      fills: existing ? (settings.fill ?? {}) : {},
      addColumns: drift.addColumns ?? false,
    };
    const mapped = mapColumns(table, existing ?? table, options);
    diagnostics.push(...mapped.diagnostics);
    const transformed = planColumnTransforms(name, transforms.byTable.get(nameKey(name)) ?? [], mapped.columns, existing);
    diagnostics.push(...transformed.diagnostics);
    const mapping = { ...mapped, columns: transformed.columns };
    addedColumns.push(...mapping.added.map((column) => ({ table: name, column })));
    const userWhere = selected.where.get(nameKey(name)) ?? null;
    const subsetShare = subset?.byTable.get(nameKey(name));
    const where = subsetShare?.where ?? userWhere;
    const tableMode = settings.mode ?? mode;
    const deleteMissing = tableMode === "upsert" && (settings.deleteMissing ?? input.deleteMissing ?? false);
    if (existing && settings.deleteMissing && tableMode === "insert-missing") {
      diagnostics.push({ level: "error", table: name, message: "tables.<table>.deleteMissing works with mode upsert only, and this table's mode is insert-missing" });
    }
    const preserve = settings.preserve ?? [];
    const merges = tableMode !== "refresh" || preserve.length > 0;
    const merged = existing && merges
      ? planMerge(existing, mapping.columns, { mode: tableMode, deleteMissing, key: settings.key, preserve })
      : { merge: null, diagnostics: [] };
    diagnostics.push(...merged.diagnostics);
    if (existing && tableMode === "refresh") mergeAsRefresh.set(nameKey(name), () => planMerge(existing, mapping.columns, { mode: "refresh", deleteMissing: false, key: settings.key, preserve }));
    const copy: CopySpec = {
      // A js transform is applied by a COPY text codec in Node (execute/js-row-stage).
      format: mapping.binary && !transformed.transforms.some((t) => t.kind === "js") ? "binary" : "text",
      viaSelect: table.partitioned || where !== null || mapping.readsGenerated || transformed.transforms.length > 0,
      where,
      estimatedRows: table.rowEstimate,
      estimatedBytes: table.sizeBytes,
      intoPartitioned: existing ? existing.partitioned : table.partitioned,
      staged: mapping.staged || merged.merge !== null,
      fills: mapping.fills,
      merge: merged.merge,
      ...(transformed.transforms.length ? { transforms: transformed.transforms } : {}),
      ...(subsetShare ? { subset: { summary: subsetShare.summary, narrowed: subsetShare.where !== null, userWhere, checks: subsetShare.checks, tableRows: table.rowEstimate } } : {}),
    };
    actions.push({ kind: existing ? "refresh" : "create", table: name, source: table, columns: mapping.columns, copy });
  }

  // Merged tables keep their rows: only plain refreshes are truncated, and not those a merged table references.
  const referenced = mergeReferencedRefreshes(actions, {
    target,
    selectedKeys,
    cascade: input.cascade,
    mergeFor: (table) => mergeAsRefresh.get(nameKey(table))?.() ?? { merge: null, diagnostics: [] },
  });
  actions.splice(0, actions.length, ...referenced.actions);
  const refreshed = actions.filter((a) => a.kind === "refresh" && a.copy.merge === null).map((a) => a.table);
  const truncation = referenced.truncation;
  diagnostics.push(...referenced.diagnostics, ...truncation.diagnostics, ...subsetDeleteMissing(actions));
  actions.push(...truncation.cascaded);

  const tablesAfterRun = new Set([...selectedKeys, ...targetByKey.keys()]);
  const whole = wholeSchemas(source, input.selection, selected.tables);
  const createdObjects = planCreatedObjects({ created, source, target, tablesAfterRun, addedColumns, wholeSchemas: whole });
  diagnostics.push(...createdObjects.diagnostics, ...translationDiagnostics(translation.notes, createdObjects.preData), ...planLargeObjects(source, target));
  const fkStrategy = planFkStrategy(fk.brokenEdges, targetByKey);
  const written = actions.flatMap((a) =>
    a.kind === "create" || a.kind === "refresh" ? [{ table: a.table, source: a.source, keepsTargetRows: a.copy.merge !== null && !a.copy.merge.replace }] : [],
  );
  const sequences = planSequenceResets(written, source, target, new Set(created.map((t) => nameKey(t.name))), createdObjects.functionSequences);
  diagnostics.push(...sequences.diagnostics);
  const rebuild = planIndexRebuild({ refreshed, targetTables: target.tables, strategyDropped: fkStrategy.kind === "break-cycles" ? fkStrategy.dropped : [] });

  const preData = [...createdObjects.preData, ...fkPreLoad(fkStrategy), ...rebuild.drop];
  // Rebuilt keys first: created tables' FKs and re-added cycle FKs may point at them.
  const postData = [...rebuild.rebuild, ...createdObjects.postData, ...fkPostLoad(fkStrategy)];
  if (input.privileges) {
    // Last, once every object exists (and a materialized view was refreshed by its creator).
    const privileges = planPrivileges({
      ...input.privileges,
      sourceVersion: source.serverVersion,
      targetVersion: target.serverVersion,
      run: collectRunObjects({ actions, preData, postData }, source, target, whole),
    });
    postData.push(...privileges.statements);
    diagnostics.push(...privileges.diagnostics);
  }
  return deepFreeze({
    actions: actions.map((a) => (a.kind === "refresh" && rebuild.paths.has(nameKey(a.table)) ? { ...a, path: rebuild.paths.get(nameKey(a.table))! } : a)),
    truncate: truncation.truncate,
    preData,
    postData,
    fkStrategy,
    sequenceResets: sequences.resets,
    diagnostics: drift.strict ? diagnostics.map(strictly) : diagnostics,
  });
}

/**
 * The table's transforms on its copied columns. A `default` column is left out of the copy, so
 * the target's default fills it (an existing target column must have one, or be nullable).
 */
function planColumnTransforms(
  table: QualifiedName,
  transforms: readonly ColumnTransform[],
  columns: readonly ColumnCopy[],
  existing: Table | undefined,
): { columns: readonly ColumnCopy[]; transforms: readonly ColumnTransform[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const defaulted = new Set(transforms.filter((t) => t.kind === "default").map((t) => t.column));
  for (const name of defaulted) {
    const column = existing?.columns.find((c) => c.name === name);
    if (column && column.notNull && column.default === null && !column.identity) {
      diagnostics.push({ level: "error", table, message: `column "${name}" (transform default) is NOT NULL without a default on the target` });
    }
  }
  const copied = new Set(columns.map((c) => c.name));
  return {
    columns: defaulted.size ? columns.filter((c) => !defaulted.has(c.name)) : columns,
    transforms: transforms.filter((t) => t.kind !== "default" && copied.has(t.column)),
    diagnostics,
  };
}

/**
 * --delete-missing deletes the target rows inside the where filter that the source lacks, and
 * evaluates the filter on the target. A subset's condition follows source rows through other
 * tables: on the target it would name other rows, and a row left out of the subset is not a row
 * the source deleted. Refused (a refresh, or a replacing merge, needs no filter on the target).
 */
function subsetDeleteMissing(actions: readonly TableAction[]): Diagnostic[] {
  return actions.flatMap((a) =>
    (a.kind === "create" || a.kind === "refresh") && a.copy.subset?.narrowed && a.copy.merge?.deleteMissing && !a.copy.merge.replace
      ? [{ level: "error" as const, table: a.table, message: "delete-missing cannot apply to a subset table: rows left out of the subset are not rows the source deleted (use mode refresh, or drop deleteMissing)" }]
      : [],
  );
}

/** Under --strict a drift refuses the run before anything is written. */
function strictly(diagnostic: Diagnostic): Diagnostic {
  return diagnostic.drift && diagnostic.level !== "error" ? { ...diagnostic, level: "error", message: `${diagnostic.message} [--strict]` } : diagnostic;
}

/** A partition whose partitioned ancestor is selected is filled through that ancestor. */
function ancestorIn(table: Table, selected: ReadonlyMap<string, Table>): QualifiedName | null {
  let found: QualifiedName | null = null;
  for (let parent = table.partitioning.parent; parent; parent = selected.get(nameKey(parent))?.partitioning.parent ?? null) {
    if (selected.has(nameKey(parent))) found = parent;
    else break;
  }
  return found;
}

/**
 * Enforced FKs the load order cannot satisfy (inside cycles): deferred when DEFERRABLE, otherwise
 * dropped before the load and added back (and so validated) after it, in the same transaction.
 * Neither needs superuser. Tables created by the run get their FKs only after the data.
 */
function planFkStrategy(brokenEdges: readonly FkEdge[], targetByKey: ReadonlyMap<string, Table>): FkStrategy {
  // SET CONSTRAINTS finds a constraint by schema and name only: if the name is taken twice in the
  // schema, deferring it could touch (or trip on) another table's constraint, so drop and re-add it.
  const nameCount = new Map<string, number>();
  const schemaName = (schema: string, name: string) => `${schema}\u0000${name}`;
  for (const t of targetByKey.values()) {
    for (const c of t.constraints) nameCount.set(schemaName(t.name.schema, c.name), (nameCount.get(schemaName(t.name.schema, c.name)) ?? 0) + 1);
  }
  // One constraint can break several edges (an ancestor's FK binds each of its loaded partitions): handled once.
  const handled = new Set<string>();
  const refs = brokenEdges.flatMap((edge) => {
    const declaredOn = edge.declaredOn ?? edge.child;
    const constraint = targetByKey.get(nameKey(declaredOn))?.constraints.find((c) => c.name === edge.constraint && c.kind === "foreign");
    if (!constraint || handled.has(`${nameKey(declaredOn)}\u0000${constraint.name}`)) return [];
    handled.add(`${nameKey(declaredOn)}\u0000${constraint.name}`);
    const deferrable = constraint.deferrable && nameCount.get(schemaName(declaredOn.schema, constraint.name)) === 1;
    return [{ table: declaredOn, name: constraint.name, definition: constraint.definition, deferrable }];
  });
  if (refs.length === 0) return { kind: "ordered" };
  const strip = ({ table, name, definition }: (typeof refs)[number]) => ({ table, name, definition });
  return { kind: "break-cycles", deferred: refs.filter((r) => r.deferrable).map(strip), dropped: refs.filter((r) => !r.deferrable).map(strip) };
}

function fkPreLoad(strategy: FkStrategy): DdlStatement[] {
  if (strategy.kind === "ordered") return [];
  return [
    ...strategy.deferred.map((c): DdlStatement => ({ kind: "defer-constraint", table: c.table, name: c.name })),
    ...strategy.dropped.map((c): DdlStatement => ({ kind: "drop-constraint", table: c.table, name: c.name })),
  ];
}

function fkPostLoad(strategy: FkStrategy): DdlStatement[] {
  if (strategy.kind === "ordered") return [];
  return strategy.dropped.map((c) => ({
    kind: "add-constraint",
    table: c.table,
    constraint: { name: c.name, kind: "foreign", definition: c.definition, columns: [], references: null, referencedColumns: [], deferrable: false, initiallyDeferred: false, comment: null },
  }));
}

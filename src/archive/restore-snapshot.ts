/**
 * `pgferry restore`: a snapshot into a target through the same plan and executor as a sync —
 * missing tables created from the manifest's catalog, drift rules, one atomic target
 * transaction, sequences, verification — with rows read from the snapshot's files. Everything
 * that can be checked without reading the files is checked before connecting to it: the manifest
 * (its seal, format and strict shape), the key, and every data file's presence and size. Each
 * file's SHA-256 and row count are checked as it loads, in the one pass: a mismatch fails its
 * table and rolls the whole target transaction back.
 */
import type { Endpoint } from "../config/resolve-endpoint.js";
import { CancelledError, ConfigError } from "../errors.js";
import { introspectCatalog } from "../introspect/introspect-catalog.js";
import type { SyncMode, SyncPlan, TableAction } from "../model/plan.js";
import type { StepResult, SyncReport } from "../model/result.js";
import { buildSyncPlan, type DriftOptions, type TableSettings } from "../plan/build-sync-plan.js";
import { matchesPattern, parseTablePattern } from "../plan/table-pattern.js";
import { qualifiedName } from "../model/qualified-name.js";
import { connect } from "../pg/connect.js";
import type { SqlSession } from "../pg/session.js";
import type { ObjectStore } from "../storage/object-store.js";
import { checkConversions } from "../execute/check-conversions.js";
import { rehearseOnTarget } from "../execute/rehearse-ddl.js";
import type { SyncEventListener } from "../execute/events.js";
import { executeSyncPlan } from "../execute/execute-sync-plan.js";
import { cancelBackend } from "../pg/cancel-backend.js";
import { buildReport, DEFAULT_LOCK_TIMEOUT_SECONDS, parallelExecution, plannedSteps, refusal } from "../execute/run-sync.js";
import { assertWritableTarget, connectWritable, lockForWriting } from "../execute/target-protection.js";
import { archiveReaders } from "./archive-reader.js";
import { resolveSnapshot } from "./list-snapshots.js";
import type { Manifest } from "./manifest.js";
import { openManifest } from "./manifest-seal.js";
import { DEFAULT_KEY_VARIABLE } from "./snapshot-crypto.js";
import { assertFilesPresent } from "./verify-snapshot.js";

export interface RestoreOptions {
  readonly store: ObjectStore;
  /** A snapshot name, or "latest". */
  readonly snapshot: string;
  /** With "latest": only snapshots of this environment. */
  readonly environment?: string;
  readonly target: Endpoint;
  /** Restore only these tables of the snapshot (patterns as in --tables). */
  readonly tables?: readonly string[];
  readonly cascade?: boolean;
  readonly drift?: DriftOptions;
  readonly mode?: SyncMode;
  readonly deleteMissing?: boolean;
  readonly tableSettings?: Readonly<Record<string, TableSettings>>;
  /** The passphrase of an encrypted snapshot, and the variable it came from (for messages). */
  readonly key?: string;
  readonly keyVariable?: string;
  readonly dryRun?: boolean;
  readonly lockTimeoutSeconds?: number;
  /** Tables the restore creates that load at the same time, each from its file in a session of its own (as sync's --jobs). */
  readonly jobs?: number;
  readonly confirm?: (plan: SyncPlan, snapshot: string) => Promise<boolean>;
  readonly onEvent?: SyncEventListener;
  readonly signal?: AbortSignal;
  /**
   * Called after a real restore committed or rolled back, with the target session that still
   * holds the target's advisory lock: post-sync hooks and the run history go here (ops/run-job).
   */
  readonly whileLocked?: (target: SqlSession, outcome: RestoreOutcome) => Promise<void>;
}

export interface RestoreOutcome {
  readonly snapshot: string;
  readonly manifest: Manifest;
  readonly plan: SyncPlan;
  readonly report: SyncReport;
}

export async function restoreSnapshot(options: RestoreOptions): Promise<RestoreOutcome> {
  if (!options.dryRun) assertWritableTarget(options.target);
  const startedAt = new Date();
  const onEvent = options.onEvent ?? (() => undefined);
  const { name, manifest, key } = await openSnapshot(options);
  const targetOptions = { role: "target", lockTimeoutSeconds: options.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS };
  const target = options.dryRun ? await connect(options.target.url, targetOptions) : await connectWritable(options.target, targetOptions);
  try {
    if (!options.dryRun) await lockForWriting(target, options.target);
    const targetCatalog = await introspectCatalog(target);
    const planned = buildSyncPlan({
      source: manifest.catalog,
      target: targetCatalog,
      selection: { include: chooseTables(manifest, options.tables ?? []), exclude: [], where: {} },
      cascade: options.cascade ?? false,
      ...(options.drift ? { drift: options.drift } : {}),
      ...(options.mode ? { mode: options.mode } : {}),
      ...(options.deleteMissing ? { deleteMissing: true } : {}),
      ...(options.tableSettings ? { tables: options.tableSettings } : {}),
    });
    const textPlan: SyncPlan = { ...planned, actions: planned.actions.map((a) => fitToSnapshot(a, manifest)) };
    const conversionProblems = [...(await checkConversions(textPlan, target)), ...(await rehearseOnTarget(textPlan, target, targetCatalog, options.target))];
    const plan: SyncPlan = Object.freeze({ ...textPlan, diagnostics: [...textPlan.diagnostics, ...conversionProblems] });
    const problems = plan.diagnostics.filter((d) => d.level === "error");
    const report = (steps: StepResult[], extra: Partial<SyncReport>) =>
      buildReport({ source: `snapshot ${name} (${options.store.label})`, target: options.target.label, dryRun: options.dryRun ?? false, startedAt }, plan, steps, extra);
    if (options.dryRun) return { snapshot: name, manifest, plan, report: report(plannedSteps(plan), problems.length ? { error: refusal(problems.length) } : {}) };
    if (problems.length) throw new ConfigError(`${refusal(problems.length)}: ${problems.map((p) => p.message).join("; ")}`);
    if (options.confirm && !(await options.confirm(plan, name))) throw new CancelledError("restore cancelled: not confirmed");
    const jobs = options.jobs ?? 1;
    const parallel = jobs > 1 ? await parallelExecution(plan, jobs, target, options.target.url, onEvent) : undefined;
    const outcome = await executeSyncPlan({
      plan,
      ...(parallel ? { parallel } : {}),
      source: archiveReaders(options.store, name, manifest, key),
      target,
      settings: { lockTimeoutSeconds: options.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS, parallelIndexWorkers: jobs > 1 ? jobs - 1 : null },
      onEvent,
      ...(options.signal ? { signal: options.signal } : {}),
      cancelTargetStatement: () => cancelBackend(options.target.url, target.pid),
    });
    const restored: RestoreOutcome = {
      snapshot: name,
      manifest,
      plan,
      report: report(outcome.steps, { committed: outcome.committed, sequencesSet: outcome.sequencesSet, ...(outcome.error ? { error: outcome.error } : {}), ...(outcome.commitUnknown ? { commitUnknown: true } : {}), timings: outcome.timings }),
    };
    await options.whileLocked?.(target, restored);
    return restored;
  } finally {
    await target.close();
  }
}

/**
 * Manifest (authenticated when there is a key), format, key, and every data file's presence and
 * size: checked before the target is touched. Each file's SHA-256 is checked as it loads.
 */
export async function openSnapshot(
  options: Pick<RestoreOptions, "store" | "snapshot" | "environment" | "key" | "keyVariable">,
): Promise<{ name: string; manifest: Manifest; key: Buffer | null }> {
  const name = await resolveSnapshot(options.store, options.snapshot, options.environment);
  const { manifest, key } = await openManifest(options.store, name, options.key, options.keyVariable ?? DEFAULT_KEY_VARIABLE);
  await assertFilesPresent(options.store, name, manifest);
  return { name, manifest, key };
}

/** The snapshot's tables as exact patterns, narrowed by the user's --tables. */
export function chooseTables(manifest: Manifest, patterns: readonly string[]): string[] {
  const parsed = patterns.map(parseTablePattern);
  for (const pattern of parsed) {
    if (!manifest.tables.some((t) => matchesPattern(pattern, qualifiedName(t.schema, t.name)))) {
      throw new ConfigError(`table pattern "${pattern.text}" matches no table in the snapshot`);
    }
  }
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return manifest.tables
    .filter((t) => parsed.length === 0 || parsed.some((p) => matchesPattern(p, qualifiedName(t.schema, t.name))))
    .map((t) => `${quote(t.schema)}.${quote(t.name)}`);
}

/**
 * Snapshot files hold text COPY data, whatever format a live sync would pick, and only the
 * columns a dump reads: a column generated on the source is not in the file, so a target that
 * has it as a plain column gets its default there.
 */
export function fitToSnapshot(action: TableAction, manifest: Manifest): TableAction {
  if (action.kind !== "create" && action.kind !== "refresh") return action;
  const entry = manifest.tables.find((t) => t.schema === action.table.schema && t.name === action.table.name);
  const columns = entry ? action.columns.filter((c) => entry.columns.includes(c.name)) : action.columns;
  // The manifest knows each file's rows and COPY bytes exactly: progress shows true percentages.
  const sizes = entry ? { estimatedBytes: entry.rawBytes, estimatedRows: entry.rows } : {};
  return { ...action, columns, copy: { ...action.copy, ...sizes, format: "text" } };
}

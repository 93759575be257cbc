/**
 * The sync sandwich: read both catalogs (retried while nothing is written) → plan (pure) →
 * dry run or confirmation → execute in one target transaction → report.
 */
import type { Endpoint } from "../config/resolve-endpoint.js";
import { DEFAULT_LOCK_TIMEOUT_SECONDS } from "../config/resolve-sync-options.js";
import { CancelledError, ConfigError, SafetyError } from "../errors.js";
import { introspectCatalog } from "../introspect/introspect-catalog.js";
import { introspectPrivileges } from "../introspect/introspect-privileges.js";
import { isSameDatabase } from "../introspect/query-identity.js";
import type { Catalog } from "../model/catalog.js";
import type { SyncMode, SyncPlan } from "../model/plan.js";
import type { StepResult, SyncReport } from "../model/result.js";
import { displayName, nameKey } from "../model/qualified-name.js";
import { writeMode } from "../plan/write-mode.js";
import { buildSyncPlan, type DriftOptions, type TableSettings } from "../plan/build-sync-plan.js";
import type { Selection } from "../plan/select-tables.js";
import { cancelBackend } from "../pg/cancel-backend.js";
import { connect, withRetry } from "../pg/connect.js";
import type { SqlSession } from "../pg/session.js";
import type { SyncEventListener } from "./events.js";
import { checkConversions } from "./check-conversions.js";
import { rehearseOnTarget } from "./rehearse-ddl.js";
import { executeSyncPlan, type ParallelExecution } from "./execute-sync-plan.js";
import { planParallelLoads } from "../plan/plan-parallel-loads.js";
import { randomBytes } from "node:crypto";
import { openSourceSnapshot, type SourceSnapshot } from "./source-snapshot.js";
import type { TransformOptions } from "../transform/transform-spec.js";
import { snapshotReaders } from "./table-reader.js";
import { validateWhereFilters } from "./validate-where.js";
import { estimateSubsetRows } from "./estimate-subset-rows.js";
import type { SubsetSpec } from "../plan/subset-spec.js";
import { assertWritableTarget, connectWritable, lockForWriting } from "./target-protection.js";

export { assertWritableTarget } from "./target-protection.js";

export interface SyncOptions {
  readonly source: Endpoint;
  readonly target: Endpoint;
  readonly selection: Selection;
  readonly cascade?: boolean;
  /** Schema drift handling: --add-columns, --no-create, --strict and per-table fill values. */
  readonly drift?: DriftOptions;
  /** refresh (default) replaces each table's rows; upsert and insert-missing merge by key. */
  readonly mode?: SyncMode;
  /** With upsert: delete target rows whose key the source no longer has. */
  readonly deleteMissing?: boolean;
  /** Per-table settings by pattern (pgferry.yml `tables:`): fill, key, preserve. */
  readonly tables?: Readonly<Record<string, TableSettings>>;
  /** --privileges: carry owners, grants and default privileges, source roles renamed through `roles`. */
  readonly privileges?: { readonly roles: Readonly<Record<string, string>> } | null;
  /** Anonymization: transform rules (per-table transforms are in `tables`) and the keyed transformers' secret. */
  readonly transform?: TransformOptions;
  /** Subsetting (pgferry.yml `subset:`): each table's rows narrowed to a referentially complete subset. */
  readonly subset?: SubsetSpec | null;
  readonly jobs?: number;
  readonly dryRun?: boolean;
  /** Seconds any table lock may be waited for, on either side, before the run fails (0 = forever). Default 60. */
  readonly lockTimeoutSeconds?: number;
  /** Asked after planning, before any write; resolve false to cancel. */
  readonly confirm?: (plan: SyncPlan) => Promise<boolean>;
  readonly onEvent?: SyncEventListener;
  readonly signal?: AbortSignal;
  /**
   * Called after a real run committed or rolled back, with the target session that still holds
   * the target's advisory lock: post-sync hooks and the run history go here, so no other run
   * reloads the tables in between. Its failures are its own to report.
   */
  readonly whileLocked?: (target: SqlSession, outcome: SyncOutcome) => Promise<void>;
}

export { DEFAULT_LOCK_TIMEOUT_SECONDS };

export interface SyncOutcome {
  readonly plan: SyncPlan;
  readonly report: SyncReport;
}

export async function runSync(options: SyncOptions): Promise<SyncOutcome> {
  const onEvent = options.onEvent ?? (() => undefined);
  if (!options.dryRun) assertWritableTarget(options.target);
  const startedAt = new Date();
  const opened = await openBothSides(options, onEvent);
  try {
    if (isSameDatabase(opened.sourceCatalog.identity, opened.targetCatalog.identity)) {
      throw new SafetyError(`source and target are the same database (${options.target.label}): refusing to sync a database into itself`);
    }
    const planned = buildSyncPlan({
      source: opened.sourceCatalog,
      target: opened.targetCatalog,
      selection: options.selection,
      cascade: options.cascade ?? false,
      ...(options.drift ? { drift: options.drift } : {}),
      ...(options.mode ? { mode: options.mode } : {}),
      ...(options.deleteMissing ? { deleteMissing: options.deleteMissing } : {}),
      ...(options.tables ? { tables: options.tables } : {}),
      ...(options.subset ? { subset: options.subset } : {}),
      transform: { rules: options.transform?.rules ?? [], secret: Boolean(options.transform?.secret), strict: options.transform?.strict ?? false },
      ...(options.privileges
        ? { privileges: { source: await introspectPrivileges(opened.source.owner), target: await introspectPrivileges(opened.target), roles: options.privileges.roles } }
        : {}),
    });
    // Before anything is written: conversions the target has no cast for, DDL its version cannot run.
    const conversionProblems = [...(await checkConversions(planned, opened.target)), ...(await rehearseOnTarget(planned, opened.target, opened.targetCatalog, options.target))];
    const checked: SyncPlan = conversionProblems.length ? Object.freeze({ ...planned, diagnostics: [...planned.diagnostics, ...conversionProblems] }) : planned;
    const problems = checked.diagnostics.filter((d) => d.level === "error");
    await validateWhereFilters(checked, opened.source.owner, opened.target);
    // A subset's tables carry the source planner's estimate of their kept rows (a refused plan keeps the whole-table ones).
    const plan = problems.length === 0 ? await estimateSubsetRows(checked, opened.source.owner) : checked;
    const report = (steps: StepResult[], extra: Partial<SyncReport>) =>
      buildReport({ source: options.source.label, target: options.target.label, dryRun: options.dryRun ?? false, startedAt }, plan, steps, extra);
    if (options.dryRun) return { plan, report: report(plannedSteps(plan), problems.length ? { error: refusal(problems.length) } : {}) };
    if (problems.length > 0) {
      throw new ConfigError(`${refusal(problems.length)}: ${problems.map((p) => (p.table ? `${displayName(p.table)}: ${p.message}` : p.message)).join("; ")}`);
    }
    if (options.confirm && !(await options.confirm(plan))) throw new CancelledError("sync cancelled: not confirmed");
    const jobs = options.jobs ?? 1;
    const parallel = jobs > 1 ? await parallelExecution(plan, jobs, opened.target, options.target.url, onEvent) : undefined;
    const outcome = await executeSyncPlan({
      plan,
      ...(parallel ? { parallel } : {}),
      source: snapshotReaders(opened.source),
      target: opened.target,
      settings: { lockTimeoutSeconds: options.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS, parallelIndexWorkers: jobs > 1 ? jobs - 1 : null },
      onEvent,
      ...(options.signal ? { signal: options.signal } : {}),
      releaseSource: () => opened.source.close(),
      cancelTargetStatement: () => cancelBackend(options.target.url, opened.target.pid),
    });
    const result: SyncOutcome = {
      plan,
      report: report(outcome.steps, {
        committed: outcome.committed,
        sequencesSet: outcome.sequencesSet,
        ...(outcome.commitUnknown ? { commitUnknown: true } : {}),
        timings: outcome.timings,
        ...(outcome.error ? { error: outcome.error } : {}),
      }),
    };
    await options.whileLocked?.(opened.target, result);
    return result;
  } finally {
    await opened.source.close();
    await opened.target.close();
  }
}

/**
 * With --jobs > 1, new tables load as shadows in worker sessions (plan/plan-parallel-loads). That
 * needs CREATE on the target database (for the load schemas); without it the run loads serially.
 */
export async function parallelExecution(plan: SyncPlan, jobs: number, target: SqlSession, targetUrl: string, onEvent: SyncEventListener): Promise<ParallelExecution | undefined> {
  const parallelPlan = planParallelLoads(plan, randomBytes(4).toString("hex"));
  if (parallelPlan.loads.length === 0) return undefined;
  const [privilege] = await target.query<{ ok: boolean }>("SELECT has_database_privilege(current_database(), 'CREATE') AS ok");
  if (!privilege?.ok) {
    onEvent({ kind: "log", level: "warn", message: "--jobs: the target role may not create schemas in this database, so new tables load one at a time" });
    return undefined;
  }
  return { plan: parallelPlan, jobs, openTarget: () => connect(targetUrl, { role: "target worker", attempts: 2 }) };
}

/** Tables that failed (each with its reason) say why a run without an error of its own failed. */
function describeFailedSteps(steps: readonly StepResult[]): string | undefined {
  const failed = steps.filter((s) => s.status === "failed");
  if (failed.length === 0) return undefined;
  return `${failed.length} table${failed.length > 1 ? "s" : ""} failed: ${failed.map((s) => `${displayName(s.table)}: ${s.reason ?? "failed"}`).join("; ")}`;
}

/** A run's report: ok when every step is ok, skipped or planned and nothing else failed. */
export function buildReport(
  run: { readonly source: string; readonly target: string; readonly dryRun: boolean; readonly startedAt: Date },
  plan: SyncPlan,
  executed: StepResult[],
  extra: Partial<SyncReport>,
): SyncReport {
  const modes = new Map(plan.actions.map((a) => [nameKey(a.table), writeMode(a)]));
  const subsets = new Map(
    plan.actions.flatMap((a) => ((a.kind === "create" || a.kind === "refresh") && a.copy.subset?.narrowed ? [[nameKey(a.table), { summary: a.copy.subset.summary, tableRows: a.copy.subset.tableRows }] as const] : [])),
  );
  const steps = executed.map((s) => {
    const mode = modes.get(nameKey(s.table));
    const subset = subsets.get(nameKey(s.table));
    const withSubset = subset ? { ...s, subset } : s;
    return mode && s.action !== "skip" && s.action !== "truncate-cascade" ? { ...withSubset, mode } : withSubset;
  });
  const error = extra.error ?? describeFailedSteps(steps);
  return {
    source: run.source,
    target: run.target,
    dryRun: run.dryRun,
    ok: steps.every((s) => s.status === "ok" || s.status === "skipped" || s.status === "planned") && !error,
    committed: false,
    startedAt: run.startedAt.toISOString(),
    seconds: (Date.now() - run.startedAt.getTime()) / 1000,
    steps,
    sequencesSet: 0,
    ...extra,
    ...(error ? { error } : {}),
  };
}

export function refusal(count: number): string {
  return `the plan has ${count} problem${count > 1 ? "s" : ""}; nothing was written`;
}

export function plannedSteps(plan: SyncPlan): StepResult[] {
  return plan.actions.map((a) => ({
    table: a.table,
    action: a.kind,
    status: a.kind === "skip" ? "skipped" : "planned",
    rows: a.kind === "create" || a.kind === "refresh" ? (a.copy.estimatedRows ?? 0) : 0,
    bytes: a.kind === "create" || a.kind === "refresh" ? a.copy.estimatedBytes : 0,
    seconds: 0,
    ...("reason" in a ? { reason: a.reason } : {}),
  }));
}

interface OpenedSides {
  readonly source: SourceSnapshot;
  readonly target: SqlSession;
  readonly sourceCatalog: Catalog;
  readonly targetCatalog: Catalog;
}

/** Connect and read both catalogs; a dropped connection here is retried with back-off. */
async function openBothSides(options: SyncOptions, onEvent: SyncEventListener): Promise<OpenedSides> {
  const onRetry = (message: string) => onEvent({ kind: "log", level: "warn", message });
  const lockTimeoutSeconds = options.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS;
  /** Connect, lock and read the target's catalog; the session is closed if any step fails. */
  const openTarget = async (): Promise<{ target: SqlSession; targetCatalog: Catalog }> => {
    // The lock timeout covers the catalog reads too (a session holding ALTER SEQUENCE, say).
    const targetOptions = { role: "target", onRetry, lockTimeoutSeconds };
    const target = options.dryRun ? await connect(options.target.url, targetOptions) : await connectWritable(options.target, targetOptions);
    try {
      if (!options.dryRun) {
        const dropped = await lockForWriting(target, options.target);
        if (dropped.length) onEvent({ kind: "log", level: "warn", message: `dropped ${dropped.length} load schema(s) a killed run left behind: ${dropped.join(", ")}` });
      }
      return { target, targetCatalog: await introspectCatalog(target) };
    } catch (error) {
      await target.close();
      throw error;
    }
  };
  /** Open the snapshot and read the source's catalog; the snapshot is closed if either fails. */
  const openSource = async (): Promise<{ source: SourceSnapshot; sourceCatalog: Catalog }> => {
    const secret = options.transform?.secret;
    const source = await openSourceSnapshot(options.source.url, { onRetry, lockTimeoutSeconds, ...(secret ? { transformSecret: secret } : {}) });
    try {
      return { source, sourceCatalog: await introspectCatalog(source.owner) };
    } catch (error) {
      await source.close();
      throw error;
    }
  };
  return withRetry(
    async () => {
      // Both sides at once: neither waits for the other's round trips before the first COPY.
      const [sourceSide, targetSide] = await Promise.allSettled([openSource(), openTarget()]);
      if (sourceSide.status === "fulfilled" && targetSide.status === "fulfilled") return { ...sourceSide.value, ...targetSide.value };
      if (sourceSide.status === "fulfilled") await sourceSide.value.source.close();
      if (targetSide.status === "fulfilled") await targetSide.value.target.close();
      // The source's failure first, as when the sides were opened one after the other.
      throw sourceSide.status === "rejected" ? sourceSide.reason : (targetSide as PromiseRejectedResult).reason;
    },
    { role: "source", what: "read the source and target catalogs", onRetry },
  );
}

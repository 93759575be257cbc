/**
 * pgferry.yml + the run's flags (CLI options, a scheduled job's settings, a Lambda event) +
 * defaults, merged once into one frozen options object. Pure: endpoints come in resolved, and
 * nothing here connects or reads the process.
 */
import { splitOutsideQuotes } from "../plan/table-pattern.js";
import { ConfigError } from "../errors.js";
import { planHooks, type HookSpec } from "../hooks/hook-spec.js";
import { deepFreeze } from "../model/deep-freeze.js";
import type { SyncMode } from "../model/plan.js";
import type { DriftOptions, TableSettings } from "../plan/build-sync-plan.js";
import type { Selection } from "../plan/select-tables.js";
import { historyTablePattern } from "../ops/run-history.js";
import type { Endpoint } from "./resolve-endpoint.js";
import type { TransformOptions } from "../transform/transform-spec.js";
import type { SubsetSpec } from "../plan/subset-spec.js";
import type { PgferryConfig, ScheduleJobConfig } from "./schema.js";

/** Seconds any table lock may be waited for, on either side, when nothing says otherwise. */
export const DEFAULT_LOCK_TIMEOUT_SECONDS = 60;

/** Table choice as flags give it: --tables/--group replace pgferry.yml's list, --exclude and --where add to it. */
export interface SelectionFlags {
  readonly tables?: readonly string[];
  readonly exclude?: readonly string[];
  readonly group?: readonly string[];
  /** Table pattern → SQL condition (see parseWhereFlags for the CLI's TABLE:SQL form). */
  readonly where?: Readonly<Record<string, string>>;
}

/** What a run may override of pgferry.yml's `sync:`; absent means "as configured". */
export interface SyncFlags extends SelectionFlags {
  readonly jobs?: number;
  readonly cascade?: boolean;
  readonly mode?: SyncMode;
  readonly deleteMissing?: boolean;
  readonly addColumns?: boolean;
  readonly create?: boolean;
  readonly strict?: boolean;
  /** --strict-pii: refuse while PII-named columns have no transform (over pgferry.yml transform.strict). */
  readonly strictPii?: boolean;
  /** false: no post-sync hooks (--no-hooks, a job's `hooks: false`). */
  readonly hooks?: boolean;
  readonly lockTimeout?: number;
  readonly dryRun?: boolean;
  /** --privileges: carry owners and grants. */
  readonly privileges?: boolean;
  /** --role-map SOURCE=TARGET pairs, over pgferry.yml's `roles:`. */
  readonly roleMap?: Readonly<Record<string, string>>;
  /** A subset over pgferry.yml's `subset:` (a scheduled job's); false: none (--no-subset). */
  readonly subset?: SubsetSpec | false;
}

/** Everything a sync job needs besides its callbacks: the merged, frozen settings. */
export interface ResolvedSyncOptions {
  readonly source: Endpoint;
  readonly target: Endpoint;
  readonly selection: Selection;
  readonly cascade: boolean;
  readonly drift: Required<DriftOptions>;
  readonly mode: SyncMode;
  readonly deleteMissing: boolean;
  readonly tables: Readonly<Record<string, TableSettings>>;
  readonly jobs: number;
  readonly dryRun: boolean;
  readonly lockTimeoutSeconds: number;
  /** The post-sync hooks to run after a commit ([] when turned off). */
  readonly hooks: readonly HookSpec[];
  readonly history: { readonly schema: string } | false;
  /** Owners, grants and default privileges are carried with this role map; null: they are not. */
  readonly privileges: { readonly roles: Readonly<Record<string, string>> } | null;
  /** Anonymization (pgferry.yml `transform:`). */
  readonly transform: TransformOptions;
  /** Subsetting (pgferry.yml `subset:`); null: whole tables. */
  readonly subset: SubsetSpec | null;
}

export function resolveSyncOptions(config: PgferryConfig, flags: SyncFlags, endpoints: { readonly source: Endpoint; readonly target: Endpoint }): ResolvedSyncOptions {
  const { source, target } = endpoints;
  return deepFreeze({
    source,
    target,
    selection: resolveSelection(config, flags),
    cascade: flags.cascade ?? config.sync.cascade ?? false,
    drift: {
      addColumns: flags.addColumns ?? config.sync.addColumns ?? false,
      create: flags.create ?? config.sync.create ?? true,
      strict: flags.strict ?? config.sync.strict ?? false,
    },
    mode: flags.mode ?? config.sync.mode ?? "refresh",
    deleteMissing: flags.deleteMissing ?? config.sync.deleteMissing ?? false,
    tables: tablesUnderFlags(config.tables, flags),
    jobs: flags.jobs ?? config.sync.jobs ?? 1,
    dryRun: flags.dryRun ?? false,
    lockTimeoutSeconds: flags.lockTimeout ?? config.sync.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_SECONDS,
    hooks: resolveHooks(config, target, flags.hooks ?? true),
    history: resolveHistory(config),
    privileges: resolvePrivileges(config, flags),
    transform: { ...config.transform, strict: flags.strictPii ?? config.transform.strict ?? false },
    subset: resolveSubset(config, flags),
  });
}

/** The run's subset: a job's (or false) over pgferry.yml's `subset:`. */
export function resolveSubset(config: PgferryConfig, flags: Pick<SyncFlags, "subset">): SubsetSpec | null {
  if (flags.subset === false) return null;
  return flags.subset ?? config.subset ?? null;
}

/** --privileges / `sync.privileges`, with pgferry.yml's `roles:` and --role-map over it. */
export function resolvePrivileges(config: PgferryConfig, flags: Pick<SyncFlags, "privileges" | "roleMap">): { readonly roles: Readonly<Record<string, string>> } | null {
  const enabled = flags.privileges ?? config.sync.privileges ?? false;
  if (!enabled && flags.roleMap && Object.keys(flags.roleMap).length > 0) throw new ConfigError("--role-map works with --privileges only");
  return enabled ? { roles: { ...config.roles, ...(flags.roleMap ?? {}) } } : null;
}

/** --role-map SOURCE=TARGET values → source role → target role. */
export function parseRoleMapFlags(items: readonly string[]): Record<string, string> {
  const roles: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0 || eq === item.length - 1) throw new ConfigError(`--role-map must look like SOURCE_ROLE=TARGET_ROLE, got "${item}"`);
    roles[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return roles;
}

/** A scheduled job's own settings as flags over pgferry.yml's `sync:` (its drift and jobs come from there). */
export function scheduleJobFlags(job: ScheduleJobConfig): SyncFlags {
  return { tables: job.tables, group: job.group, exclude: job.exclude, where: job.where, mode: job.mode, deleteMissing: job.deleteMissing, cascade: job.cascade, hooks: job.hooks, ...(job.subset !== undefined ? { subset: job.subset } : {}) };
}

/** What `pgferry restore` may set: a sync's flags but selection; `tables` narrows the snapshot's own tables. */
export type RestoreFlags = Pick<SyncFlags, "tables" | "cascade" | "mode" | "addColumns" | "create" | "strict" | "hooks" | "lockTimeout" | "dryRun" | "jobs">;

export interface ResolvedRestoreOptions {
  readonly target: Endpoint;
  /** Patterns narrowing the snapshot's tables; [] restores them all. */
  readonly tables: readonly string[];
  readonly cascade: boolean;
  readonly drift: Required<DriftOptions>;
  readonly mode: SyncMode;
  readonly tableSettings: Readonly<Record<string, TableSettings>>;
  readonly dryRun: boolean;
  readonly lockTimeoutSeconds: number;
  /** Tables the restore creates that load at the same time (as sync's --jobs); pgferry.yml's sync.jobs by default. */
  readonly jobs: number;
  readonly hooks: readonly HookSpec[];
  readonly history: { readonly schema: string } | false;
}

/**
 * A restore takes its choices from its flags, not from pgferry.yml's `sync:` (a snapshot is
 * restored as it was taken); per-table settings, the lock timeout, hooks and history come from
 * the config as for a sync.
 */
export function resolveRestoreOptions(config: PgferryConfig, flags: RestoreFlags, target: Endpoint): ResolvedRestoreOptions {
  return deepFreeze({
    target,
    tables: [...(flags.tables ?? [])],
    cascade: flags.cascade ?? false,
    drift: { addColumns: flags.addColumns ?? false, create: flags.create ?? true, strict: flags.strict ?? false },
    mode: flags.mode ?? "refresh",
    tableSettings: tablesUnderFlags(config.tables, flags),
    dryRun: flags.dryRun ?? false,
    lockTimeoutSeconds: flags.lockTimeout ?? config.sync.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_SECONDS,
    jobs: flags.jobs ?? config.sync.jobs ?? 1,
    hooks: resolveHooks(config, target, flags.hooks ?? true),
    history: resolveHistory(config),
  });
}

/**
 * pgferry.yml's history setting, read now: a schema naming an unset ${VAR} fails the run before
 * it writes, not after its commit when the history row is written.
 */
export function resolveHistory(config: PgferryConfig): { readonly schema: string } | false {
  return config.history ? { schema: config.history.schema } : false;
}

/**
 * pgferry.yml's per-table settings for a run: a mode given for the run (--mode, a scheduled job's
 * `mode:`) applies to every table, so tables.<t>.mode and deleteMissing give way to it; a run's
 * --delete-missing likewise replaces tables.<t>.deleteMissing.
 */
export function tablesUnderFlags(tables: PgferryConfig["tables"], flags: Pick<SyncFlags, "mode" | "deleteMissing">): Record<string, TableSettings> {
  if (flags.mode === undefined && flags.deleteMissing === undefined) return tables;
  return Object.fromEntries(
    Object.entries(tables).map(([pattern, settings]) => {
      const { mode, deleteMissing, ...rest } = settings;
      const keepMode = flags.mode === undefined && mode !== undefined ? { mode } : {};
      const keepDelete = flags.mode === undefined && flags.deleteMissing === undefined && deleteMissing !== undefined ? { deleteMissing } : {};
      return [pattern, { ...rest, ...keepMode, ...keepDelete }];
    }),
  );
}

/** pgferry.yml's hooks.after as specs for this target (its environment's Redis), or none. */
export function resolveHooks(config: PgferryConfig, target: Endpoint, enabled: boolean): HookSpec[] {
  if (!enabled) return [];
  // The environment's redis only when a hook needs it: an unset ${VAR} there fails only those runs.
  const needsRedis = config.hooks.after.some((hook) => "redis" in hook && hook.redis.url === undefined);
  return planHooks(config.hooks.after, needsRedis && target.name ? config.environments[target.name]?.redis : undefined);
}

/**
 * CLI flags over pgferry.yml: --tables/--group replace the configured list, --exclude adds to it,
 * --where (which must match a selected table) overrides sync.where (which filters the tables it names when they are selected).
 */
export function resolveSelection(config: PgferryConfig, flags: SelectionFlags): Selection {
  const fromGroups = (flags.group ?? []).flatMap((name) => {
    const tables = config.groups[name];
    if (!tables) {
      const known = Object.keys(config.groups);
      throw new ConfigError(`unknown group "${name}"${known.length ? ` (known: ${known.join(", ")})` : " (no groups in config)"}`);
    }
    return tables;
  });
  const fromFlags = [...(flags.tables ?? []), ...fromGroups];
  return {
    include: fromFlags.length > 0 ? fromFlags : [...(config.sync.tables ?? [])],
    exclude: [...(config.sync.exclude ?? []), ...(flags.exclude ?? [])],
    excludeQuietly: config.history ? [historyTablePattern(config.history.schema)] : [],
    where: { ...(flags.where ?? {}) },
    defaultWhere: { ...(config.sync.where ?? {}) },
  };
}

/**
 * --where TABLE:SQL values → table pattern → SQL. The table part may be double-quoted and hold
 * a colon (`"odd:name":id > 1`): the first colon outside quotes separates the two.
 */
export function parseWhereFlags(items: readonly string[]): Record<string, string> {
  const where: Record<string, string> = {};
  for (const item of items) {
    const table = splitOutsideQuotes(item, ":")[0]!;
    if (table.trim() === "" || table.length >= item.length - 1) throw new ConfigError(`--where must look like TABLE:SQL, got "${item}"`);
    where[table.trim()] = item.slice(table.length + 1).trim();
  }
  return where;
}

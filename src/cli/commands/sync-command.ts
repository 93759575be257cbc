/** `pgferry sync [FROM] [TO]`: refresh selected tables of TO from FROM in one atomic transaction. */
import { Command, Option } from "commander";
import { dirname } from "node:path";
import { loadConfig } from "../../config/load-config.js";
import { resolveEndpoint } from "../../config/resolve-endpoint.js";
import { parseRoleMapFlags, parseWhereFlags, resolveSyncOptions, type SyncFlags } from "../../config/resolve-sync-options.js";
import { ConfigError } from "../../errors.js";
import { assertWritableTarget } from "../../execute/run-sync.js";
import type { HookSpec } from "../../hooks/hook-spec.js";
import type { SyncMode, SyncPlan } from "../../model/plan.js";
import { runSyncJob } from "../../ops/run-sync-job.js";
import type { SyncReport } from "../../model/result.js";
import type { CliContext, GlobalOptions } from "../cli-context.js";
import { askConfirmation, requireConfirmationPossible } from "../confirm-prompt.js";
import { createConsoleLog } from "../console-log.js";
import { commaList, repeatable, wholeNumber } from "../option-parsers.js";
import { EXIT } from "../exit-codes.js";
import { renderJson } from "../json-output.js";
import { createProgressDisplay } from "../progress-display.js";
import { renderDiagnostics, renderPlan } from "../render-plan.js";
import { renderHookPlan, renderHookResults } from "../render-hooks.js";
import { renderReport, reportJson } from "../render-report.js";
import { runSyncRowsCommand } from "./sync-rows-command.js";

export interface SyncCommandOptions {
  readonly tables?: string[];
  readonly exclude?: string[];
  readonly group?: string[];
  readonly where?: string[];
  readonly jobs?: number;
  readonly cascade?: boolean;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly json?: boolean;
  readonly lockTimeout?: number;
  readonly addColumns?: boolean;
  /** commander's --no-create sets create to false. */
  readonly create?: boolean;
  readonly strict?: boolean;
  readonly strictPii?: boolean;
  readonly mode?: SyncMode;
  readonly deleteMissing?: boolean;
  readonly withParents?: boolean;
  /** --hooks sets true, --no-hooks false; neither leaves it undefined. */
  readonly hooks?: boolean;
  /** commander's --no-subset: false turns pgferry.yml's subset off. */
  readonly subset?: boolean;
  readonly privileges?: boolean;
  readonly roleMap?: string[];
}

const seconds = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(`--lock-timeout must be a number of seconds, got "${value}"`);
  return n;
};

export function syncCommand(ctx: CliContext, globals: () => GlobalOptions, setExit: (code: number) => void): Command {
  return new Command("sync")
    .description("refresh selected tables of TO from FROM: FK-safe, atomic (one transaction), verified")
    .argument("[from]", "source: environment name from pgferry.yml or a postgres:// URL (default: defaults.from)")
    .argument("[to]", "target: environment name or postgres:// URL (default: defaults.to); never a protected environment")
    .option("-t, --tables <patterns>", "tables to sync, comma-separated globs, schema-qualified or not (repeatable)", commaList)
    .option("-x, --exclude <patterns>", "tables to leave out, comma-separated globs (repeatable)", commaList)
    .option("-g, --group <name>", "sync the tables of a group from pgferry.yml (repeatable)", repeatable)
    .option("-w, --where <table:sql>", 'filter rows on the source, e.g. "users:created_at > now() - interval \'30 days\'" (repeatable)', repeatable)
    .option("-j, --jobs <n>", "tables created on the target that load at the same time, each in a session of its own, and parallel workers per index build (default 1: one table at a time)", wholeNumber("--jobs", 1, 32))
    .option("--cascade", "also empty unselected target tables that reference refreshed ones (otherwise the run refuses)")
    .addOption(
      new Option("-m, --mode <mode>", "refresh: replace each table's rows; upsert: insert or update by key, keep target-only rows; insert-missing: only add absent keys").choices([
        "refresh",
        "upsert",
        "insert-missing",
      ]),
    )
    .option("--delete-missing", "with --mode upsert: delete target rows whose key the source no longer has (within --where)")
    .option("--with-parents", 'upsert the rows one --where picks and every row they reference through FKs, e.g. --tables users --where "users:id = 42" --with-parents')
    .option("--add-columns", "add columns that exist only on the source to the target's tables (otherwise they are left out)")
    .option("--no-create", "skip tables missing on the target instead of creating them")
    .option("--strict", "refuse the run, before writing, if the schemas differ in any way (drift)")
    .option("--strict-pii", "refuse the run, before writing, while a column whose name looks like personal data has no transform (as transform.strict)")
    // --hooks first, so that neither flag means undefined: sync runs the hooks unless --no-hooks, --with-parents only with --hooks.
    .option("--hooks", "with --with-parents: run the post-sync hooks of pgferry.yml too (sync runs them unless --no-hooks)")
    .option("--no-hooks", "do not run the post-sync hooks of pgferry.yml (hooks.after)")
    .option("--privileges", "carry owners, grants (tables, columns, sequences, schemas, functions, types) and default privileges of the synced objects")
    .option("--role-map <source=target>", "with --privileges: give the source role's owners and grants to this target role (repeatable; over pgferry.yml roles:)", repeatable)
    .option("--no-subset", "copy whole tables even when pgferry.yml has a subset:")
    .option("--dry-run", "print the plan (actions, columns, estimates, FK order, endpoints) and change nothing")
    .option("-y, --yes", "do not ask for confirmation (required when there is no terminal)")
    .option("--json", "print the report as JSON on stdout")
    .addOption(new Option("--lock-timeout <seconds>", "how long to wait for a table lock (target or source) before failing (0 = forever)").argParser(seconds))
    .action(async (from: string | undefined, to: string | undefined, options: SyncCommandOptions) => {
      setExit(await runSyncCommand(ctx, globals(), from, to, options));
    });
}

async function runSyncCommand(ctx: CliContext, globals: GlobalOptions, from: string | undefined, to: string | undefined, options: SyncCommandOptions): Promise<number> {
  const { config, path: configPath } = loadConfig(globals.config, ctx.cwd, ctx.env);
  if (options.withParents) {
    const input = {
      from,
      to,
      tables: options.tables ?? [],
      where: options.where ?? [],
      yes: options.yes ?? false,
      dryRun: options.dryRun ?? false,
      json: options.json ?? false,
      lockTimeout: options.lockTimeout,
      // A small write: hooks only when asked for with --hooks.
      hooks: options.hooks === true,
      hookCwd: configPath ? dirname(configPath) : ctx.cwd,
    };
    const strict = options.strictPii ? { ...config, transform: { ...config.transform, strict: true } } : config;
    return runSyncRowsCommand(ctx, strict, input, globals.verbose ?? false);
  }
  const source = resolveEndpoint(from, "source", config);
  const target = resolveEndpoint(to, "target", config);
  if (!options.dryRun) {
    // Both refusals come before any connection: a protected target first, then a missing confirmation.
    assertWritableTarget(target);
    requireConfirmationPossible(options.yes ?? false, Boolean(ctx.stdin.isTTY && ctx.stderr.isTTY), target.label);
  }
  const resolved = resolveSyncOptions(config, syncFlags(options), { source, target });
  const { hooks } = resolved;

  const log = createConsoleLog(ctx.stderr, globals.verbose ?? false);
  const progress = createProgressDisplay(log, ctx.stderr, Boolean(ctx.stderr.isTTY) && !options.json);
  try {
    const outcome = await runSyncJob({
      job: null,
      sync: {
        ...resolved,
        onEvent: progress.listener,
        signal: ctx.signal,
        ...(options.yes ? {} : { confirm: (p: SyncPlan) => confirmPlan(ctx, p, source.label, target.label, hooks) }),
      },
      hooks,
      hookContext: { cwd: configPath ? dirname(configPath) : ctx.cwd, env: ctx.env, onLine: (line) => log.info(line) },
      history: resolved.history,
      onWarning: (message) => log.warn(message),
    });
    progress.stop();
    if (outcome.thrown !== undefined || !outcome.plan || !outcome.report) throw outcome.thrown;
    const { plan, report } = outcome;
    const exitCode = syncExitCode(ctx.signal.aborted, options.dryRun ?? false, report, outcome.status === "ok");
    if (options.json) ctx.stdout.write(renderJson({ ...reportJson(report), hooks: outcome.hooks }, exitCode, outcome.error ?? report.error ?? null));
    else if (options.dryRun) ctx.stdout.write(`${renderPlan(plan, source.label, target.label)}${renderHookPlan(hooks)}\n`);
    else {
      for (const line of renderDiagnostics(plan.diagnostics.filter((d) => d.level !== "info"))) log.info(line);
      const shown = { rowValues: globals.verbose ?? false };
      ctx.stdout.write(`${renderReport(report, shown)}${renderHookResults(outcome.hooks, shown)}\n`);
    }
    return exitCode;
  } finally {
    progress.stop();
  }
}

/** The exit code of a sync or restore that produced a report. */
export function syncExitCode(aborted: boolean, dryRun: boolean, report: SyncReport, jobOk: boolean): number {
  // 130 means "rolled back": after a commit an interrupt only stopped hooks, a failure (1).
  if (aborted && !report.committed) return EXIT.interrupted;
  if (dryRun && report.error) return EXIT.usage; // a plan with problems, as the real run would refuse it
  return jobOk || (dryRun && report.ok) ? EXIT.ok : EXIT.failed;
}

async function confirmPlan(ctx: CliContext, plan: SyncPlan, sourceLabel: string, targetLabel: string, hooks: readonly HookSpec[]): Promise<boolean> {
  ctx.stderr.write(`${renderPlan(plan, sourceLabel, targetLabel)}${renderHookPlan(hooks)}\n\n`);
  const copies = plan.actions.filter((a) => a.kind === "create" || a.kind === "refresh");
  const merged = copies.filter((a) => a.copy.merge).length;
  const what = merged === copies.length ? `Merge rows into ${merged} table(s)` : `Replace the contents of ${copies.length - merged} table(s)${merged ? ` and merge rows into ${merged}` : ""}`;
  return askConfirmation(`${what} in ${targetLabel}?`, ctx.stdin, ctx.stderr);
}

/** The command's options as the flags resolveSyncOptions merges over pgferry.yml. */
export function syncFlags(options: SyncCommandOptions): SyncFlags {
  return {
    ...options,
    where: options.where ? parseWhereFlags(options.where) : undefined,
    roleMap: options.roleMap ? parseRoleMapFlags(options.roleMap) : undefined,
    // commander's --no-create and --no-hooks default to true: only false is a flag.
    create: options.create === false ? false : undefined,
    hooks: options.hooks === false ? false : undefined,
    subset: options.subset === false ? false : undefined,
  };
}

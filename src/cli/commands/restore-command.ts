/** `pgferry restore [SNAPSHOT|latest] TO --from STORE`: a snapshot into TO, atomically, like a sync. */
import { Command, Option } from "commander";
import { dirname } from "node:path";
import { DEFAULT_KEY_VARIABLE } from "../../archive/snapshot-crypto.js";
import { loadConfig } from "../../config/load-config.js";
import { resolveEndpoint } from "../../config/resolve-endpoint.js";
import { ConfigError } from "../../errors.js";
import { resolveRestoreOptions } from "../../config/resolve-sync-options.js";
import { assertWritableTarget } from "../../execute/run-sync.js";
import type { HookSpec } from "../../hooks/hook-spec.js";
import type { SyncMode, SyncPlan } from "../../model/plan.js";
import { runRestoreJob } from "../../ops/run-restore-job.js";
import { openStore } from "../../storage/open-store.js";
import type { CliContext, GlobalOptions } from "../cli-context.js";
import { askConfirmation, requireConfirmationPossible } from "../confirm-prompt.js";
import { createConsoleLog } from "../console-log.js";
import { renderJson } from "../json-output.js";
import { syncExitCode } from "./sync-command.js";
import { commaList, wholeNumber } from "../option-parsers.js";
import { createProgressDisplay } from "../progress-display.js";
import { renderDiagnostics, renderPlan } from "../render-plan.js";
import { renderHookPlan, renderHookResults } from "../render-hooks.js";
import { renderReport, reportJson } from "../render-report.js";
import { verifySnapshot } from "../../archive/verify-snapshot.js";
import { printVerification, snapshotChoice } from "./snapshots-command.js";

interface RestoreOptions {
  readonly from?: string;
  readonly env?: string;
  readonly tables?: string[];
  readonly mode?: SyncMode;
  readonly addColumns?: boolean;
  readonly create?: boolean;
  readonly strict?: boolean;
  readonly cascade?: boolean;
  readonly keyEnv?: string;
  readonly dryRun?: boolean;
  readonly verifyOnly?: boolean;
  readonly jobs?: number;
  readonly yes?: boolean;
  readonly json?: boolean;
  /** commander's --no-hooks sets hooks to false. */
  readonly hooks?: boolean;
}

export function restoreCommand(ctx: CliContext, globals: () => GlobalOptions, setExit: (code: number) => void): Command {
  return new Command("restore")
    .description("restore a snapshot into TO: creates missing tables, applies the drift rules, one atomic transaction, verified against the manifest")
    .argument("<snapshot>", "a snapshot name (see pgferry snapshots list) or latest")
    .argument("[to]", "target: environment name or postgres:// URL (default: defaults.to); never a protected environment")
    .option("--from <store>", "store name, file://PATH or s3://BUCKET/PREFIX (default: defaults.store)")
    .option("--env <name>", "with latest: the newest snapshot of this environment")
    .option("-t, --tables <patterns>", "restore only these tables of the snapshot (repeatable)", commaList)
    .addOption(new Option("-m, --mode <mode>", "refresh (default), upsert or insert-missing, as for sync").choices(["refresh", "upsert", "insert-missing"]))
    .option("--cascade", "also empty unselected target tables that reference restored ones")
    .option("--add-columns", "add columns that exist only in the snapshot to the target's tables")
    .option("--no-create", "skip tables missing on the target instead of creating them")
    .option("--strict", "refuse the restore if the target's schema differs from the snapshot's")
    .option("--key-env <variable>", `the environment variable holding an encrypted snapshot's key (default ${DEFAULT_KEY_VARIABLE})`)
    .option("--no-hooks", "do not run the post-sync hooks of pgferry.yml (hooks.after) after the restore")
    .option("--dry-run", "check the snapshot and print the plan; change nothing")
    .option("-j, --jobs <n>", "tables the restore creates that load at the same time, each in a session of its own (default: sync.jobs, else 1)", wholeNumber("--jobs", 1, 32))
    .option("--verify-only", "read every data file through decryption and decompression and check sizes, SHA-256 and row counts against the manifest; connect to no database")
    .option("-y, --yes", "do not ask for confirmation (required when there is no terminal)")
    .option("--json", "print the report as JSON on stdout")
    .action(async (snapshot: string, to: string | undefined, options: RestoreOptions) => {
      const { config, path: loadedPath } = loadConfig(globals().config, ctx.cwd, ctx.env);
      if (options.verifyOnly) {
        if (options.dryRun) throw new ConfigError("--verify-only and --dry-run: choose one");
        const { store } = await openStore(options.from, config, ctx.cwd);
        const result = await verifySnapshot({ store, snapshot, throughCodec: true, ...snapshotChoice(snapshot, ctx.env, options) });
        return setExit(printVerification(ctx, result, store.label, options.json ?? false));
      }
      const target = resolveEndpoint(to, "target", config);
      if (!options.dryRun) {
        assertWritableTarget(target);
        requireConfirmationPossible(options.yes ?? false, Boolean(ctx.stdin.isTTY && ctx.stderr.isTTY), target.label);
      }
      const chosen = snapshotChoice(snapshot, ctx.env, options);
      // commander's --no-create and --no-hooks default to true: only false is a flag.
      const resolved = resolveRestoreOptions(config, { ...options, create: options.create === false ? false : undefined, hooks: options.hooks === false ? false : undefined }, target);
      const { store } = await openStore(options.from, config, ctx.cwd);
      const log = createConsoleLog(ctx.stderr, globals().verbose ?? false);
      const progress = createProgressDisplay(log, ctx.stderr, Boolean(ctx.stderr.isTTY) && !options.json);
      const { hooks } = resolved;
      try {
        const outcome = await runRestoreJob({
          job: null,
          restore: {
            ...resolved,
            store,
            snapshot,
            ...chosen,
            onEvent: progress.listener,
            signal: ctx.signal,
            ...(options.yes ? {} : { confirm: (p: SyncPlan, s: string) => confirmRestore(ctx, p, s, target.label, hooks) }),
          },
          hooks,
          hookContext: { cwd: loadedPath ? dirname(loadedPath) : ctx.cwd, env: ctx.env, onLine: (line) => log.info(line) },
          history: resolved.history,
          onWarning: (message) => log.warn(message),
        });
        progress.stop();
        if (outcome.thrown !== undefined || !outcome.result) throw outcome.thrown;
        const { plan, report, snapshot: name } = outcome.result;
        const exitCode = syncExitCode(ctx.signal.aborted, options.dryRun ?? false, report, outcome.status === "ok");
        if (options.json) ctx.stdout.write(renderJson({ snapshot: name, ...reportJson(report), hooks: outcome.hooks }, exitCode, outcome.error ?? report.error ?? null));
        else if (options.dryRun) ctx.stdout.write(`${renderPlan(plan, `snapshot ${name}`, target.label)}${renderHookPlan(hooks)}\n`);
        else {
          for (const line of renderDiagnostics(plan.diagnostics.filter((d) => d.level !== "info"))) log.info(line);
          const shown = { rowValues: globals().verbose ?? false };
          ctx.stdout.write(`${renderReport(report, shown)}${renderHookResults(outcome.hooks, shown)}\n`);
        }
        setExit(exitCode);
      } finally {
        progress.stop();
      }
    });
}

async function confirmRestore(ctx: CliContext, plan: SyncPlan, snapshot: string, targetLabel: string, hooks: readonly HookSpec[]): Promise<boolean> {
  ctx.stderr.write(`${renderPlan(plan, `snapshot ${snapshot}`, targetLabel)}${renderHookPlan(hooks)}\n\n`);
  return askConfirmation(`Restore snapshot ${snapshot} into ${targetLabel}?`, ctx.stdin, ctx.stderr);
}

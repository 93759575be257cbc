/** `pgferry restore [SNAPSHOT|latest] TO --from STORE`: a snapshot into TO, atomically, like a sync. */
import { Command, Option } from "commander";
import { restoreSnapshot } from "../../archive/restore-snapshot.js";
import { DEFAULT_KEY_VARIABLE } from "../../archive/snapshot-crypto.js";
import { loadConfig } from "../../config/load-config.js";
import { resolveEndpoint } from "../../config/resolve-endpoint.js";
import { ConfigError } from "../../errors.js";
import { assertWritableTarget, DEFAULT_LOCK_TIMEOUT_SECONDS } from "../../execute/run-sync.js";
import type { SyncMode, SyncPlan } from "../../model/plan.js";
import { openStore } from "../../storage/open-store.js";
import type { CliContext, GlobalOptions } from "../cli-context.js";
import { askConfirmation, requireConfirmationPossible } from "../confirm-prompt.js";
import { createConsoleLog } from "../console-log.js";
import { EXIT } from "../exit-codes.js";
import { commaList } from "../option-parsers.js";
import { createProgressDisplay } from "../progress-display.js";
import { renderDiagnostics, renderPlan } from "../render-plan.js";
import { renderReport, reportJson } from "../render-report.js";

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
  readonly yes?: boolean;
  readonly json?: boolean;
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
    .option("--dry-run", "check the snapshot and print the plan; change nothing")
    .option("-y, --yes", "do not ask for confirmation (required when there is no terminal)")
    .option("--json", "print the report as JSON on stdout")
    .action(async (snapshot: string, to: string | undefined, options: RestoreOptions) => {
      const { config } = loadConfig(globals().config, ctx.cwd, ctx.env);
      const target = resolveEndpoint(to, "target", config);
      if (!options.dryRun) {
        assertWritableTarget(target);
        requireConfirmationPossible(options.yes ?? false, Boolean(ctx.stdin.isTTY && ctx.stderr.isTTY), target.label);
      }
      if (options.env && snapshot !== "latest") throw new ConfigError("--env works with latest only");
      const { store } = await openStore(options.from, config, ctx.cwd);
      const log = createConsoleLog(ctx.stderr, globals().verbose ?? false);
      const progress = createProgressDisplay(log, ctx.stderr, Boolean(ctx.stderr.isTTY) && !options.json);
      const variable = options.keyEnv ?? DEFAULT_KEY_VARIABLE;
      const passphrase = ctx.env[variable];
      try {
        const { plan, report, snapshot: name } = await restoreSnapshot({
          store,
          snapshot,
          ...(options.env ? { environment: options.env } : {}),
          target,
          tables: options.tables ?? [],
          cascade: options.cascade ?? false,
          drift: { addColumns: options.addColumns ?? false, create: options.create !== false, strict: options.strict ?? false },
          mode: options.mode ?? "refresh",
          tableSettings: config.tables,
          ...(passphrase ? { key: passphrase } : {}),
          keyVariable: variable,
          dryRun: options.dryRun ?? false,
          lockTimeoutSeconds: config.sync.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_SECONDS,
          onEvent: progress.listener,
          signal: ctx.signal,
          ...(options.yes ? {} : { confirm: (p: SyncPlan, s: string) => confirmRestore(ctx, p, s, target.label) }),
        });
        progress.stop();
        if (options.json) ctx.stdout.write(`${JSON.stringify({ snapshot: name, ...reportJson(report) }, null, 2)}\n`);
        else if (options.dryRun) ctx.stdout.write(`${renderPlan(plan, `snapshot ${name}`, target.label)}\n`);
        else {
          for (const line of renderDiagnostics(plan.diagnostics.filter((d) => d.level !== "info"))) log.info(line);
          ctx.stdout.write(`${renderReport(report, { rowValues: globals().verbose ?? false })}\n`);
        }
        if (ctx.signal.aborted) return setExit(EXIT.interrupted);
        if (options.dryRun && report.error) return setExit(EXIT.usage);
        setExit(report.ok ? EXIT.ok : EXIT.failed);
      } finally {
        progress.stop();
      }
    });
}

async function confirmRestore(ctx: CliContext, plan: SyncPlan, snapshot: string, targetLabel: string): Promise<boolean> {
  ctx.stderr.write(`${renderPlan(plan, `snapshot ${snapshot}`, targetLabel)}\n\n`);
  return askConfirmation(`Restore snapshot ${snapshot} into ${targetLabel}?`, ctx.stdin, ctx.stderr);
}

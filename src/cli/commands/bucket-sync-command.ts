/**
 * `pgferry bucket-sync FROM TO [--delete] [--dry-run] [--jobs n] [--json]`: mirror one object
 * store onto another (store names from pgferry.yml, s3:// or file:// URLs), e.g. the uploads
 * bucket of production into staging's, each with its own endpoint and credentials.
 */
import { Command } from "commander";
import { loadConfig } from "../../config/load-config.js";
import { SafetyError } from "../../errors.js";
import { planStoreSync, runBucketSync, type BucketSyncFailure } from "../../storage/bucket-sync.js";
import type { ObjectStore } from "../../storage/object-store.js";
import { openStore } from "../../storage/open-store.js";
import type { ActionTotals, BucketSyncActionKind, BucketSyncPlan } from "../../storage/plan-bucket-sync.js";
import { createBucketSyncProgress } from "../bucket-sync-progress.js";
import type { CliContext, GlobalOptions } from "../cli-context.js";
import { askConfirmation, requireConfirmationPossible } from "../confirm-prompt.js";
import { createConsoleLog } from "../console-log.js";
import { EXIT } from "../exit-codes.js";
import { renderJson } from "../json-output.js";
import { wholeNumber } from "../option-parsers.js";
import { formatBytes, formatCount, formatSeconds } from "../format-units.js";
import { renderTextTable } from "../render-table.js";

interface BucketSyncOptions {
  readonly delete?: boolean;
  readonly dryRun?: boolean;
  readonly jobs?: number;
  readonly yes?: boolean;
  readonly json?: boolean;
}

/** Names users see in reports and JSON, in report order. */
const ACTION_NAMES: Readonly<Record<BucketSyncActionKind, string>> = { "copy-new": "new", "copy-changed": "changed", "skip-equal": "unchanged", delete: "delete" };
const MAX_FAILURES_SHOWN = 20;

const jobsValue = wholeNumber("--jobs", 1, 64);

export function bucketSyncCommand(ctx: CliContext, globals: () => GlobalOptions, setExit: (code: number) => void): Command {
  return new Command("bucket-sync")
    .description("mirror the objects of one store (bucket or folder) onto another: copies new and changed objects, skips equal ones")
    .argument("<from>", "source: a store name from pgferry.yml (stores:), s3://BUCKET/PREFIX or file://PATH")
    .argument("<to>", "target: a store name, s3://BUCKET/PREFIX or file://PATH")
    .option("--delete", "also delete target objects that the source does not have (asks first unless --yes)")
    .option("--dry-run", "print what would be copied and deleted (objects and bytes), write nothing")
    .option("-j, --jobs <n>", "parallel transfers (default 4)", jobsValue)
    .option("-y, --yes", "do not ask for confirmation of --delete (required when there is no terminal)")
    .option("--json", "print the report as JSON on stdout")
    .action(async (from: string, to: string, options: BucketSyncOptions) => {
      setExit(await runBucketSyncCommand(ctx, globals(), from, to, options));
    });
}

async function runBucketSyncCommand(ctx: CliContext, globals: GlobalOptions, from: string, to: string, options: BucketSyncOptions): Promise<number> {
  const { config } = loadConfig(globals.config, ctx.cwd, ctx.env);
  const source = (await openStore(from, config, ctx.cwd)).store;
  const target = (await openStore(to, config, ctx.cwd)).store;
  assertSeparateStores(source, target);
  const deleting = Boolean(options.delete) && !options.dryRun;
  // Refuse before listing anything when the deletion could not be confirmed.
  if (deleting) requireConfirmationPossible(options.yes ?? false, Boolean(ctx.stdin.isTTY && ctx.stderr.isTTY), target.label);

  const started = performance.now();
  const plan = await planStoreSync(source, target, { delete: Boolean(options.delete) });
  if (options.dryRun) {
    writeReport(ctx, options, { source, target, dryRun: true, totals: plan.totals, failures: [], seconds: null, interrupted: false });
    return EXIT.ok;
  }
  if (deleting && !options.yes && plan.totals.delete.objects > 0 && !(await confirmDeletes(ctx, plan, target))) return EXIT.safety;

  const log = createConsoleLog(ctx.stderr, globals.verbose ?? false);
  const progress = createBucketSyncProgress(log, ctx.stderr, Boolean(ctx.stderr.isTTY) && !options.json);
  let result;
  try {
    result = await runBucketSync(plan, source, target, { jobs: options.jobs ?? 4, signal: ctx.signal, onEvent: progress.listener });
  } finally {
    progress.stop();
  }
  const seconds = (performance.now() - started) / 1000; // listing included: that is most of a run with nothing to copy
  const report = { source, target, dryRun: false, totals: result.done, failures: result.failures, seconds, interrupted: result.interrupted };
  writeReport(ctx, options, report);
  return reportExitCode(report);
}

function reportExitCode(report: ReportInput): number {
  if (report.interrupted) return EXIT.interrupted;
  return report.failures.length > 0 ? EXIT.failed : EXIT.ok;
}

/** The report's error for --json: why the mirror is not complete, or null. */
function reportError(report: ReportInput): string | null {
  if (report.interrupted) return "interrupted: run the same command again to resume";
  const { failures } = report;
  if (failures.length === 0) return null;
  const shown = failures.slice(0, MAX_FAILURES_SHOWN).map((f) => `${ACTION_NAMES[f.kind]} ${f.key}: ${f.message}`);
  const more = failures.length > MAX_FAILURES_SHOWN ? `; … and ${failures.length - MAX_FAILURES_SHOWN} more (see failures)` : "";
  return `${failures.length} object${failures.length > 1 ? "s" : ""} failed: ${shown.join("; ")}${more}`;
}

/** Mirroring a store onto itself, or into a folder inside itself, would copy its own copies again. */
function assertSeparateStores(source: ObjectStore, target: ObjectStore): void {
  const [a, b] = [source.label, target.label];
  if (a === b) throw new SafetyError(`FROM and TO are the same store (${a}): nothing to mirror`);
  const inside = (outer: string, inner: string) => {
    const [outerRoot, outerAt = ""] = outer.split(" at ");
    const [innerRoot, innerAt = ""] = inner.split(" at ");
    return outerAt === innerAt && innerRoot!.startsWith(`${outerRoot!.replace(/\/$/, "")}/`);
  };
  if (inside(a, b) || inside(b, a)) throw new SafetyError(`FROM ${a} and TO ${b} overlap (one lies inside the other): mirror between separate prefixes or folders`);
}

async function confirmDeletes(ctx: CliContext, plan: BucketSyncPlan, target: ObjectStore): Promise<boolean> {
  const { objects, bytes } = plan.totals.delete;
  return askConfirmation(`Delete ${formatCount(objects)} object(s) (${formatBytes(bytes)}) from ${target.label} that the source does not have?`, ctx.stdin, ctx.stderr);
}

interface ReportInput {
  readonly source: ObjectStore;
  readonly target: ObjectStore;
  readonly dryRun: boolean;
  readonly totals: Readonly<Record<BucketSyncActionKind, ActionTotals>>;
  readonly failures: readonly BucketSyncFailure[];
  readonly seconds: number | null;
  readonly interrupted: boolean;
}

function writeReport(ctx: CliContext, options: BucketSyncOptions, report: ReportInput): void {
  const kinds = Object.keys(ACTION_NAMES) as BucketSyncActionKind[];
  if (options.json) {
    const actions = Object.fromEntries(kinds.map((kind) => [ACTION_NAMES[kind], report.totals[kind]]));
    const json = {
      from: report.source.label,
      to: report.target.label,
      dryRun: report.dryRun,
      delete: Boolean(options.delete),
      actions,
      failures: report.failures.map((f) => ({ key: f.key, action: ACTION_NAMES[f.kind], message: f.message })),
      ...(report.seconds === null ? {} : { seconds: Number(report.seconds.toFixed(3)) }),
      ...(report.interrupted ? { interrupted: true } : {}),
    };
    ctx.stdout.write(renderJson(json, reportExitCode(report), reportError(report)));
    return;
  }
  const title = report.dryRun
    ? `Dry run: mirror ${report.source.label} → ${report.target.label} (nothing written)`
    : `Mirrored ${report.source.label} → ${report.target.label} in ${formatSeconds(report.seconds ?? 0)} s`;
  const rows = kinds
    .filter((kind) => kind !== "delete" || options.delete)
    .map((kind) => [!report.dryRun && kind === "delete" ? "deleted" : ACTION_NAMES[kind], formatCount(report.totals[kind].objects), formatBytes(report.totals[kind].bytes)]);
  if (report.failures.length > 0) rows.push(["failed", formatCount(report.failures.length), ""]);
  const failures = report.failures.slice(0, MAX_FAILURES_SHOWN).map((f) => `  ${ACTION_NAMES[f.kind]} ${f.key}: ${f.message}`);
  const more = report.failures.length > MAX_FAILURES_SHOWN ? [`  … and ${report.failures.length - MAX_FAILURES_SHOWN} more (--json lists all)`] : [];
  const advice = report.interrupted
    ? ["Interrupted: run the same command again to resume; equal objects are skipped."]
    : report.failures.length > 0
      ? ["Run the same command again to retry the failed objects; equal objects are skipped."]
      : [];
  ctx.stdout.write(`${[title, renderTextTable(["action", "objects", "bytes"], rows, new Set([1, 2])), ...failures, ...more, ...advice].join("\n")}\n`);
}

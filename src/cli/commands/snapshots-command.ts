/** `pgferry snapshots list|show|prune`: what a store holds, one snapshot's manifest, retention. */
import { Command } from "commander";
import { choosePrunable, deleteSnapshot, describeKeepRules, listSnapshots, resolveSnapshot, type PruneRule } from "../../archive/list-snapshots.js";
import { MANIFEST_FILE, parseManifest } from "../../archive/manifest.js";
import { loadConfig } from "../../config/load-config.js";
import { ConfigError } from "../../errors.js";
import { parseSnapshotName } from "../../archive/snapshot-names.js";
import type { ObjectStore } from "../../storage/object-store.js";
import { openStore } from "../../storage/open-store.js";
import type { CliContext, GlobalOptions } from "../cli-context.js";
import { askConfirmation, requireConfirmationPossible } from "../confirm-prompt.js";
import { EXIT } from "../exit-codes.js";
import { renderJson } from "../json-output.js";
import { commaList, wholeNumber } from "../option-parsers.js";
import { formatBytes, formatCount } from "../format-units.js";
import { renderTextTable } from "../render-table.js";
import { renderVerification } from "../render-verification.js";
import { verifySnapshot, type SnapshotVerification } from "../../archive/verify-snapshot.js";
import { exportSql } from "../../archive/export-sql.js";
import { createWriteStream, renameSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import type { Writable } from "node:stream";

import { DEFAULT_KEY_VARIABLE } from "../../archive/snapshot-crypto.js";

/** --env and --key-env as restore, verify and export-sql take them: the environment of "latest", the key and its variable. */
export function snapshotChoice(snapshot: string, env: NodeJS.ProcessEnv, options: { env?: string; keyEnv?: string }): { environment?: string; key?: string; keyVariable: string } {
  if (options.env && snapshot !== "latest") throw new ConfigError("--env works with latest only");
  const keyVariable = options.keyEnv ?? DEFAULT_KEY_VARIABLE;
  const key = env[keyVariable];
  return { ...(options.env ? { environment: options.env } : {}), ...(key ? { key } : {}), keyVariable };
}

/** A verification's report on stdout (text, or one JSON object); its exit code: 1 when a file failed. */
export function printVerification(ctx: CliContext, result: SnapshotVerification, storeLabel: string, json: boolean): number {
  const exitCode = result.ok ? EXIT.ok : EXIT.failed;
  if (json) ctx.stdout.write(renderJson({ store: storeLabel, ...result }, exitCode, result.ok ? null : "snapshot verification failed"));
  else ctx.stdout.write(renderVerification(result, storeLabel));
  return exitCode;
}

export function snapshotsCommand(ctx: CliContext, globals: () => GlobalOptions, setExit: (code: number) => void): Command {
  const command = new Command("snapshots").description("list, show and prune the snapshots of a store");
  const store = async (arg: string | undefined) => {
    const { config } = loadConfig(globals().config, ctx.cwd, ctx.env);
    return openStore(arg, config, ctx.cwd);
  };
  command
    .command("list")
    .description("the snapshots of a store, newest first")
    .option("--from <store>", "store name, file://PATH or s3://BUCKET/PREFIX (default: defaults.store)")
    .option("--json", "JSON on stdout")
    .action(async (options: { from?: string; json?: boolean }) => {
      const opened = await store(options.from);
      const snapshots = await listSnapshots(opened.store);
      if (options.json) ctx.stdout.write(renderJson({ store: opened.store.label, snapshots }, EXIT.ok, null));
      else if (snapshots.length === 0) ctx.stdout.write(`No snapshots in ${opened.store.label}.\n`);
      else {
        const rows = snapshots.map((s) => [s.name, s.createdAt.toISOString(), s.environment, formatBytes(s.bytes), String(s.tables), s.complete ? "complete" : "incomplete (no manifest)"]);
        ctx.stdout.write(`${renderTextTable(["snapshot", "created", "environment", "size", "tables", "state"], rows, new Set([3, 4]))}\n`);
      }
      setExit(EXIT.ok);
    });
  command
    .command("show")
    .description("one snapshot's manifest: source, server version, tables with rows, sizes and checksums")
    .argument("<snapshot>", "a snapshot name or latest")
    .option("--from <store>", "store name, file://PATH or s3://BUCKET/PREFIX (default: defaults.store)")
    .option("--json", "JSON on stdout (the manifest without the catalog)")
    .action(async (wanted: string, options: { from?: string; json?: boolean }) => {
      const opened = await store(options.from);
      const name = await resolveSnapshot(opened.store, wanted);
      const full = parseManifest(await opened.store.getText(`${name}/${MANIFEST_FILE}`), `snapshot ${name}`);
      const manifest = { ...full, catalog: undefined }; // the catalog is for restore, not for reading
      if (options.json) ctx.stdout.write(renderJson({ snapshot: name, ...manifest }, EXIT.ok, null));
      else {
        const rows = manifest.tables.map((t) => [`${t.schema}.${t.name}`, formatCount(t.rows), formatBytes(t.rawBytes), formatBytes(t.storedBytes), t.sha256.slice(0, 16), t.where ?? ""]);
        ctx.stdout.write(
          `Snapshot ${name} in ${opened.store.label}\nsource: ${manifest.source} (PostgreSQL ${manifest.serverVersionText})\ncreated: ${manifest.createdAt} by pgferry ${manifest.pgferryVersion}, format ${manifest.format}, ${manifest.compression}${manifest.encryption ? ", encrypted (aes-256-gcm)" : ""}\n\n${renderTextTable(["table", "rows", "data", "stored", "sha256", "where"], rows, new Set([1, 2, 3]))}\n`,
        );
      }
      setExit(EXIT.ok);
    });
  command
    .command("verify")
    .description("re-read every data file of a snapshot and check its size and SHA-256 against the manifest, without a database")
    .argument("<snapshot>", "a snapshot name or latest")
    .option("--from <store>", "store name, file://PATH or s3://BUCKET/PREFIX (default: defaults.store)")
    .option("--env <name>", "with latest: the newest snapshot of this environment")
    .option("--key-env <variable>", `the environment variable holding an encrypted snapshot's key (default ${DEFAULT_KEY_VARIABLE})`)
    .option("--json", "JSON on stdout")
    .action(async (wanted: string, options: { from?: string; env?: string; keyEnv?: string; json?: boolean }) => {
      const opened = await store(options.from);
      const result = await verifySnapshot({ store: opened.store, snapshot: wanted, throughCodec: false, ...snapshotChoice(wanted, ctx.env, options) });
      setExit(printVerification(ctx, result, opened.store.label, options.json ?? false));
    });
  command
    .command("export-sql")
    .description("write a snapshot as a plain SQL script (DDL, COPY … FROM stdin data, post-data DDL, sequences) that psql loads into an empty database")
    .argument("<snapshot>", "a snapshot name or latest")
    .option("--from <store>", "store name, file://PATH or s3://BUCKET/PREFIX (default: defaults.store)")
    .option("--env <name>", "with latest: the newest snapshot of this environment")
    .option("--key-env <variable>", `the environment variable holding an encrypted snapshot's key (default ${DEFAULT_KEY_VARIABLE})`)
    .option("-t, --tables <patterns>", "only these tables of the snapshot (repeatable)", commaList)
    .option("-o, --out <file>", "write to this file (made whole or not at all) instead of standard output")
    .action(async (wanted: string, options: { from?: string; env?: string; keyEnv?: string; tables?: string[]; out?: string }) => {
      const opened = await store(options.from);
      const common = { store: opened.store, snapshot: wanted, ...(options.tables ? { tables: options.tables } : {}), ...snapshotChoice(wanted, ctx.env, options) };
      if (!options.out) {
        await exportSql({ ...common, out: ctx.stdout as unknown as Writable });
        return setExit(EXIT.ok);
      }
      const path = resolve(ctx.cwd, options.out);
      const partial = `${path}.partial-${process.pid}`;
      const file = createWriteStream(partial, { flags: "wx" });
      try {
        const done = await exportSql({ ...common, out: file });
        await new Promise<void>((settle, fail) => file.end((error?: Error | null) => (error ? fail(error) : settle())));
        renameSync(partial, path);
        ctx.stderr.write(`Wrote snapshot ${done.snapshot} to ${options.out}: ${done.tables} table(s), ${formatCount(done.rows)} row(s), ${done.statements} statement(s). Load it with: psql -v ON_ERROR_STOP=1 --single-transaction -f ${options.out}\n`);
      } catch (error) {
        file.destroy();
        rmSync(partial, { force: true });
        throw error;
      }
      setExit(EXIT.ok);
    });
  command
    .command("prune")
    .description("delete snapshots older than --days, or kept by none of the keep rules (the store's retention in pgferry.yml, or the flags)")
    .option("--from <store>", "store name, file://PATH or s3://BUCKET/PREFIX (default: defaults.store)")
    .option("--days <n>", "maximum age: delete snapshots older than n days (default: the store's retainDays)", wholeNumber("--days", 1))
    .option("--keep <n>", "keep the newest n snapshots of each environment (default: the store's keepLast)", wholeNumber("--keep", 1))
    .option("--keep-daily <n>", "keep the newest snapshot of each of the newest n days that have one (default: keepDaily)", wholeNumber("--keep-daily", 1))
    .option("--keep-weekly <n>", "… of each of the newest n ISO weeks (default: keepWeekly)", wholeNumber("--keep-weekly", 1))
    .option("--keep-monthly <n>", "… of each of the newest n months (default: keepMonthly)", wholeNumber("--keep-monthly", 1))
    .option("--dry-run", "list what would be deleted; delete nothing")
    .option("-y, --yes", "do not ask for confirmation")
    .action(async (options: { from?: string; days?: number; keep?: number; keepDaily?: number; keepWeekly?: number; keepMonthly?: number; dryRun?: boolean; yes?: boolean }) => {
      const opened = await store(options.from);
      const given: PruneRule = {
        ...(options.days !== undefined ? { retainDays: options.days } : {}),
        ...(options.keep !== undefined ? { keep: options.keep } : {}),
        ...(options.keepDaily !== undefined ? { keepDaily: options.keepDaily } : {}),
        ...(options.keepWeekly !== undefined ? { keepWeekly: options.keepWeekly } : {}),
        ...(options.keepMonthly !== undefined ? { keepMonthly: options.keepMonthly } : {}),
      };
      const rule: PruneRule = { ...opened.retention, ...given };
      if (Object.keys(rule).length === 0) {
        throw new ConfigError("prune needs a rule: --days, --keep, --keep-daily, --keep-weekly or --keep-monthly, or retainDays/keepLast/keepDaily/keepWeekly/keepMonthly on the store in pgferry.yml");
      }
      const now = new Date();
      const doomed = choosePrunable(await listSnapshots(opened.store), rule, now);
      const folders = await emptySnapshotFolders(opened.store, now);
      if (doomed.length === 0 && folders.length === 0) {
        ctx.stdout.write("Nothing to prune.\n");
        return setExit(EXIT.ok);
      }
      const keepRules = describeKeepRules(rule);
      const rules = [rule.retainDays !== undefined ? `older than ${rule.retainDays} day(s)` : "", keepRules.length ? `kept by none of: ${keepRules.join(", ")} per environment` : ""].filter(Boolean).join(", or ");
      const plan = [
        `Prune ${opened.store.label} (snapshots ${rules}; the newest complete one of each environment is kept):`,
        ...doomed.map((s) => `  delete ${s.name} (${formatBytes(s.bytes)}): ${s.reason}`),
        ...folders.map((f) => `  remove empty folder ${f}/`),
      ];
      ctx.stdout.write(`${plan.join("\n")}\n`);
      if (options.dryRun) {
        ctx.stdout.write("Dry run, nothing deleted.\n");
        return setExit(EXIT.ok);
      }
      if (!options.yes) {
        requireConfirmationPossible(false, Boolean(ctx.stdin.isTTY && ctx.stderr.isTTY), opened.store.label);
        if (!(await askConfirmation(`Delete ${doomed.length} snapshot(s) and ${folders.length} empty folder(s) from ${opened.store.label}?`, ctx.stdin, ctx.stderr))) return setExit(EXIT.safety);
      }
      for (const s of doomed) await deleteSnapshot(opened.store, s.name);
      const removed = (await opened.store.removeEmptyFolders?.(folders)) ?? [];
      ctx.stdout.write(`Deleted ${doomed.length} snapshot(s), ${formatBytes(doomed.reduce((n, s) => n + s.bytes, 0))}; removed ${removed.length} empty folder(s).\n`);
      setExit(EXIT.ok);
    });
  return command;
}

/**
 * Folders a file store holds without any file in them, inside snapshot folders (or a snapshot
 * folder itself): what a dump, a prune or a hand-made deletion may leave. Other folders of the
 * store are not pgferry's to remove, and neither are those of a snapshot younger than a day,
 * whose dump may be running (as for interrupted dumps). Deepest first.
 */
async function emptySnapshotFolders(store: ObjectStore, now: Date): Promise<string[]> {
  const folders = (await store.emptyFolders?.()) ?? [];
  return folders.filter((f) => {
    const snapshot = parseSnapshotName(f.split("/")[0]!);
    return snapshot !== null && now.getTime() - snapshot.createdAt.getTime() > 24 * 3600 * 1000;
  });
}

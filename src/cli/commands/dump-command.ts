/** `pgferry dump [ENV] [--to STORE]`: a timestamped, compressed, checksummed snapshot of ENV in a store. */
import { Command } from "commander";
import { createRequire } from "node:module";
import { loadConfig } from "../../config/load-config.js";
import { resolveEndpoint } from "../../config/resolve-endpoint.js";
import { describeFilter, dumpSnapshot, previewDump, type DumpPreview } from "../../archive/dump-snapshot.js";
import { DEFAULT_KEY_VARIABLE, newSnapshotKey } from "../../archive/snapshot-crypto.js";
import { ConfigError } from "../../errors.js";
import { DEFAULT_LOCK_TIMEOUT_SECONDS, parseWhereFlags, resolveSelection, resolveSubset } from "../../config/resolve-sync-options.js";
import { openStore } from "../../storage/open-store.js";
import type { CliContext, GlobalOptions } from "../cli-context.js";
import { createConsoleLog } from "../console-log.js";
import { EXIT } from "../exit-codes.js";
import { renderJson } from "../json-output.js";
import { formatBytes, formatCount, formatSeconds } from "../format-units.js";
import { commaList, repeatable, wholeNumber } from "../option-parsers.js";
import { renderTextTable } from "../render-table.js";
import { displayName } from "../../model/qualified-name.js";

const { version } = createRequire(import.meta.url)("../../../package.json") as { version: string };

interface DumpOptions {
  readonly to?: string;
  readonly tables?: string[];
  readonly exclude?: string[];
  readonly group?: string[];
  readonly where?: string[];
  readonly jobs?: number;
  readonly encrypt?: boolean;
  readonly keyEnv?: string;
  readonly json?: boolean;
  readonly dryRun?: boolean;
  /** commander's --no-subset: false turns pgferry.yml's subset off. */
  readonly subset?: boolean;
}

export function dumpCommand(ctx: CliContext, globals: () => GlobalOptions, setExit: (code: number) => void): Command {
  return new Command("dump")
    .description("write a snapshot of ENV (one consistent read) to a store: file://PATH, s3://BUCKET/PREFIX or a store from pgferry.yml")
    .argument("[env]", "the database to dump: environment name or postgres:// URL (default: defaults.from); reads only")
    .option("--to <store>", "store name, file://PATH or s3://BUCKET/PREFIX (default: defaults.store)")
    .option("-t, --tables <patterns>", "tables to dump, comma-separated globs (repeatable)", commaList)
    .option("-x, --exclude <patterns>", "tables to leave out (repeatable)", commaList)
    .option("-g, --group <name>", "the tables of a group (repeatable)", repeatable)
    .option("-w, --where <table:sql>", "dump only the matching rows of a table (repeatable)", repeatable)
    .option("-j, --jobs <n>", "tables read in parallel, all in the same snapshot (default 2)", wholeNumber("--jobs", 1, 32))
    .option("--encrypt", `encrypt the data files (AES-256-GCM) with the key in $${DEFAULT_KEY_VARIABLE}`)
    .option("--key-env <variable>", `the environment variable holding the key (default ${DEFAULT_KEY_VARIABLE})`)
    .option("--no-subset", "dump whole tables even when pgferry.yml has a subset:")
    .option("--dry-run", "read the source's catalog and print the tables (estimates, where filters), the store and the snapshot name; write nothing")
    .option("--json", "print the result as JSON on stdout")
    .action(async (env: string | undefined, options: DumpOptions) => {
      const { config } = loadConfig(globals().config, ctx.cwd, ctx.env);
      const source = resolveEndpoint(env, "source", config);
      const { store } = await openStore(options.to, config, ctx.cwd);
      const variable = options.keyEnv ?? DEFAULT_KEY_VARIABLE;
      const passphrase = ctx.env[variable];
      if (options.encrypt && !passphrase) throw new ConfigError(`--encrypt needs the key in $${variable}`);
      const key = options.encrypt ? newSnapshotKey(passphrase!, variable) : undefined;
      const selection = resolveSelection(config, { ...options, where: parseWhereFlags(options.where ?? []) });
      const lockTimeoutSeconds = config.sync.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_SECONDS;
      const subset = resolveSubset(config, { subset: options.subset === false ? false : undefined });
      if (options.dryRun) {
        const preview = await previewDump({ source, selection, lockTimeoutSeconds, tables: config.tables, transform: config.transform, subset });
        ctx.stdout.write(renderDumpPreview(preview, source.label, store.label, Boolean(key), options.json ?? false));
        return setExit(EXIT.ok);
      }
      const log = createConsoleLog(ctx.stderr, globals().verbose ?? false);
      const result = await dumpSnapshot({
        source,
        store,
        selection,
        tables: config.tables,
        transform: config.transform,
        subset,
        jobs: options.jobs ?? 2,
        ...(key ? { key } : {}),
        lockTimeoutSeconds,
        pgferryVersion: version,
        onTable: (t) => log.info(`dumped ${t.table}: ${formatCount(t.rows)} rows, ${formatBytes(t.rawBytes)} → ${formatBytes(t.storedBytes)} in ${formatSeconds(t.seconds)} s`),
        signal: ctx.signal,
      });
      const tables = result.manifest.tables;
      const raw = tables.reduce((n, t) => n + t.rawBytes, 0);
      const stored = tables.reduce((n, t) => n + t.storedBytes, 0);
      if (options.json) {
        const fields = { snapshot: result.name, store: store.label, seconds: result.seconds, tables: tables.map(({ schema, name, rows, rawBytes, storedBytes, sha256 }) => ({ schema, name, rows, rawBytes, storedBytes, sha256 })), rawBytes: raw, storedBytes: stored, encrypted: Boolean(key) };
        ctx.stdout.write(renderJson(fields, EXIT.ok, null));
      } else {
        const rows = tables.map((t) => [`${t.schema}.${t.name}`, formatCount(t.rows), formatBytes(t.rawBytes), formatBytes(t.storedBytes)]);
        ctx.stdout.write(`${renderTextTable(["table", "rows", "data", "stored"], rows, new Set([1, 2, 3]))}\n\nSnapshot ${result.name} written to ${store.label}: ${tables.length} table(s), ${formatBytes(raw)} → ${formatBytes(stored)}${key ? " (encrypted)" : ""} in ${formatSeconds(result.seconds)} s.\n`);
      }
      setExit(EXIT.ok);
    });
}

/** dump --dry-run: what would be read and where it would go. The name is drawn again when the dump runs. */
function renderDumpPreview(preview: DumpPreview, sourceLabel: string, storeLabel: string, encrypted: boolean, json: boolean): string {
  if (json) {
    const tables = preview.tables.map((a) => ({ schema: a.table.schema, name: a.table.name, columns: a.columns.map((c) => c.name), estimatedRows: a.copy.estimatedRows, estimatedBytes: a.copy.estimatedBytes, where: describeFilter(a.copy.where), subset: a.copy.subset?.summary ?? null }));
    return renderJson({ dryRun: true, snapshot: preview.name, source: sourceLabel, store: storeLabel, encrypted, tables }, EXIT.ok, null);
  }
  const rows = preview.tables.map((a) => [displayName(a.table), a.copy.estimatedRows === null ? "not analyzed" : `~${formatCount(a.copy.estimatedRows)}`, formatBytes(a.copy.estimatedBytes), a.copy.subset ? [a.copy.subset.summary, a.copy.subset.userWhere ? `where ${a.copy.subset.userWhere}` : ""].filter(Boolean).join("; ") : (a.copy.where ?? "")]);
  return `Source: ${sourceLabel}\nStore: ${storeLabel}\nSnapshot: ${preview.name} (the time and suffix are drawn when the dump runs)${encrypted ? ", encrypted" : ""}\n\n${renderTextTable(["table", "est. rows", "est. size", "where"], rows, new Set([1, 2]))}\n\nDry run, nothing written: ${preview.tables.length} table(s) would be dumped to ${storeLabel}.\n`;
}

/**
 * `pgferry snapshots export-sql`: a snapshot as one plain SQL script that psql loads into an
 * empty database, so a snapshot stays usable where pgferry is not installed. The script is what
 * a restore into an empty database of the source's version would run: the pre-data DDL planned
 * from the manifest's catalog, each table's rows as a `COPY … FROM stdin` block (the file
 * decrypted, decompressed, checked against its SHA-256 and row count as it streams), then the
 * post-data DDL (keys, indexes, FKs, views, triggers…) and the sequences' positions.
 */
import { Writable as WritableStream, type Writable } from "node:stream";
import { ConfigError, StorageError } from "../errors.js";
import type { Catalog } from "../model/catalog.js";
import type { DdlStatement } from "../model/ddl-statement.js";
import type { SyncPlan } from "../model/plan.js";
import { displayName, nameKey, qualifiedName } from "../model/qualified-name.js";
import { renderDdlCommands } from "../ddl/render-ddl.js";
import { buildSyncPlan } from "../plan/build-sync-plan.js";
import { renderCopyIn } from "../sql/copy-sql.js";
import { quoteLiteral, quoteQualified } from "../sql/quote.js";
import type { ObjectStore } from "../storage/object-store.js";
import { countedRows, decodeFile, fileLabel, fileProjection } from "./archive-reader.js";
import type { Manifest } from "./manifest.js";
import { chooseTables, fitToSnapshot, openSnapshot } from "./restore-snapshot.js";

export interface ExportSqlOptions {
  readonly store: ObjectStore;
  /** A snapshot name, or "latest". */
  readonly snapshot: string;
  readonly environment?: string;
  readonly key?: string;
  readonly keyVariable?: string;
  /** Only these tables of the snapshot (patterns as in --tables). */
  readonly tables?: readonly string[];
  readonly out: Writable;
}

export interface ExportSqlOutcome {
  readonly snapshot: string;
  readonly tables: number;
  readonly rows: number;
  readonly statements: number;
}

export async function exportSql(options: ExportSqlOptions): Promise<ExportSqlOutcome> {
  const { name, manifest, key } = await openSnapshot(options);
  const plan = planExport(manifest, options.tables ?? []);
  // A write error (a closed pipe) reaches the write's callback; the stream's own 'error' event must not crash the process.
  options.out.on("error", () => undefined);
  const write = (text: string) => writeText(options.out, text);
  await write(renderPreamble(name, manifest));
  await write(section("pre-data", plan.preData));
  let rows = 0;
  for (const action of plan.actions) {
    if (action.kind !== "create") continue;
    const entry = manifest.tables.find((t) => nameKey(qualifiedName(t.schema, t.name)) === nameKey(action.table));
    if (!entry) continue;
    const path = `${name}/${entry.file}`;
    await write(`\n-- Data of ${displayName(action.table)}: ${entry.rows} row(s)\n${renderCopyIn(action)};\n`);
    const label = fileLabel(entry, path);
    const lines = countedRows(fileProjection(entry, action.columns.map((c) => c.name), label), entry, label);
    await decodeFile(options.store, path, entry, key, [lines, nonClosing(options.out)]);
    await write("\\.\n");
    rows += entry.rows;
  }
  await write(section("post-data", plan.postData));
  const setvals = plan.sequenceResets.map((r) => `SELECT pg_catalog.setval(${quoteLiteral(quoteQualified(r.sequence))}, ${r.value}, ${r.isCalled});`);
  if (setvals.length) await write(`\n-- Sequences\n${setvals.join("\n")}\n`);
  await write(`\n-- End of snapshot ${name}\n`);
  return { snapshot: name, tables: plan.actions.filter((a) => a.kind === "create").length, rows, statements: plan.preData.length + plan.postData.length + setvals.length };
}

/**
 * Pure: the plan of a restore of the snapshot into an empty database of the source's version
 * (only `public` and the source's procedural languages exist), in text COPY format. Refused, one
 * line per object, what such a database could not take.
 */
export function planExport(manifest: Manifest, tables: readonly string[]): SyncPlan {
  const plan = buildSyncPlan({ source: manifest.catalog, target: emptyDatabase(manifest.catalog), selection: { include: chooseTables(manifest, tables), exclude: [], where: {} }, cascade: false });
  const problems = plan.diagnostics.filter((d) => d.level === "error");
  if (problems.length) throw new ConfigError(`the snapshot cannot be exported as SQL: ${problems.map((p) => p.message).join("; ")}`);
  return { ...plan, actions: plan.actions.map((a) => fitToSnapshot(a, manifest)) };
}

function emptyDatabase(source: Catalog): Catalog {
  return {
    serverVersion: source.serverVersion,
    serverVersionText: source.serverVersionText,
    identity: { systemIdentifier: null, postmasterStart: "export-sql", databaseOid: 0, databaseName: "(an empty database)" },
    schemas: ["public"],
    tables: [],
    sequences: [],
    enums: [],
    domains: [],
    composites: [],
    ranges: [],
    functions: [],
    views: [],
    extensions: source.extensions.filter((e) => e.name === "plpgsql"),
    availableExtensions: [...new Set([...source.availableExtensions, ...source.extensions.map((e) => e.name)])],
    roles: source.roles ?? [],
  };
}

function renderPreamble(name: string, manifest: Manifest): string {
  return [
    `-- pgferry snapshot ${name}`,
    `-- of ${manifest.environment} (PostgreSQL ${manifest.serverVersionText}), made ${manifest.createdAt} by pgferry ${manifest.pgferryVersion}`,
    "-- Load into an empty database: psql -v ON_ERROR_STOP=1 --single-transaction -f FILE",
    "",
    "SET client_encoding = 'UTF8';",
    "SET standard_conforming_strings = on;",
    "SET check_function_bodies = off;",
    "SET client_min_messages = warning;",
    // The COPY text was written in these styles (as pg_dump sets them).
    "SET DateStyle = 'ISO, MDY';",
    "SET IntervalStyle = 'postgres';",
    "SET extra_float_digits = 3;",
    "",
  ].join("\n");
}

function section(title: string, statements: readonly DdlStatement[]): string {
  const commands = statements.flatMap(renderDdlCommands);
  return commands.length === 0 ? "" : `\n-- ${title}\n${commands.map((c) => `${c};`).join("\n")}\n`;
}

/** The output stream, without ending it when one table's data ends. */
function nonClosing(out: Writable): Writable {
  return new WritableStream({ write: (chunk: Buffer, _e, callback) => void writeText(out, chunk).then(() => callback(), callback) });
}

/** One write, settled once the output took it (or failed: a closed pipe is an error, not a crash). */
function writeText(out: Writable, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (data.length === 0) return resolve();
    out.write(data, (error) => (error ? reject(new StorageError(`the output closed before the export ended: ${error.message}`, { cause: error })) : resolve()));
  });
}

/**
 * `pgferry dump`: every selected table, read in one consistent source snapshot by `jobs`
 * parallel workers, streamed as text COPY → gzip → (AES-256-GCM) → SHA-256 tap → the store.
 * Nothing is buffered: a table goes from the server's socket to the store's upload in chunks.
 * The manifest is written last (after its seal), so an interrupted dump leaves no snapshot (its
 * partial files are deleted on the way out).
 */
import { PassThrough, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type { Endpoint } from "../config/resolve-endpoint.js";
import { StorageError, isPgferryError } from "../errors.js";
import { introspectCatalog } from "../introspect/introspect-catalog.js";
import type { Catalog } from "../model/catalog.js";
import { displayName } from "../model/qualified-name.js";
import { buildSyncPlan, type TableSettings } from "../plan/build-sync-plan.js";
import type { TransformOptions } from "../transform/transform-spec.js";
import type { Selection } from "../plan/select-tables.js";
import { describePgError } from "../pg/describe-pg-error.js";
import type { CopyOutStream, SqlSession } from "../pg/session.js";
import type { ObjectStore } from "../storage/object-store.js";
import { openSourceSnapshot, type SourceSnapshot } from "../execute/source-snapshot.js";
import { readSourceRows, type CopyAction } from "../execute/table-reader.js";
import { validateWhereFilters } from "../execute/validate-where.js";
import { estimateSubsetRows } from "../execute/estimate-subset-rows.js";
import type { SubsetSpec } from "../plan/subset-spec.js";
import { createChecksumTap } from "./checksum-tap.js";
import { MANIFEST_FILE, MANIFEST_FORMAT, validateManifest, type Manifest, type ManifestTable } from "./manifest.js";
import { MANIFEST_SEAL_FILE, renderManifestSeal } from "./manifest-seal.js";
import { encryptStream, type SnapshotKey } from "./snapshot-crypto.js";
import { runWorkerPool } from "../execute/worker-pool.js";
import { createHash } from "node:crypto";

/**
 * A where filter can hold personal data (`email = 'alice@example.org'`): the manifest, which is
 * never encrypted, records only that the table was filtered and a fingerprint of the filter's
 * text (compare with `printf %s 'FILTER' | sha256sum`).
 */
export function describeFilter(where: string | null): string | null {
  return where === null ? null : `filtered (sha256 ${createHash("sha256").update(where).digest("hex").slice(0, 16)})`;
}
import { snapshotName } from "./snapshot-names.js";

export interface DumpOptions {
  readonly source: Endpoint;
  readonly store: ObjectStore;
  readonly selection: Selection;
  /** Per-table settings by pattern (pgferry.yml `tables:`): their `transform`s apply to the dumped rows. */
  readonly tables?: Readonly<Record<string, TableSettings>>;
  /** Anonymization rules and secret: the snapshot holds only transformed values. */
  readonly transform?: TransformOptions;
  /** Dump a referentially complete subset (pgferry.yml `subset:`) instead of whole tables. */
  readonly subset?: SubsetSpec | null;
  readonly jobs?: number;
  /** Encrypt the data files with this key. */
  readonly key?: SnapshotKey;
  readonly lockTimeoutSeconds: number;
  readonly pgferryVersion: string;
  readonly onTable?: (event: { table: string; rows: number; rawBytes: number; storedBytes: number; seconds: number }) => void;
  readonly onProgress?: (table: string, rawBytes: number) => void;
  readonly signal?: AbortSignal;
}

export interface DumpResult {
  readonly name: string;
  readonly manifest: Manifest;
  readonly seconds: number;
}

export async function dumpSnapshot(options: DumpOptions): Promise<DumpResult> {
  const started = performance.now();
  const secret = options.transform?.secret;
  const source = await openSourceSnapshot(options.source.url, { lockTimeoutSeconds: options.lockTimeoutSeconds, ...(secret ? { transformSecret: secret } : {}) });
  const written: string[] = [];
  let name = "";
  try {
    const catalog = await introspectCatalog(source.owner);
    const actions = planDump(catalog, options.selection, { tables: options.tables ?? {}, transform: options.transform ?? { rules: [] }, subset: options.subset ?? null });
    await validateWhereFilters({ actions }, source.owner);
    name = snapshotName(new Date(), options.source.name ?? "url");
    // The name is unique (ms + random suffix); still, never write into a folder that holds anything.
    if (await holdsObjects(options.store, `${name}/`)) throw new StorageError(`snapshot ${name} already exists in ${options.store.label}`);
    const queue = actions.map((action, index) => ({ action, file: `data/${String(index + 1).padStart(4, "0")}.copy.gz${options.key ? ".enc" : ""}` }));
    const tables = await dumpTables(source, queue, name, written, options);
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      pgferryVersion: options.pgferryVersion,
      createdAt: new Date().toISOString(),
      environment: options.source.name ?? "url",
      source: options.source.label,
      serverVersion: catalog.serverVersion,
      serverVersionText: catalog.serverVersionText,
      compression: "gzip",
      encryption: options.key?.encryption ?? null,
      tables: tables.map((t, i) => ({ ...t, file: queue[i]!.file })),
      catalog,
    };
    // Checked as a restore will check it, so a dump never writes a manifest a restore refuses.
    const text = JSON.stringify(manifest);
    validateManifest(JSON.parse(text), `snapshot ${name}`);
    written.push(`${name}/${MANIFEST_SEAL_FILE}`, `${name}/${MANIFEST_FILE}`);
    // The seal first: the manifest is what makes the folder a snapshot.
    await options.store.putText(`${name}/${MANIFEST_SEAL_FILE}`, renderManifestSeal(name, Buffer.from(text), options.key?.key ?? null));
    await options.store.putText(`${name}/${MANIFEST_FILE}`, text);
    return { name, manifest, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    // Every worker and upload has settled by now, so nothing is written after this delete.
    await options.store.delete(written).catch(() => undefined);
    if (isPgferryError(error)) throw error;
    throw new StorageError(`dump of ${options.source.label} failed: ${describePgError(error)}`, { cause: error });
  } finally {
    await source.close().catch(() => undefined);
  }
}

/** What a dump would write: its snapshot's name (as if it started now) and each table in order. */
export interface DumpPreview {
  readonly name: string;
  readonly tables: readonly CopyAction[];
}

/**
 * `dump --dry-run`: the same source read, plan and where checks as dumpSnapshot, then nothing:
 * no data is read and the store is not touched.
 */
export async function previewDump(options: Pick<DumpOptions, "source" | "selection" | "lockTimeoutSeconds" | "tables" | "transform" | "subset">): Promise<DumpPreview> {
  const source = await openSourceSnapshot(options.source.url, { lockTimeoutSeconds: options.lockTimeoutSeconds });
  try {
    // Planned with the transforms, so the dry run refuses what the dump would refuse.
    const actions = planDump(await introspectCatalog(source.owner), options.selection, { tables: options.tables ?? {}, transform: options.transform ?? { rules: [] }, subset: options.subset ?? null });
    await validateWhereFilters({ actions }, source.owner);
    const estimated = await estimateSubsetRows({ actions }, source.owner);
    return { name: snapshotName(new Date(), options.source.name ?? "url"), tables: estimated.actions as CopyAction[] };
  } catch (error) {
    if (isPgferryError(error)) throw error;
    throw new StorageError(`dump of ${options.source.label} failed: ${describePgError(error)}`, { cause: error });
  } finally {
    await source.close().catch(() => undefined);
  }
}

interface DumpItem {
  readonly action: CopyAction;
  readonly file: string;
}

/**
 * `jobs` workers, each with its own session in the source snapshot, take tables from the queue.
 * The first failure (or the caller's signal) stops them all: their streams and uploads are
 * aborted, and this resolves or rejects only once every worker has settled and closed its
 * session. `written` collects every key an upload was started for, for the caller to delete.
 */
async function dumpTables(source: SourceSnapshot, queue: readonly DumpItem[], name: string, written: string[], options: DumpOptions): Promise<ManifestTable[]> {
  const tables: ManifestTable[] = new Array(queue.length);
  const { interrupted } = await runWorkerPool<DumpItem, SqlSession>({
    items: queue,
    jobs: options.jobs ?? 1,
    ...(options.signal ? { signal: options.signal } : {}),
    openWorker: () => source.openWorker("dump worker"),
    process: async (item, session, index, stop) => {
      written.push(`${name}/${item.file}`);
      tables[index] = await dumpTable(item.action, readSourceRows(session, item.action), `${name}/${item.file}`, options, stop);
    },
  });
  if (interrupted) throw new StorageError(`dump of ${options.source.label} interrupted`);
  return tables;
}

/**
 * The tables to write and how to read them: the sync planner against an empty target, so a
 * dump reads exactly what a sync would (partitions through their parent, where filters,
 * generated columns left out), always as text COPY, which any server version reads back.
 */
export function planDump(
  catalog: Catalog,
  selection: Selection,
  settings?: { readonly tables: Readonly<Record<string, TableSettings>>; readonly transform: TransformOptions; readonly subset?: SubsetSpec | null },
): CopyAction[] {
  const empty: Catalog = { ...catalog, schemas: [], tables: [], sequences: [], enums: [], domains: [], composites: [], functions: [], views: [], extensions: [] };
  const transform = { rules: settings?.transform.rules ?? [], secret: Boolean(settings?.transform.secret), strict: settings?.transform.strict ?? false };
  const subset = settings?.subset ? { subset: settings.subset } : {};
  const plan = buildSyncPlan({ source: catalog, target: empty, selection, cascade: false, tables: settings?.tables ?? {}, transform, ...subset });
  const problem = plan.diagnostics.find((d) => d.level === "error");
  if (problem) throw new StorageError(`cannot dump ${problem.table ? displayName(problem.table) : "the selection"}: ${problem.message}`);
  return plan.actions
    .filter((a): a is CopyAction => a.kind === "create" || a.kind === "refresh")
    .map((a) => ({ ...a, copy: { ...a.copy, format: "text" as const } }));
}

async function dumpTable(action: CopyAction, out: CopyOutStream, key: string, options: DumpOptions, signal: AbortSignal): Promise<ManifestTable> {
  const started = performance.now();
  const label = displayName(action.table);
  let rawBytes = 0;
  const rawCounter = new Transform({
    transform(chunk: Buffer, _e: BufferEncoding, callback: TransformCallback) {
      rawBytes += chunk.length;
      options.onProgress?.(label, rawBytes);
      callback(null, chunk);
    },
  });
  const tap = createChecksumTap();
  const encryption = options.key ? encryptStream(options.key.key) : null;
  const body = new PassThrough();
  const upload = options.store.put(key, body);
  const stages = [out, rawCounter, createGzip({ level: 6 }), ...(encryption ? [encryption.cipher] : []), tap.stream, body] as const;
  try {
    await Promise.all([pipeline(stages as unknown as [NodeJS.ReadableStream, ...NodeJS.WritableStream[]], { signal }), upload]);
  } catch (error) {
    body.destroy();
    out.destroy();
    await upload.catch(() => undefined); // settled: a partial file is removed, a multipart upload aborted
    throw new StorageError(`${label}: ${describePgError(error)}`, { cause: error });
  }
  const table: ManifestTable = {
    schema: action.table.schema,
    name: action.table.name,
    file: key,
    columns: action.columns.map((c) => c.name),
    rows: out.rowCount ?? 0,
    rawBytes,
    storedBytes: tap.bytes(),
    sha256: tap.sha256(),
    where: describeFilter(action.copy.where),
    ...(encryption ? { iv: encryption.iv, authTag: encryption.cipher.getAuthTag().toString("base64") } : {}),
  };
  options.onTable?.({ table: label, rows: table.rows, rawBytes, storedBytes: table.storedBytes, seconds: (performance.now() - started) / 1000 });
  return table;
}

async function holdsObjects(store: ObjectStore, prefix: string): Promise<boolean> {
  const objects = store.list(prefix)[Symbol.asyncIterator]();
  const first = await objects.next();
  await objects.return?.();
  return !first.done;
}

/**
 * Restore's TableReaders: a table's rows come from its snapshot file, store → SHA-256 and size
 * check → (AES-256-GCM) → gunzip → column projection → the target's COPY, in one pass. A corrupted
 * or truncated file fails that table's COPY, and with it the one target transaction, so the target
 * keeps what it had. The row count is checked against the manifest too.
 */
import { PassThrough, Transform, Writable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import { StorageError } from "../errors.js";
import { displayName, nameKey, qualifiedName } from "../model/qualified-name.js";
import type { CopyOutStream } from "../pg/session.js";
import type { ObjectStore } from "../storage/object-store.js";
import type { CopyAction, TableReader, TableReaders } from "../execute/table-reader.js";
import { createChecksumTap } from "./checksum-tap.js";
import type { Manifest, ManifestTable } from "./manifest.js";
import { decryptStream } from "./snapshot-crypto.js";

class ArchiveCopyStream extends PassThrough implements CopyOutStream {
  rowCount?: number;
}

export function archiveReaders(store: ObjectStore, snapshot: string, manifest: Manifest, key: Buffer | null): TableReaders {
  const files = new Map(manifest.tables.map((t) => [nameKey(qualifiedName(t.schema, t.name)), t]));
  const reader: TableReader = {
    brokenBy: null,
    close: async () => undefined,
    read(action: CopyAction) {
      const entry = files.get(nameKey(action.table));
      const out = new ArchiveCopyStream();
      if (!entry) {
        process.nextTick(() => out.destroy(new StorageError(`${displayName(action.table)} has no data file in snapshot ${snapshot}`)));
        return out;
      }
      void streamFile(store, `${snapshot}/${entry.file}`, entry, action, key, out).catch((error: unknown) => out.destroy(error as Error));
      return out;
    },
    async explainFailure(action: CopyAction) {
      const entry = files.get(nameKey(action.table));
      return entry ? fileProblem(store, `${snapshot}/${entry.file}`, entry) : null;
    },
  };
  return { open: async () => reader };
}

async function streamFile(store: ObjectStore, path: string, entry: ManifestTable, action: CopyAction, key: Buffer | null, out: ArchiveCopyStream): Promise<void> {
  const label = fileLabel(entry, path);
  const rows = countedRows(fileProjection(entry, action.columns.map((c) => c.name), label), entry, label, (count) => (out.rowCount = count));
  // Streamed straight into the target's COPY: the file's checks run at its end, and a failure
  // there fails the COPY and rolls back the one target transaction.
  await decodeFile(store, path, entry, key, [rows, out]);
}

/**
 * The file's fields to pick, in the order of `columns`, or null when they are the file's own
 * (its bytes then pass through untouched). A column the file lacks is a StorageError.
 */
export function fileProjection(entry: ManifestTable, columns: readonly string[], label: string): readonly number[] | null {
  const indexes = columns.map((c) => entry.columns.indexOf(c));
  const missing = columns.filter((_, i) => indexes[i] === -1);
  if (missing.length) throw new StorageError(`${label}: the snapshot has no column ${missing.join(", ")}`);
  return indexes.length === entry.columns.length && indexes.every((v, i) => v === i) ? null : indexes;
}

/** The file's COPY lines through `projection`, their count checked against the manifest when they end. */
export function countedRows(projection: readonly number[] | null, entry: ManifestTable, label: string, onCount?: (rows: number) => void): Transform {
  return rowProjection(projection, (count, callback) => {
    if (count !== entry.rows) return callback(new StorageError(`${label} holds ${count} rows, the manifest says ${entry.rows}`));
    onCount?.(count);
    callback();
  });
}

/** How messages name a snapshot file: its table and path. */
export function fileLabel(entry: ManifestTable, path: string): string {
  return `${displayName(qualifiedName(entry.schema, entry.name))} (${path})`;
}

/**
 * One snapshot file from the store through its checks (size and SHA-256 of the stored bytes,
 * at its end), decryption and gunzip into `rest`: a failure is a StorageError naming the file.
 */
export async function decodeFile(store: ObjectStore, path: string, entry: ManifestTable, key: Buffer | null, rest: readonly (NodeJS.ReadWriteStream | NodeJS.WritableStream)[]): Promise<void> {
  const label = fileLabel(entry, path);
  if (key === null && entry.iv) throw new StorageError(`${label} is encrypted and no key was given`);
  const decrypt = key && entry.iv && entry.authTag ? [decryptStream(key, entry.iv, entry.authTag)] : [];
  const body = await store.get(path);
  try {
    await pipeline([body, storedBytesCheck(entry, label).stream, ...decrypt, createGunzip(), ...rest]);
  } catch (error) {
    if (error instanceof StorageError) throw error;
    throw new StorageError(`${label} is corrupted or truncated: ${(error as Error).message}`, { cause: error });
  }
}

/** The stored bytes' size and SHA-256 against the manifest, checked when the file ends. */
export function storedBytesCheck(entry: ManifestTable, label: string) {
  return createChecksumTap((stored, sha256) =>
    stored !== entry.storedBytes
      ? new StorageError(`${label} is truncated: ${stored} of ${entry.storedBytes} bytes`)
      : sha256 !== entry.sha256
        ? new StorageError(`${label} is corrupted: its SHA-256 differs from the manifest`)
        : null,
  );
}

/**
 * Why a table's load failed, as far as its file can tell: a COPY may reject the garbage a
 * corrupted file decompressed to (a type error) before the file's end, where its checksum is
 * checked. Reading the file through its size and SHA-256 again (only after a failure) names
 * the corruption instead. Null when the file is sound.
 */
export async function fileProblem(store: ObjectStore, path: string, entry: ManifestTable): Promise<StorageError | null> {
  try {
    const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    await pipeline(await store.get(path), storedBytesCheck(entry, fileLabel(entry, path)).stream, sink);
    return null;
  } catch (error) {
    return error instanceof StorageError ? error : new StorageError(`${fileLabel(entry, path)} cannot be read: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Text COPY has one row per line and tab-separated fields; tabs and newlines inside values are
 * escaped (\t, \n), so splitting on the raw bytes is exact. `indexes` picks and orders fields
 * (null: pass bytes through untouched, counting rows).
 */
function rowProjection(indexes: readonly number[] | null, onEnd: (rows: number, callback: TransformCallback) => void): Transform {
  let rows = 0;
  let rest = "";
  const decoder = new StringDecoder("utf8");
  return new Transform({
    transform(chunk: Buffer, _e: BufferEncoding, callback: TransformCallback) {
      if (indexes === null) {
        for (const byte of chunk) if (byte === 10) rows += 1;
        return callback(null, chunk);
      }
      const lines = (rest + decoder.write(chunk)).split("\n");
      rest = lines.pop() ?? "";
      rows += lines.length;
      if (lines.length === 0) return callback();
      const picked = lines.map((line) => {
        const fields = line.split("\t");
        return indexes.map((i) => fields[i] ?? "\\N").join("\t");
      });
      callback(null, Buffer.from(`${picked.join("\n")}\n`));
    },
    flush(callback: TransformCallback) {
      if (indexes !== null && (rest + decoder.end()).length > 0) return callback(new StorageError("the data file ends inside a row"));
      onEnd(rows, callback);
    },
  });
}

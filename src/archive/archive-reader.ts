/**
 * Restore's TableReaders: a table's rows come from its snapshot file, store → SHA-256 and size
 * check → (AES-256-GCM) → gunzip → column projection → the target's COPY. A corrupted or
 * truncated file fails that table's COPY, and with it the one target transaction, so the target
 * keeps what it had. The row count is checked against the manifest too.
 */
import { PassThrough, Transform, type TransformCallback } from "node:stream";
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
  };
  return { open: async () => reader };
}

async function streamFile(store: ObjectStore, path: string, entry: ManifestTable, action: CopyAction, key: Buffer | null, out: ArchiveCopyStream): Promise<void> {
  const label = `${displayName(action.table)} (${path})`;
  const indexes = action.columns.map((c) => entry.columns.indexOf(c.name));
  const missing = action.columns.filter((_, i) => indexes[i] === -1).map((c) => c.name);
  if (missing.length) throw new StorageError(`${label}: the snapshot has no column ${missing.join(", ")}`);
  const identity = indexes.length === entry.columns.length && indexes.every((v, i) => v === i);
  const body = await store.get(path);
  const verify = createChecksumTap((stored, sha256) =>
    stored !== entry.storedBytes
      ? new StorageError(`${label} is truncated: ${stored} of ${entry.storedBytes} bytes`)
      : sha256 !== entry.sha256
        ? new StorageError(`${label} is corrupted: its SHA-256 differs from the manifest`)
        : null,
  );
  if (key === null && entry.iv) throw new StorageError(`${label} is encrypted and no key was given`);
  const decrypt = key && entry.iv && entry.authTag ? [decryptStream(key, entry.iv, entry.authTag)] : [];
  const rows = rowProjection(identity ? null : indexes, (count, callback) => {
    if (count !== entry.rows) return callback(new StorageError(`${label} holds ${count} rows, the manifest says ${entry.rows}`));
    out.rowCount = count;
    callback();
  });
  // Streamed straight into the target's COPY: the file's checks run at its end, and a failure
  // there fails the COPY and rolls back the one target transaction.
  try {
    await pipeline([body, verify.stream, ...decrypt, createGunzip(), rows, out]);
  } catch (error) {
    if (error instanceof StorageError) throw error;
    throw new StorageError(`${label} is corrupted or truncated: ${(error as Error).message}`, { cause: error });
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

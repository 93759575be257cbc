/**
 * `pgferry snapshots verify` and `restore --verify-only`: a snapshot checked without any
 * database. Every data file is read again: its presence, size and SHA-256 against the manifest
 * (the manifest itself authenticated or checked against its seal first); through the codec, it
 * is also decrypted (its GCM tag checked) and decompressed, and its rows counted against the
 * manifest. Every file is checked, not only up to the first bad one.
 */
import { Writable } from "node:stream";
import { StorageError } from "../errors.js";
import type { ObjectStore } from "../storage/object-store.js";
import { countedRows, decodeFile, fileLabel, fileProblem } from "./archive-reader.js";
import { resolveSnapshot } from "./list-snapshots.js";
import type { Manifest, ManifestTable } from "./manifest.js";
import { openManifest } from "./manifest-seal.js";
import { DEFAULT_KEY_VARIABLE } from "./snapshot-crypto.js";

export interface VerifyOptions {
  readonly store: ObjectStore;
  /** A snapshot name, or "latest". */
  readonly snapshot: string;
  /** With "latest": only snapshots of this environment. */
  readonly environment?: string;
  readonly key?: string;
  readonly keyVariable?: string;
  /** Also decrypt, decompress and count rows (restore --verify-only), not only the stored bytes. */
  readonly throughCodec: boolean;
}

export interface FileVerification {
  readonly table: string;
  readonly file: string;
  readonly storedBytes: number;
  /** Rows counted through the codec; null when only the stored bytes were checked. */
  readonly rows: number | null;
  /** One line saying what is wrong; null when the file is sound. */
  readonly problem: string | null;
}

export interface SnapshotVerification {
  readonly snapshot: string;
  readonly throughCodec: boolean;
  readonly files: readonly FileVerification[];
  readonly ok: boolean;
}

export async function verifySnapshot(options: VerifyOptions): Promise<SnapshotVerification> {
  const name = await resolveSnapshot(options.store, options.snapshot, options.environment);
  const { manifest, key } = await openManifest(options.store, name, options.key, options.keyVariable ?? DEFAULT_KEY_VARIABLE);
  const files: FileVerification[] = [];
  for (const entry of manifest.tables) {
    const path = `${name}/${entry.file}`;
    const base = { table: `${entry.schema}.${entry.name}`, file: entry.file, storedBytes: entry.storedBytes };
    const absent = await presenceProblem(options.store, path, entry);
    if (absent) {
      files.push({ ...base, rows: null, problem: absent.message });
    } else if (!options.throughCodec) {
      files.push({ ...base, rows: null, problem: (await fileProblem(options.store, path, entry))?.message ?? null });
    } else {
      files.push({ ...base, ...(await decodeAndCount(options.store, path, entry, key)) });
    }
  }
  return { snapshot: name, throughCodec: options.throughCodec, files, ok: files.every((f) => f.problem === null) };
}

/** Every data file of the snapshot is in the store with the manifest's size, or a StorageError names the first that is not. */
export async function assertFilesPresent(store: ObjectStore, name: string, manifest: Manifest): Promise<void> {
  for (const table of manifest.tables) {
    const problem = await presenceProblem(store, `${name}/${table.file}`, table);
    if (problem) throw new StorageError(`snapshot ${name}: ${problem.message}`);
  }
}

/** A data file missing from the store, or of another size than the manifest's: found by a HEAD, without reading it. */
export async function presenceProblem(store: ObjectStore, path: string, entry: ManifestTable): Promise<StorageError | null> {
  const found = await store.head(path);
  const label = `data file ${entry.file} (${entry.schema}.${entry.name})`;
  if (!found) return new StorageError(`${label} is missing`);
  if (found.size !== entry.storedBytes) return new StorageError(`${label} has ${found.size} bytes, the manifest says ${entry.storedBytes} (truncated or replaced)`);
  return null;
}

async function decodeAndCount(store: ObjectStore, path: string, entry: ManifestTable, key: Buffer | null): Promise<{ rows: number | null; problem: string | null }> {
  let rows: number | null = null;
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  try {
    await decodeFile(store, path, entry, key, [countedRows(null, entry, fileLabel(entry, path), (count) => (rows = count)), sink]);
  } catch (error) {
    // A decoding error is best explained by the stored bytes' checksum when they are corrupted.
    const stored = await fileProblem(store, path, entry);
    return { rows: null, problem: (stored ?? (error as Error)).message };
  }
  return { rows, problem: null };
}

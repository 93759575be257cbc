/**
 * The object-storage port: what snapshots and bucket mirroring need from a store, whether it
 * is a local folder (file://) or an S3-compatible bucket (s3://). Keys are '/'-separated and
 * relative to the store's root (the folder, or the bucket + prefix of its URL).
 * No PostgreSQL here.
 */
import type { Readable } from "node:stream";

export interface StoredObject {
  /** Relative to the store's root, '/'-separated, no leading '/'. */
  readonly key: string;
  readonly size: number;
  /** S3's ETag without quotes, or a content hash for files; compare only within one store kind. */
  readonly etag: string | null;
  readonly lastModified: Date;
}

export interface ObjectStore {
  /** What users see: the URL with credentials removed. */
  readonly label: string;
  /** Stream `body` to `key`; never buffers the whole object. Resolves to the bytes written. */
  put(key: string, body: Readable, options?: { readonly contentType?: string }): Promise<number>;
  /** Small objects (manifests): the whole body. */
  putText(key: string, text: string): Promise<void>;
  /** A stream of the object's bytes; rejects with a StorageError naming the key when it does not exist. */
  get(key: string): Promise<Readable>;
  getText(key: string): Promise<string>;
  /** Null when absent. */
  head(key: string): Promise<StoredObject | null>;
  /** Every object under `prefix` (recursively), in key order. */
  list(prefix: string): AsyncIterable<StoredObject>;
  /** Delete these keys; absent ones are ignored. */
  delete(keys: readonly string[]): Promise<void>;
  /**
   * Stores with real folders (file://) only: the folders under the root that hold no file, at
   * any depth, deepest first, as '/'-separated paths. S3 has no folders, only keys.
   */
  emptyFolders?(): Promise<string[]>;
  /** Remove these folders (from emptyFolders) where they are still empty; resolves to those removed. */
  removeEmptyFolders?(folders: readonly string[]): Promise<string[]>;
}

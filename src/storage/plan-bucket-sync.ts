/**
 * Decide what mirroring one store onto another takes, from the two listings alone (pure: no I/O).
 *
 * Two objects with the same key are equal when their sizes match and:
 * - with `compareEtags` (both stores S3), their ETags match. An ETag is the MD5 of the content
 *   only for single-part uploads; a multipart ETag ("…-N") depends on the part size the uploader
 *   chose, so when either ETag is multipart and they differ, the dates decide as below.
 * - otherwise (a folder and a bucket: file "etags" are not content hashes), the source is not
 *   newer than the target, to the second — what `aws s3 sync` does. A copy is never older than its
 *   source, so a second run finds everything equal.
 */
import type { StoredObject } from "./object-store.js";

export type BucketSyncActionKind = "copy-new" | "copy-changed" | "skip-equal" | "delete";

export interface BucketSyncAction {
  readonly kind: BucketSyncActionKind;
  readonly key: string;
  /** The bytes a copy transfers (the source's size), or that a delete frees (the target's). */
  readonly bytes: number;
}

export interface ActionTotals {
  readonly objects: number;
  readonly bytes: number;
}

export interface BucketSyncPlan {
  /** Copies in source key order, then deletes in target key order. */
  readonly actions: readonly BucketSyncAction[];
  readonly totals: Readonly<Record<BucketSyncActionKind, ActionTotals>>;
}

export interface BucketSyncPlanOptions {
  /** Remove target objects whose key the source does not have. */
  readonly delete: boolean;
  /** Compare ETags: only meaningful when both stores compute them the same way (S3 and S3). */
  readonly compareEtags: boolean;
}

export const BUCKET_SYNC_ACTION_KINDS: readonly BucketSyncActionKind[] = ["copy-new", "copy-changed", "skip-equal", "delete"];

export function planBucketSync(source: readonly StoredObject[], target: readonly StoredObject[], options: BucketSyncPlanOptions): BucketSyncPlan {
  const onTarget = new Map(target.map((object) => [object.key, object]));
  const onSource = new Set<string>();
  const actions: BucketSyncAction[] = [];
  for (const object of [...source].sort(byKey)) {
    onSource.add(object.key);
    const existing = onTarget.get(object.key);
    const kind: BucketSyncActionKind = !existing ? "copy-new" : isEqual(object, existing, options.compareEtags) ? "skip-equal" : "copy-changed";
    actions.push({ kind, key: object.key, bytes: object.size });
  }
  if (options.delete) {
    for (const object of [...target].sort(byKey)) {
      if (!onSource.has(object.key)) actions.push({ kind: "delete", key: object.key, bytes: object.size });
    }
  }
  return { actions, totals: totalsOf(actions) };
}

export function totalsOf(actions: readonly BucketSyncAction[]): Record<BucketSyncActionKind, ActionTotals> {
  const totals = Object.fromEntries(BUCKET_SYNC_ACTION_KINDS.map((kind) => [kind, { objects: 0, bytes: 0 }])) as Record<BucketSyncActionKind, { objects: number; bytes: number }>;
  for (const action of actions) {
    totals[action.kind].objects += 1;
    totals[action.kind].bytes += action.bytes;
  }
  return totals;
}

function isEqual(source: StoredObject, target: StoredObject, compareEtags: boolean): boolean {
  if (source.size !== target.size) return false;
  if (compareEtags && source.etag && target.etag) {
    if (source.etag === target.etag) return true;
    if (!isMultipartEtag(source.etag) && !isMultipartEtag(target.etag)) return false; // two MD5s of different content
  }
  return wholeSeconds(source.lastModified) <= wholeSeconds(target.lastModified);
}

/** S3 keeps LastModified to the second, so an upload often looks older than the file it copies by a fraction of one. */
function wholeSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** S3 gives a multipart upload the ETag "<md5 of the part md5s>-<part count>". */
function isMultipartEtag(etag: string): boolean {
  return /-\d+$/.test(etag);
}

/** Code-unit order, as S3 lists keys (for ASCII keys) and as the file store sorts them. */
function byKey(a: StoredObject, b: StoredObject): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

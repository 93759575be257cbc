/**
 * Mirror one object store onto another: list both, plan (pure), then stream each copy from the
 * source's `get` into the target's `put` through a small pool of parallel transfers, then delete.
 * The two stores are separate instances, so they may use different endpoints and credentials.
 * A failed object does not stop the others; running again resumes, since equal objects are skipped.
 */
import { Transform, pipeline } from "node:stream";
import type { ObjectStore, StoredObject } from "./object-store.js";
import { planBucketSync, type ActionTotals, type BucketSyncAction, type BucketSyncActionKind, type BucketSyncPlan } from "./plan-bucket-sync.js";

export type BucketSyncEvent =
  /** Bytes moved so far, after every chunk of every transfer. */
  | { readonly kind: "progress"; readonly objectsDone: number; readonly objectsTotal: number; readonly bytesDone: number; readonly bytesTotal: number }
  | { readonly kind: "object-done"; readonly action: BucketSyncAction; readonly ok: boolean; readonly error?: string };

export interface BucketSyncFailure {
  readonly key: string;
  readonly kind: BucketSyncActionKind;
  readonly message: string;
}

export interface BucketSyncResult {
  /** What was done (failed objects are not counted); skip-equal as planned. */
  readonly done: Readonly<Record<BucketSyncActionKind, ActionTotals>>;
  readonly failures: readonly BucketSyncFailure[];
  /** True when the signal stopped the run before every action was tried. */
  readonly interrupted: boolean;
  readonly seconds: number;
}

export interface RunBucketSyncOptions {
  /** Parallel transfers. */
  readonly jobs: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: BucketSyncEvent) => void;
}

/** Both listings, read in parallel, then the plan. ETags are compared only between two S3 stores. */
export async function planStoreSync(source: ObjectStore, target: ObjectStore, options: { readonly delete: boolean }): Promise<BucketSyncPlan> {
  const [sourceObjects, targetObjects] = await Promise.all([listAll(source), listAll(target)]);
  const compareEtags = source.label.startsWith("s3://") && target.label.startsWith("s3://");
  return planBucketSync(sourceObjects, targetObjects, { delete: options.delete, compareEtags });
}

export async function listAll(store: ObjectStore): Promise<StoredObject[]> {
  const objects: StoredObject[] = [];
  for await (const object of store.list("")) objects.push(object);
  return objects;
}

export async function runBucketSync(plan: BucketSyncPlan, source: ObjectStore, target: ObjectStore, options: RunBucketSyncOptions): Promise<BucketSyncResult> {
  const started = performance.now();
  const copies = plan.actions.filter((a) => a.kind === "copy-new" || a.kind === "copy-changed");
  const deletes = plan.actions.filter((a) => a.kind === "delete");
  const done = { "copy-new": { objects: 0, bytes: 0 }, "copy-changed": { objects: 0, bytes: 0 }, "skip-equal": { ...plan.totals["skip-equal"] }, delete: { objects: 0, bytes: 0 } };
  const failures: BucketSyncFailure[] = [];
  const progress = { objectsDone: 0, objectsTotal: copies.length + deletes.length, bytesDone: 0, bytesTotal: plan.totals["copy-new"].bytes + plan.totals["copy-changed"].bytes };
  const report = () => options.onEvent?.({ kind: "progress", ...progress });
  /** `error` is the failure's message, or null for success. */
  const finish = (action: BucketSyncAction, error: string | null) => {
    progress.objectsDone += 1;
    if (error === null) {
      done[action.kind].objects += 1;
      done[action.kind].bytes += action.bytes;
    } else {
      failures.push({ key: action.key, kind: action.kind, message: error });
    }
    options.onEvent?.({ kind: "object-done", action, ok: error === null, ...(error === null ? {} : { error }) });
    report();
  };

  await runPool(copies, options.jobs, options.signal, async (action) => {
    try {
      await copyObject(action.key, source, target, options.signal, (n) => {
        progress.bytesDone += n;
        report();
      });
      finish(action, null);
    } catch (error) {
      finish(action, messageOf(error));
    }
  });
  if (deletes.length > 0 && !options.signal?.aborted) await deleteAll(deletes, target, finish);
  const tried = progress.objectsDone;
  return { done, failures, interrupted: tried < progress.objectsTotal, seconds: (performance.now() - started) / 1000 };
}

/**
 * Stream one object across; the byte count is reported as the target pulls the bytes. An abort
 * breaks the stream, so the target drops the partial object (S3 aborts the multipart upload).
 */
async function copyObject(key: string, source: ObjectStore, target: ObjectStore, signal: AbortSignal | undefined, onBytes: (n: number) => void): Promise<void> {
  const body = await source.get(key);
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onBytes(chunk.length);
      callback(null, chunk);
    },
  });
  // pipeline destroys both sides when either fails: a failed upload releases the source's connection.
  pipeline(body, counter, () => undefined);
  const stop = () => body.destroy(new Error("interrupted"));
  signal?.addEventListener("abort", stop, { once: true });
  try {
    await target.put(key, counter);
  } catch (error) {
    counter.destroy();
    throw error;
  } finally {
    signal?.removeEventListener("abort", stop);
  }
}

/** The store batches the keys itself; a failed batch marks each of its keys as failed. */
async function deleteAll(deletes: readonly BucketSyncAction[], target: ObjectStore, finish: (action: BucketSyncAction, error: string | null) => void): Promise<void> {
  const batch = 1000;
  for (let i = 0; i < deletes.length; i += batch) {
    const part = deletes.slice(i, i + batch);
    let error: string | null = null;
    try {
      await target.delete(part.map((a) => a.key));
    } catch (caught) {
      error = messageOf(caught);
    }
    for (const action of part) finish(action, error);
  }
}

/** Run `work` on every item with at most `jobs` at once; stop taking new items once aborted. */
async function runPool<T>(items: readonly T[], jobs: number, signal: AbortSignal | undefined, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next]!;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " ");
}

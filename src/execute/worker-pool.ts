/**
 * The one worker pool: `jobs` workers take items from a queue, in order. Each worker opens what
 * it needs (sessions) once and always closes it. The first failure, or the caller's signal,
 * stops every worker (through `stop`, which their work watches); the pool settles only when all
 * of them have finished and closed, then rethrows that first failure.
 */
export interface PoolWorker {
  close(): Promise<void>;
}

export interface WorkerPoolInput<I, W extends PoolWorker> {
  readonly items: readonly I[];
  readonly jobs: number;
  /** The caller's interrupt: stops the pool as a failure would, without one. */
  readonly signal?: AbortSignal;
  /** A worker's resources; if opening fails half-way, it closes what it opened before rejecting. */
  readonly openWorker: () => Promise<W>;
  readonly process: (item: I, worker: W, index: number, stop: AbortSignal) => Promise<void>;
}

/** Resolves `interrupted` when the caller's signal stopped it; rejects with the first failure. */
export async function runWorkerPool<I, W extends PoolWorker>(input: WorkerPoolInput<I, W>): Promise<{ readonly interrupted: boolean }> {
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  input.signal?.addEventListener("abort", interrupt, { once: true });
  if (input.signal?.aborted) stop.abort();
  let failure: { readonly error: unknown } | undefined;
  let next = 0;
  const work = async () => {
    let worker: W | undefined;
    try {
      worker = await input.openWorker();
      for (let index = next++; index < input.items.length && !stop.signal.aborted; index = next++) {
        await input.process(input.items[index]!, worker, index, stop.signal);
      }
    } catch (error) {
      // The first error is the cause; the ones after the stop are the workers it stopped.
      if (!stop.signal.aborted) failure = { error };
      stop.abort();
    } finally {
      await worker?.close().catch(() => undefined);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(input.jobs, input.items.length)) }, work));
  } finally {
    input.signal?.removeEventListener("abort", interrupt);
  }
  if (failure) throw failure.error;
  return { interrupted: input.signal?.aborted ?? false };
}

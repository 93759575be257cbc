/**
 * A snapshot restore as a job (ops/run-job): the restore, then (when it committed) the post-sync
 * hooks, then a row in the run history, all under the target's lock. Never throws for a failed
 * restore (a cancelled confirmation excepted): the outcome says what happened.
 */
import { restoreSnapshot, type RestoreOptions, type RestoreOutcome } from "../archive/restore-snapshot.js";
import { runJob, type JobOutcome, type JobSettings } from "./run-job.js";
import { summarizeSync } from "./run-sync-job.js";

export interface RestoreJobInput extends Omit<JobSettings, "target" | "source" | "mode" | "dryRun" | "signal"> {
  readonly restore: RestoreOptions;
}

/** The history's mode of a restore: `restore`, or `restore (upsert)` for a merge. */
export function restoreMode(mode: RestoreOptions["mode"]): string {
  return !mode || mode === "refresh" ? "restore" : `restore (${mode})`;
}

export function runRestoreJob(input: RestoreJobInput): Promise<JobOutcome<RestoreOutcome>> {
  const { restore, ...settings } = input;
  return runJob<RestoreOutcome>({
    ...settings,
    target: restore.target,
    // Until the snapshot's name is resolved ("latest"), the history names what was asked for.
    source: `snapshot ${restore.snapshot} (${restore.store.label})`,
    mode: restoreMode(restore.mode),
    ...(restore.dryRun ? { dryRun: true } : {}),
    ...(restore.signal ? { signal: restore.signal } : {}),
    run: (whileLocked) => restoreSnapshot({ ...restore, whileLocked }),
    summarize: summarizeSync,
  });
}

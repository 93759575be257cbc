/**
 * Progress of `pgferry bucket-sync`: one bar (objects and bytes) on a terminal; otherwise a plain
 * line on stderr every 10 s, since cli-progress prints nothing when piped.
 */
import cliProgress from "cli-progress";
import type { BucketSyncEvent } from "../storage/bucket-sync.js";
import type { ConsoleLog } from "./console-log.js";
import { formatBytes, formatCount } from "./format-units.js";

export interface BucketSyncProgress {
  readonly listener: (event: BucketSyncEvent) => void;
  stop(): void;
}

const LINE_INTERVAL_MS = 10_000;

type Progress = Extract<BucketSyncEvent, { kind: "progress" }>;

function describe(p: Progress): string {
  return `${formatCount(p.objectsDone)} of ${formatCount(p.objectsTotal)} objects, ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`;
}

export function createBucketSyncProgress(log: ConsoleLog, stream: NodeJS.WriteStream, tty: boolean): BucketSyncProgress {
  return tty ? barProgress(stream) : lineProgress(log);
}

function lineProgress(log: ConsoleLog): BucketSyncProgress {
  let lastLine = Date.now();
  return {
    listener(event) {
      if (event.kind === "object-done") {
        if (!event.ok) log.warn(`failed ${event.action.key}: ${event.error ?? "unknown error"}`);
        return;
      }
      if (Date.now() - lastLine >= LINE_INTERVAL_MS) {
        lastLine = Date.now();
        log.info(`mirrored ${describe(event)}`);
      }
    },
    stop() {},
  };
}

/** Failures are listed in the report after the run, so nothing is printed under the bar. */
function barProgress(stream: NodeJS.WriteStream): BucketSyncProgress {
  let bar: cliProgress.SingleBar | null = null;
  return {
    listener(event) {
      if (event.kind !== "progress") return;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { stream, clearOnComplete: true, hideCursor: true, format: " mirroring |{bar}| {text}" },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(event.bytesTotal, 1), 0, { text: describe(event) });
      }
      bar.update(event.bytesDone, { text: describe(event) });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

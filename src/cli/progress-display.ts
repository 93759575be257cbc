/**
 * Shows a run's progress: bars (bytes per table) on a terminal, plain lines otherwise — a piped
 * or logged run still says what it is doing, every table and every 10 s of a long copy.
 */
import cliProgress from "cli-progress";
import type { SyncEvent, SyncEventListener } from "../execute/events.js";
import { displayName } from "../model/qualified-name.js";
import type { ConsoleLog } from "./console-log.js";
import { formatBytes, formatCount, formatSeconds } from "./format-units.js";

export interface ProgressDisplay {
  readonly listener: SyncEventListener;
  stop(): void;
}

export function createProgressDisplay(log: ConsoleLog, stream: NodeJS.WriteStream, tty: boolean): ProgressDisplay {
  return tty ? barDisplay(log, stream) : lineDisplay(log);
}

function logEvent(log: ConsoleLog, event: Extract<SyncEvent, { kind: "log" }>): void {
  if (event.level === "warn") log.warn(event.message);
  else if (event.level === "debug") log.debug(event.message);
  else log.info(event.message);
}

function doneLine(event: Extract<SyncEvent, { kind: "table-done" }>): string {
  return event.ok
    ? `copied ${displayName(event.table)}: ${formatCount(event.rows)} rows, ${formatBytes(event.bytes)} in ${formatSeconds(event.seconds)} s`
    : `failed ${displayName(event.table)} after ${formatBytes(event.bytes)}`;
}

function lineDisplay(log: ConsoleLog): ProgressDisplay {
  let lastLine = 0;
  return {
    listener(event) {
      switch (event.kind) {
        case "log":
          return logEvent(log, event);
        case "table-start":
          lastLine = Date.now();
          return log.debug(`copying ${displayName(event.table)} (~${formatBytes(event.estimatedBytes)})`);
        case "table-progress":
          if (Date.now() - lastLine >= 10_000) {
            lastLine = Date.now();
            log.info(`copying ${displayName(event.table)}: ${formatBytes(event.bytes)} so far`);
          }
          return;
        case "table-done":
          return log.info(doneLine(event));
      }
    },
    stop() {},
  };
}

/** One bar per table while it copies; every line is written with no bar on screen, so nothing is redrawn twice. */
function barDisplay(log: ConsoleLog, stream: NodeJS.WriteStream): ProgressDisplay {
  let current: cliProgress.SingleBar | null = null;
  let estimate = 0;
  const clearBar = () => {
    current?.stop();
    current = null;
  };
  return {
    listener(event) {
      switch (event.kind) {
        case "log":
          clearBar();
          return logEvent(log, event);
        case "table-start":
          clearBar();
          estimate = Math.max(event.estimatedBytes, 1);
          current = new cliProgress.SingleBar(
            {
              stream,
              clearOnComplete: true,
              hideCursor: true,
              format: ` ${displayName(event.table)} |{bar}| {done} of ~{total_size}`,
            },
            cliProgress.Presets.shades_classic,
          );
          current.start(estimate, 0, { done: formatBytes(0), total_size: formatBytes(estimate) });
          return;
        case "table-progress":
          if (event.bytes > estimate) {
            estimate = event.bytes;
            current?.setTotal(estimate);
          }
          current?.update(event.bytes, { done: formatBytes(event.bytes), total_size: formatBytes(estimate) });
          return;
        case "table-done":
          clearBar();
          return log.info(doneLine(event));
      }
    },
    stop: clearBar,
  };
}

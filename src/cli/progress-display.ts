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

function barDisplay(log: ConsoleLog, stream: NodeJS.WriteStream): ProgressDisplay {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      clearOnComplete: true,
      hideCursor: true,
      format: " {table} |{bar}| {done} of ~{total_size}",
      formatValue: (value, _options, type) => (type === "value" || type === "total" ? formatBytes(value) : String(value)),
    },
    cliProgress.Presets.shades_classic,
  );
  let current: cliProgress.SingleBar | null = null;
  let estimate = 0;
  const say = (line: string) => bars.log(`${line}\n`);
  return {
    listener(event) {
      switch (event.kind) {
        case "log":
          return logEvent({ info: (m) => say(`pgferry: ${m}`), warn: (m) => say(`pgferry: warning: ${m}`), debug: log.debug }, event);
        case "table-start":
          estimate = Math.max(event.estimatedBytes, 1);
          current = bars.create(estimate, 0, { table: displayName(event.table), done: formatBytes(0), total_size: formatBytes(estimate) });
          return;
        case "table-progress":
          if (event.bytes > estimate) {
            estimate = event.bytes;
            current?.setTotal(estimate);
          }
          current?.update(event.bytes, { done: formatBytes(event.bytes), total_size: formatBytes(estimate) });
          return;
        case "table-done":
          if (current) bars.remove(current);
          current = null;
          return say(`pgferry: ${doneLine(event)}`);
      }
    },
    stop() {
      bars.stop();
    },
  };
}

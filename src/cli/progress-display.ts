/**
 * Shows a run's progress: bars (bytes per table) on a terminal, plain lines otherwise — a piped
 * or logged run still says what it is doing, every table and every 10 s of a long copy.
 */
import cliProgress from "cli-progress";
import type { SyncEvent, SyncEventListener } from "../execute/events.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";
import type { ConsoleLog } from "./console-log.js";
import { formatBytes, formatCount, formatSeconds } from "./format-units.js";

export interface ProgressDisplay {
  readonly listener: SyncEventListener;
  stop(): void;
}

export function createProgressDisplay(log: ConsoleLog, stream: NodeJS.WriteStream, tty: boolean): ProgressDisplay {
  const display = tty ? barDisplay(log, stream) : lineDisplay(log);
  let firstCopy = true;
  return {
    listener(event) {
      if (event.kind === "table-start" && firstCopy) {
        firstCopy = false;
        // The fixed cost of a run (start-up, module loading, catalog reads): performance.now() counts from process start.
        log.debug(`first COPY started ${formatSeconds(performance.now() / 1000)} s after pgferry started`);
      }
      display.listener(event);
    },
    stop: () => display.stop(),
  };
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

/**
 * One bar at a time: the table that copies (with --jobs, the one whose bytes arrive while no bar
 * is up). Every line is written with no bar on screen, so nothing is redrawn twice.
 */
function barDisplay(log: ConsoleLog, stream: NodeJS.WriteStream): ProgressDisplay {
  const running = new Map<string, { table: QualifiedName; estimate: number }>();
  let current: { key: string; bar: cliProgress.SingleBar } | null = null;
  const clearBar = () => {
    current?.bar.stop();
    current = null;
  };
  const showBar = (key: string, table: QualifiedName, estimate: number, bytes: number) => {
    const bar = new cliProgress.SingleBar(
      { stream, clearOnComplete: true, hideCursor: true, format: ` ${displayName(table)} |{bar}| {done} of ~{total_size}` },
      cliProgress.Presets.shades_classic,
    );
    bar.start(estimate, bytes, { done: formatBytes(bytes), total_size: formatBytes(estimate) });
    current = { key, bar };
  };
  return {
    listener(event) {
      switch (event.kind) {
        case "log":
          clearBar();
          return logEvent(log, event);
        case "table-start":
          clearBar();
          running.set(nameKey(event.table), { table: event.table, estimate: Math.max(event.estimatedBytes, 1) });
          showBar(nameKey(event.table), event.table, Math.max(event.estimatedBytes, 1), 0);
          return;
        case "table-progress": {
          const key = nameKey(event.table);
          const table = running.get(key);
          if (!table) return;
          if (current === null) showBar(key, table.table, table.estimate, 0);
          if (current!.key !== key) return;
          if (event.bytes > table.estimate) {
            table.estimate = event.bytes;
            current!.bar.setTotal(table.estimate);
          }
          current!.bar.update(event.bytes, { done: formatBytes(event.bytes), total_size: formatBytes(table.estimate) });
          return;
        }
        case "table-done":
          running.delete(nameKey(event.table));
          clearBar();
          return log.info(doneLine(event));
      }
    },
    stop: clearBar,
  };
}

/**
 * Shows a run's progress. On a terminal: a live frame redrawn in place (the run's share and ETA,
 * every table in flight with its bar, percentage and ETA, the DDL phase with its statement count)
 * and a line above it per finished table and phase. Otherwise plain lines: one per finished table,
 * one per phase start and end, and every 10 s one saying what is in flight, so a piped or logged
 * run still says what it is doing.
 */
import type { SyncEvent, SyncEventListener } from "../execute/events.js";
import { displayName } from "../model/qualified-name.js";
import type { ConsoleLog } from "./console-log.js";
import { formatBytes, formatSeconds } from "./format-units.js";
import { applyProgressEvent, createProgressState, type ProgressState } from "./progress-state.js";
import { renderPhaseDone, renderPhaseLine, renderPhaseStart, renderProgressFrame, renderProgressSummary, renderTableDone } from "./render-progress.js";

export interface ProgressDisplay {
  readonly listener: SyncEventListener;
  stop(): void;
}

/** Off a terminal: a line saying what is in flight at most this often. */
export const PLAIN_LINE_INTERVAL_MS = 10_000;
/** On a terminal: the frame is redrawn at most this often for bytes and statements, and at least this often for clocks. */
const REDRAW_MS = 100;
const TICK_MS = 500;

/** `clock` gives milliseconds (tests pass their own). */
export function createProgressDisplay(log: ConsoleLog, stream: NodeJS.WriteStream, tty: boolean, clock: () => number = () => performance.now()): ProgressDisplay {
  const state = createProgressState();
  const display = tty ? frameDisplay(log, stream, state, clock) : lineDisplay(log, state, clock);
  let firstCopy = true;
  return {
    listener(event) {
      if (event.kind === "table-start" && firstCopy) {
        firstCopy = false;
        // The fixed cost of a run (start-up, module loading, catalog reads): performance.now() counts from process start.
        display.listener({ kind: "log", level: "debug", message: `first COPY started ${formatSeconds(performance.now() / 1000)} s after pgferry started` });
      }
      applyProgressEvent(state, event, clock());
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

function lineDisplay(log: ConsoleLog, state: ProgressState, clock: () => number): ProgressDisplay {
  let lastLine = clock();
  const every10s = (line: () => string | null) => {
    if (clock() - lastLine < PLAIN_LINE_INTERVAL_MS) return;
    lastLine = clock();
    const text = line();
    if (text) log.info(text);
  };
  return {
    listener(event) {
      switch (event.kind) {
        case "log":
          return logEvent(log, event);
        case "copy-start":
          lastLine = clock();
          return;
        case "table-start":
          return log.debug(`copying ${displayName(event.table)} (~${formatBytes(event.estimatedBytes)})`);
        case "table-progress":
        case "table-build":
          return every10s(() => renderProgressSummary(state, clock()));
        case "table-done":
          return log.info(renderTableDone(event));
        case "phase-start":
          lastLine = clock();
          return log.info(renderPhaseStart(event));
        case "statement-done":
          return every10s(() => renderPhaseLine(state, clock()));
        case "phase-done":
          return log.info(renderPhaseDone(event));
      }
    },
    stop() {},
  };
}

/**
 * The frame is erased before any line is written and drawn again below it, so lines scroll up
 * and the frame stays at the bottom. A timer redraws it while it shows something, so clocks move
 * during a long index build.
 */
function frameDisplay(log: ConsoleLog, stream: NodeJS.WriteStream, state: ProgressState, clock: () => number): ProgressDisplay {
  let shown = 0;
  let lastDraw = -Infinity;
  let timer: NodeJS.Timeout | null = null;
  const erase = () => (shown > 0 ? `\u001b[${shown}A\u001b[0J` : "");
  const draw = () => {
    lastDraw = clock();
    // A pseudo-terminal without a size reports 0 columns.
    const lines = renderProgressFrame(state, lastDraw, stream.columns || 80);
    stream.write(`${erase()}${lines.map((line) => `${line}\n`).join("")}`);
    shown = lines.length;
    if (shown > 0 && !timer) timer = setInterval(draw, TICK_MS).unref();
    if (shown === 0 && timer) stopTimer();
  };
  const stopTimer = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  const above = (write: () => void) => {
    if (shown > 0) stream.write(erase());
    shown = 0;
    write();
    draw();
  };
  return {
    listener(event) {
      switch (event.kind) {
        case "log":
          // A debug line that is not printed must not erase and redraw the frame (a flicker per statement).
          if (event.level === "debug" && !log.verbose) return;
          return above(() => logEvent(log, event));
        case "table-done":
          return above(() => log.info(renderTableDone(event)));
        case "phase-done":
          return above(() => log.info(renderPhaseDone(event)));
        case "copy-start":
        case "table-start":
        case "table-build":
        case "phase-start":
          return draw();
        case "table-progress":
        case "statement-done":
          if (clock() - lastDraw >= REDRAW_MS) draw();
          return;
      }
    },
    stop() {
      stopTimer();
      if (shown > 0) stream.write(erase());
      shown = 0;
    },
  };
}

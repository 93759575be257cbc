/**
 * Issue 12, item 8: the progress display shows every table in flight (--jobs), a percentage and
 * ETA per table and for the run, and the DDL phase with its statement count; plain lines off a
 * terminal, with no line per statement. Events in, lines out, on a clock the test drives.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { throttleProgress, type SyncEvent } from "../../src/execute/events.js";
import type { ConsoleLog } from "../../src/cli/console-log.js";
import { formatDuration } from "../../src/cli/format-units.js";
import { createProgressDisplay } from "../../src/cli/progress-display.js";
import { applyProgressEvent, createProgressState } from "../../src/cli/progress-state.js";
import { renderProgressFrame } from "../../src/cli/render-progress.js";
import { qualifiedName } from "../../src/model/qualified-name.js";

const a = qualifiedName("public", "a");
const b = qualifiedName("public", "b");
const c = qualifiedName("public", "c");
const d = qualifiedName("public", "d");
const MB = 1_000_000;

const copyStart: SyncEvent = {
  kind: "copy-start",
  tables: [
    { table: a, estimatedBytes: MB, estimatedRows: 10_000 },
    { table: b, estimatedBytes: 2 * MB, estimatedRows: 20_000 },
    { table: c, estimatedBytes: 0, estimatedRows: null }, // never analyzed: size unknown
    { table: d, estimatedBytes: MB, estimatedRows: 10_000 },
  ],
};
const start = (table: typeof a, estimatedBytes: number): SyncEvent => ({ kind: "table-start", table, estimatedBytes, estimatedRows: null });
const progress = (table: typeof a, bytes: number): SyncEvent => ({ kind: "table-progress", table, bytes });
const done = (table: typeof a, bytes: number): SyncEvent => ({ kind: "table-done", table, rows: 10_000, bytes, seconds: 3.5, ok: true });

/** Three tables in flight with --jobs 3, at t = 2 s. */
const jobs3: [number, SyncEvent][] = [
  [0, copyStart],
  [0, start(a, MB)],
  [0, start(b, 2 * MB)],
  [0, start(c, 0)],
  [2000, progress(a, 500_000)],
  [2000, progress(b, 400_000)],
  [2000, progress(c, 123_000)],
];

function stateAfter(events: readonly [number, SyncEvent][]) {
  const state = createProgressState();
  for (const [at, event] of events) applyProgressEvent(state, event, at);
  return state;
}

describe("the progress frame on a terminal", () => {
  it("shows every table in flight with its percentage and ETA, and the run's share and ETA", () => {
    // Run: 0.9 MB of the 4 MB whose size is known (c is left out) = 22.5% in 2 s: 6.9 s left.
    assert.deepEqual(renderProgressFrame(stateAfter(jobs3), 2000, 120), [
      "copying: 0 of 4 tables done, 22% of ~4.0 MB, ETA 7 s",
      "  public.a  ██████████░░░░░░░░░░ 50% 500.0 kB of ~1.0 MB, ETA 2 s",
      "  public.b  ████░░░░░░░░░░░░░░░░ 20% 400.0 kB of ~2.0 MB, ETA 8 s",
      "  public.c  123.0 kB (size unknown)",
    ]);
  });

  it("shows a worker's index builds, counts finished tables, and never claims 100% past a low estimate", () => {
    const state = stateAfter([
      ...jobs3,
      [3000, { kind: "table-build", table: a, done: 1, statements: 3 }],
      [3000, progress(b, 2_500_000)], // more than the catalog's estimate
      [3500, done(c, 150_000)],
      [3500, start(d, MB)],
    ]);
    assert.deepEqual(renderProgressFrame(state, 4000, 120), [
      // a and b count 0.99 of their estimates, c is unknown, d has not sent bytes: 2.97 of 4 MB.
      "copying: 1 of 4 tables done, 74% of ~4.0 MB, ETA 1 s",
      "  public.a  building keys and indexes: 1/3 statements",
      "  public.b  ████████████████████ 99% 2.5 MB of ~2.0 MB",
      "  public.d  ░░░░░░░░░░░░░░░░░░░░  0% 0 B of ~1.0 MB",
    ]);
  });

  it("gives no ETA before a second of copying, nor for the run while every table in flight builds its indexes", () => {
    const early = stateAfter([[0, copyStart], [0, start(a, MB)], [500, progress(a, 60_000)]]);
    assert.deepEqual(renderProgressFrame(early, 500, 120), ["copying: 0 of 4 tables done, 1% of ~4.0 MB", "  public.a  █░░░░░░░░░░░░░░░░░░░  6% 60.0 kB of ~1.0 MB"]);
    const building = stateAfter([...jobs3, [3000, done(b, 2 * MB)], [3000, done(c, 1)], [3000, { kind: "table-build", table: a, done: 0, statements: 1 }]]);
    assert.deepEqual(renderProgressFrame(building, 9000, 120), ["copying: 2 of 4 tables done, 74% of ~4.0 MB", "  public.a  building keys and indexes: 0/1 statements"]);
  });

  it("shows the post-data phase with its statement count and elapsed time once the copies are done", () => {
    const state = stateAfter([
      ...jobs3,
      [5000, done(a, MB)],
      [5000, done(b, 2 * MB)],
      [5000, done(c, 150_000)],
      [5000, start(d, MB)],
      [6000, done(d, MB)],
      [10_000, { kind: "phase-start", phase: "post-data", statements: 40 }],
      [18_000, { kind: "statement-done", phase: "post-data", done: 12, statements: 40 }],
    ]);
    assert.deepEqual(renderProgressFrame(state, 18_100, 120), ["building keys, indexes and foreign keys: 12/40 statements, 8 s"]);
    applyProgressEvent(state, { kind: "phase-done", phase: "post-data", done: 40, statements: 40, seconds: 9, ok: true }, 19_000);
    assert.deepEqual(renderProgressFrame(state, 19_000, 120), []);
  });

  it("fits lines to the terminal's width and shows a name's control characters as ?", () => {
    const odd = qualifiedName("public", "evil\u001b[2Jname");
    const state = stateAfter([[0, start(odd, 0)]]);
    const frame = renderProgressFrame(state, 1000, 30);
    assert.ok(frame.every((line) => line.length <= 29), frame.join("\n"));
    assert.ok(frame.every((line) => !line.includes("\u001b")), frame.join("\n"));
    assert.match(frame[1]!, /evil\?\[2Jn/);
  });

  it("redraws the frame in place, writes finished tables above it and erases it on stop", () => {
    const writes: string[] = [];
    const stream = { columns: 120, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WriteStream;
    const lines: string[] = [];
    const log: ConsoleLog = { info: (m) => void stream.write(`pgferry: ${m}\n`), warn: (m) => lines.push(m), debug: () => undefined, verbose: false };
    let now = 0;
    const display = createProgressDisplay(log, stream, true, () => now);
    try {
      for (const [at, event] of jobs3) {
        now = at;
        display.listener(event);
      }
      now = 2100;
      display.listener(done(a, MB));
      now = 2200;
      display.listener({ kind: "phase-start", phase: "post-data", statements: 2 });
    } finally {
      display.stop();
    }
    const screen = writes.join("");
    // Every table of the three in flight was on screen together (the frame is drawn in one write).
    assert.ok(writes.some((w) => w.includes("public.a") && w.includes("public.b") && w.includes("public.c")), screen);
    // The four lines of the frame are erased, the line is written where they were.
    assert.ok(screen.includes("\u001b[4A\u001b[0Jpgferry: copied public.a: 10,000 rows, 1.0 MB in 3.50 s\n"), screen);
    assert.match(screen, /copying: 1 of 4 tables done/);
    assert.match(screen, /building keys, indexes and foreign keys: 0\/2 statements/);
    assert.ok(writes.at(-1)!.startsWith("\u001b["), "stop erases the frame");
    assert.deepEqual(lines, []);
  });

  it("a debug line that --verbose would not print leaves the frame alone (no erase and redraw per statement)", () => {
    const writes: string[] = [];
    const stream = { columns: 120, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WriteStream;
    const log: ConsoleLog = { info: () => undefined, warn: () => undefined, debug: () => undefined, verbose: false };
    let now = 0;
    const display = createProgressDisplay(log, stream, true, () => now);
    try {
      display.listener({ kind: "phase-start", phase: "post-data", statements: 2 });
      const before = writes.length;
      now = 50;
      display.listener({ kind: "log", level: "debug", message: "CREATE INDEX …" });
      assert.equal(writes.length, before, writes.slice(before).join(""));
    } finally {
      display.stop();
    }
  });
});

describe("plain progress lines off a terminal", () => {
  function plainRun(events: readonly [number, SyncEvent][]): string[] {
    const lines: string[] = [];
    const log: ConsoleLog = { info: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`), debug: () => undefined, verbose: false };
    let now = 0;
    const display = createProgressDisplay(log, process.stderr, false, () => now);
    for (const [at, event] of events) {
      now = at;
      display.listener(event);
    }
    display.stop();
    return lines;
  }

  it("prints a line per finished table and per phase start and end, and every 10 s what is in flight", () => {
    const statements: [number, SyncEvent][] = Array.from({ length: 40 }, (_, i) => [
      21_000 + i * 100,
      { kind: "statement-done", phase: "post-data", done: i + 1, statements: 40 },
    ]);
    const lines = plainRun([
      ...jobs3,
      [9000, progress(a, 900_000)], // under 10 s since the copy started: no line
      [10_000, progress(b, 1_000_000)],
      [12_000, done(a, MB)],
      [15_000, done(b, 2 * MB)],
      [16_000, done(c, 150_000)],
      [16_000, start(d, MB)],
      [17_000, done(d, MB)],
      [20_000, { kind: "phase-start", phase: "post-data", statements: 40 }],
      ...statements,
      [25_000, { kind: "phase-done", phase: "post-data", done: 40, statements: 40, seconds: 5, ok: true }],
    ]);
    assert.deepEqual(lines, [
      "copying: 0 of 4 tables done, 47% of ~4.0 MB, ETA 11 s; in flight: public.a 90% 900.0 kB of ~1.0 MB, ETA 1 s; public.b 50% 1.0 MB of ~2.0 MB, ETA 10 s; public.c 123.0 kB (size unknown)",
      "copied public.a: 10,000 rows, 1.0 MB in 3.50 s",
      "copied public.b: 10,000 rows, 2.0 MB in 3.50 s",
      "copied public.c: 10,000 rows, 150.0 kB in 3.50 s",
      "copied public.d: 10,000 rows, 1.0 MB in 3.50 s",
      "building keys, indexes and foreign keys: 40 statements",
      "built keys, indexes and foreign keys: 40 statements in 5.00 s",
    ]);
  });

  it("prints the phase's count every 10 s during a long phase, and says where a failed phase stopped", () => {
    const lines = plainRun([
      [0, { kind: "phase-start", phase: "post-data", statements: 3 }],
      [4000, { kind: "statement-done", phase: "post-data", done: 1, statements: 3 }],
      [12_000, { kind: "statement-done", phase: "post-data", done: 2, statements: 3 }],
      [13_000, { kind: "phase-done", phase: "post-data", done: 2, statements: 3, seconds: 13, ok: false }],
      [14_000, { kind: "phase-start", phase: "row-security", statements: 1 }],
      [14_100, { kind: "phase-done", phase: "row-security", done: 1, statements: 1, seconds: 0.1, ok: true }],
    ]);
    assert.deepEqual(lines, [
      "building keys, indexes and foreign keys: 3 statements",
      "building keys, indexes and foreign keys: 2/3 statements, 12 s",
      "stopped building keys, indexes and foreign keys after 2 of 3 statements",
      "forcing row-level security: 1 statement",
      "forced row-level security: 1 statement in 0.10 s",
    ]);
  });
});

describe("progress events from the copy path", () => {
  it("are throttled: at most one table-progress per 200 ms whatever the number of chunks", () => {
    const events: SyncEvent[] = [];
    let now = 0;
    const onBytes = throttleProgress(a, (e) => events.push(e), () => now);
    for (const [at, bytes] of [[0, 10], [50, 20], [199, 30], [200, 40], [250, 50], [450, 60]] as const) {
      now = at;
      onBytes(bytes);
    }
    assert.deepEqual(events.map((e) => (e.kind === "table-progress" ? e.bytes : -1)), [10, 40, 60]);
  });

  it("formats ETAs", () => {
    assert.deepEqual([formatDuration(0.4), formatDuration(44.6), formatDuration(185), formatDuration(7800)], ["0 s", "45 s", "3 min 05 s", "2 h 10 min"]);
  });
});

/**
 * What the benchmark times. Each contender is one shell command, so pgferry and the peers are
 * measured the same way. Three cases:
 *
 * - empty: turn a data set's source database into a complete copy in an empty target database;
 * - refresh: the same, when the target already holds a complete copy (last week's staging);
 * - merge: bring yesterday's merge.items up to date (merge-data.ts) with pgferry's merge modes.
 *
 * - transform: the empty case's sync of the mixed data set with anonymization on its wide table
 *   (bench.events), against the same sync without it (issue 15).
 *
 * The empty and refresh contenders run once per data set (mixed, narrow); every result is checked
 * afterwards (rows, indexes, validated FKs; for merges the rows' checksums and reported changes).
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { qualified, type DatasetId, type SourceShape } from "./generate-data.js";
import type { MergeMode } from "./merge-data.js";
import { shellQuote as q } from "./run-command.js";
import { checkSubsetTarget, SUBSET_PERCENT, writeSubsetConfig } from "./subset-case.js";

export interface BenchContext {
  /** The data set's source database. */
  readonly sourceUrl: string;
  /** The target database; the runner resets it before each run as its case needs. */
  readonly targetUrl: string;
  /** The target database's name, and a maintenance database on its server (to drop and create it). */
  readonly targetDatabase: string;
  readonly targetServerUrl: string;
  readonly workDir: string;
  /** How to start the built CLI, e.g. `node /path/dist/cli/main.js`. */
  readonly pgferry: string;
  /** The empty and refresh cases: the data set. */
  readonly source: SourceShape | null;
}

export type BenchCase = "empty" | "refresh" | "merge" | "transform";
export const CASES: readonly BenchCase[] = ["empty", "refresh", "merge", "transform"];

export interface Contender {
  readonly id: string;
  readonly label: string;
  readonly case: BenchCase;
  /** pgferry's own process: peak RSS is reported, and its --json report (timings, changes) is read from stdout. */
  readonly isPgferry: boolean;
  /**
   * The rows the ratios and goals rest on run every round (the baselines, the raw pipe, pgferry
   * sync and refresh, upsert); the other rows run in the first round only, so the whole bench at
   * --scale 1 stays within about 25 minutes on 2 cores.
   */
  readonly everyRound: boolean;
  /** A program the command needs; when it is not installed the contender is skipped, not failed. */
  readonly requires?: string;
  /** Refresh peers: why the target's tables are unusable for the whole run (their lock column is the run's time). */
  readonly unavailableWholeRun?: string;
  /** Refresh rows of pgferry: the empty-case contender with the same flags (the ÷ empty sync column). */
  readonly emptyTwin?: string;
  readonly mergeMode?: MergeMode;
  /** Only these data sets (default: every one the case runs on). */
  readonly datasets?: readonly DatasetId[];
  /** Untimed set-up after the target was reset (and, for refresh, filled). */
  prepare?(ctx: BenchContext): Promise<void>;
  command(ctx: BenchContext): string;
  /** What the run must have left, when not a complete copy (the subset row); null when right. */
  check?(ctx: BenchContext): Promise<string | null>;
}

/** Each case's reference row for "× vs baseline" (the same data set's), and what it stands for. */
export const BASELINES: Readonly<Record<BenchCase, { id: string; why: string } | null>> = {
  empty: { id: "pg_dump-Fc", why: "pg_dump -Fc | pg_restore into an empty database" },
  refresh: { id: "refresh-drop-restore", why: "drop the target database, create it, pg_dump -Fc | pg_restore (what a team scripts today)" },
  merge: null,
  transform: null,
};
/** The empty case's lower bound with stock tools (the ÷ raw column). */
export const RAW_ID = "raw-copy";
/** The transform case's reference: the same sync without transforms (the ÷ plain columns). */
export const TRANSFORM_PLAIN_ID = "transform-plain";
/** The wide table the transform case anonymizes, and whose COPY it times on its own (from --json). */
export const TRANSFORM_TABLE = "bench.events";

const pgDumpRestore = (id: string, label: string, dumpFlags: string, everyRound: boolean): Contender => ({
  id,
  label,
  case: "empty",
  isPgferry: false,
  everyRound,
  command: (ctx) => `pg_dump -Fc ${dumpFlags} -d ${q(ctx.sourceUrl)} | pg_restore -d ${q(ctx.targetUrl)}`.replace(/ +/g, " "),
});

const pgferrySync = (id: string, label: string, flags: string, benchCase: BenchCase, everyRound: boolean, emptyTwin?: string): Contender => ({
  id,
  label,
  case: benchCase,
  isPgferry: true,
  everyRound,
  ...(emptyTwin ? { emptyTwin } : {}),
  command: (ctx) => `${ctx.pgferry} sync ${q(ctx.sourceUrl)} ${q(ctx.targetUrl)} --yes --no-hooks --json ${flags}`.trim(),
});

/**
 * The lower bound with stock tools: tables created from a schema-only dump, then each table's
 * binary COPY piped psql → psql, two tables at a time (two lanes balanced by size), then the
 * indexes and FKs built by pg_restore -j2.
 */
const rawCopyPipe: Contender = {
  id: RAW_ID,
  label: "raw COPY pipe (2 at a time) + pg_restore -j2 post-data",
  case: "empty",
  isPgferry: false,
  everyRound: true,
  async prepare(ctx) {
    await mkdir(ctx.workDir, { recursive: true });
  },
  command(ctx) {
    const schemaFile = join(ctx.workDir, "schema.dump");
    const lanes: string[][] = [[], []];
    const load = [0, 0];
    for (const table of ctx.source!.tables) {
      // largest first (generate-data orders them by size)
      const lane = load[0]! <= load[1]! ? 0 : 1;
      load[lane]! += table.rows;
      const name = qualified(table);
      lanes[lane]!.push(
        `psql -X -q -d ${q(ctx.sourceUrl)} -c ${q(`COPY ${name} TO STDOUT (FORMAT binary)`)} | psql -X -q -d ${q(ctx.targetUrl)} -c ${q(`COPY ${name} FROM STDIN (FORMAT binary)`)}`,
      );
    }
    const laneScripts = lanes.filter((l) => l.length > 0).map((l, i) => `( ${l.join(" && ")} ) & p${i}=$!`);
    const waits = lanes.filter((l) => l.length > 0).map((_, i) => `wait $p${i}`).join(" && ");
    return [
      `pg_dump -Fc --schema-only -d ${q(ctx.sourceUrl)} -f ${q(schemaFile)}`,
      `pg_restore --section=pre-data -d ${q(ctx.targetUrl)} ${q(schemaFile)}`,
      ...laneScripts,
      waits,
      `pg_restore --section=post-data -j 2 -d ${q(ctx.targetUrl)} ${q(schemaFile)}`,
    ].join("\n");
  },
};

const pgcopydbClone: Contender = {
  id: "pgcopydb",
  label: "pgcopydb clone --table-jobs 2 --index-jobs 2",
  case: "empty",
  isPgferry: false,
  everyRound: false,
  requires: "pgcopydb",
  async prepare(ctx) {
    await rm(join(ctx.workDir, "pgcopydb"), { recursive: true, force: true });
  },
  command(ctx) {
    const log = q(join(ctx.workDir, "pgcopydb.log"));
    return `pgcopydb clone --source ${q(ctx.sourceUrl)} --target ${q(ctx.targetUrl)} --table-jobs 2 --index-jobs 2 --dir ${q(join(ctx.workDir, "pgcopydb"))} >${log} 2>&1 || { tail -n 5 ${log} >&2; exit 1; }`;
  },
};

const pgferryDumpRestore: Contender = {
  id: "pgferry-dump-restore",
  label: "pgferry dump + pgferry restore (file store)",
  case: "empty",
  isPgferry: true,
  everyRound: false,
  async prepare(ctx) {
    await rm(join(ctx.workDir, "store"), { recursive: true, force: true });
  },
  command(ctx) {
    const store = q(`file://${join(ctx.workDir, "store")}`);
    // The --json report (and so the timings) is the restore's.
    return `${ctx.pgferry} dump ${q(ctx.sourceUrl)} --to ${store} >/dev/null && ${ctx.pgferry} restore latest ${q(ctx.targetUrl)} --from ${store} --yes --json`;
  },
};

/** Drop and create the target database from its server's maintenance database (the target must hold no sessions). */
const dropAndCreate = (ctx: BenchContext): string => {
  const name = `"${ctx.targetDatabase.replace(/"/g, '""')}"`;
  return `psql -X -q -v ON_ERROR_STOP=1 -d ${q(ctx.targetServerUrl)} -c ${q(`DROP DATABASE IF EXISTS ${name}`)} -c ${q(`CREATE DATABASE ${name}`)}`;
};

const refreshPeers: Contender[] = [
  {
    id: "refresh-drop-restore",
    label: "drop database + create + pg_dump -Fc | pg_restore",
    case: "refresh",
    isPgferry: false,
    everyRound: true,
    unavailableWholeRun: "the target database is dropped first and incomplete until pg_restore ends",
    command: (ctx) => `${dropAndCreate(ctx)} && pg_dump -Fc -d ${q(ctx.sourceUrl)} | pg_restore -d ${q(ctx.targetUrl)}`,
  },
  {
    id: "refresh-pg_restore-clean",
    label: "pg_dump -Fc | pg_restore --clean --if-exists (into the copy)",
    case: "refresh",
    isPgferry: false,
    everyRound: false,
    unavailableWholeRun: "each table is dropped at the start and missing or incomplete until pg_restore ends",
    command: (ctx) => `pg_dump -Fc -d ${q(ctx.sourceUrl)} | pg_restore --clean --if-exists -d ${q(ctx.targetUrl)}`,
  },
];

const mergeSync = (id: string, label: string, mode: MergeMode, flags: string, everyRound: boolean): Contender => ({
  id,
  label,
  case: "merge",
  isPgferry: true,
  everyRound,
  mergeMode: mode,
  command: (ctx) => `${ctx.pgferry} sync ${q(ctx.sourceUrl)} ${q(ctx.targetUrl)} --yes --no-hooks --json --tables merge.items ${flags}`,
});

/** Not a secret: the bench's data is generated. */
const BENCH_TRANSFORM_SECRET = "pgferry-bench-transform-secret";

/**
 * The issue's five SQL-pushed kinds on bench.events: its one plain text column (note) gets email,
 * its bytea hash, created_at a date shift (keyed by the primary key), and the names and phone
 * numbers live inside its jsonb document (the table has no other text column), through json paths.
 */
const SQL_TRANSFORMS = `transform:
  secret: ${BENCH_TRANSFORM_SECRET}
tables:
  bench.events:
    transform:
      note: { kind: email }
      blob: { kind: hash }
      created_at: { kind: shift, range: "30 days" }
      payload: { kind: json, paths: { "$.kind": { kind: full_name }, "$.text": { kind: phone } } }
`;

const JS_TRANSFORM = `tables:
  bench.events:
    transform:
      note: { kind: js, module: ./bench-mask.mjs, export: maskNote }
`;

/** A typical js mask: deterministic, keeps the shape (hex digits become x, the length stays). */
const JS_MODULE = `export function maskNote(value) {
  return value === null ? null : value.replace(/[0-9a-f]/g, "x");
}
`;

const transformSync = (id: string, label: string, config: string | null): Contender => ({
  id,
  label,
  case: "transform",
  isPgferry: true,
  everyRound: true,
  datasets: ["mixed"],
  async prepare(ctx) {
    await mkdir(ctx.workDir, { recursive: true });
    if (config) await writeFile(join(ctx.workDir, `${id}.yml`), config);
    await writeFile(join(ctx.workDir, "bench-mask.mjs"), JS_MODULE);
  },
  command: (ctx) =>
    `${ctx.pgferry} sync ${q(ctx.sourceUrl)} ${q(ctx.targetUrl)} --yes --no-hooks --json${config ? ` --config ${q(join(ctx.workDir, `${id}.yml`))}` : ""}`,
});

export const CONTENDERS: readonly Contender[] = [
  pgDumpRestore("pg_dump-Fc", "pg_dump -Fc | pg_restore", "", true),
  pgDumpRestore("pg_dump-Fc-Z0", "pg_dump -Fc -Z0 | pg_restore", "-Z0", false),
  {
    id: "pg_dump-Fd-j2",
    label: "pg_dump -Fd -j2 + pg_restore -j2",
    case: "empty",
    isPgferry: false,
    everyRound: false,
    async prepare(ctx) {
      await rm(join(ctx.workDir, "dir-dump"), { recursive: true, force: true });
    },
    command: (ctx) => `pg_dump -Fd -j 2 -d ${q(ctx.sourceUrl)} -f ${q(join(ctx.workDir, "dir-dump"))} && pg_restore -j 2 -d ${q(ctx.targetUrl)} ${q(join(ctx.workDir, "dir-dump"))}`,
  },
  rawCopyPipe,
  pgcopydbClone,
  pgferrySync("pgferry", "pgferry sync", "", "empty", true),
  pgferrySync("pgferry-j2", "pgferry sync --jobs 2", "--jobs 2", "empty", true),
  pgferryDumpRestore,
  {
    // Read against the "pgferry sync" row of the same data set: the time should follow the rows kept.
    id: "pgferry-subset",
    label: `pgferry sync, ${SUBSET_PERCENT} % subset following FKs (rows/s: of the source)`,
    case: "empty",
    isPgferry: true,
    everyRound: true,
    async prepare(ctx) {
      await writeSubsetConfig(ctx);
    },
    command: (ctx) => `${ctx.pgferry} --config ${q(join(ctx.workDir, "subset.yml"))} sync ${q(ctx.sourceUrl)} ${q(ctx.targetUrl)} --yes --no-hooks --json`,
    check: checkSubsetTarget,
  },
  // Last week's copy on the target. pgferry: TRUNCATE and reload inside one transaction.
  ...refreshPeers,
  pgferrySync("refresh-pgferry", "pgferry sync (target holds a copy)", "", "refresh", true, "pgferry"),
  pgferrySync("refresh-pgferry-j2", "pgferry sync --jobs 2 (target holds a copy)", "--jobs 2", "refresh", true, "pgferry-j2"),
  // upsert carries the merge case's goal (changed rows/s) and runs every round; the other two modes in round 1.
  mergeSync("merge-upsert", "pgferry sync --mode upsert", "upsert", "--mode upsert", true),
  mergeSync("merge-insert-missing", "pgferry sync --mode insert-missing", "insert-missing", "--mode insert-missing", false),
  mergeSync("merge-upsert-delete", "pgferry sync --mode upsert --delete-missing", "upsert-delete-missing", "--mode upsert --delete-missing", false),
  // Anonymization: the same sync without transforms, with five pushed down into the source's SELECT, with one js column.
  transformSync(TRANSFORM_PLAIN_ID, "pgferry sync (no transforms)", null),
  transformSync("transform-sql5", "pgferry sync, 5 SQL transforms on bench.events", SQL_TRANSFORMS),
  transformSync("transform-js", "pgferry sync, 1 js transform on bench.events", JS_TRANSFORM),
];

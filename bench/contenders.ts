/**
 * What the benchmark times. Each contender turns the same source database into a complete copy
 * on the target (rows, indexes, validated FKs: checked after every run) and is one shell command,
 * so pgferry and the peers are measured the same way.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { shellQuote as q } from "./run-command.js";
import type { SourceShape } from "./generate-data.js";

export interface BenchContext {
  readonly sourceUrl: string;
  readonly targetUrl: string;
  readonly workDir: string;
  /** How to start the built CLI, e.g. `node /path/dist/cli/main.js`. */
  readonly pgferry: string;
  readonly source: SourceShape;
}

export type BenchCase = "empty" | "refresh";

export interface Contender {
  readonly id: string;
  readonly label: string;
  /** empty: into an empty database; refresh: the target already holds a copy (last week's staging). */
  readonly case: BenchCase;
  /** Peak RSS is reported for pgferry's own process. */
  readonly isPgferry: boolean;
  /**
   * The rows the ratios rest on (pgferry, pg_dump -Fc | pg_restore, the raw pipe) run every round;
   * the other peers run in the first round only, so the whole bench stays under 10 minutes on 2 cores.
   */
  readonly everyRound: boolean;
  /** Untimed set-up after the target was reset (and, for refresh, filled). */
  prepare?(ctx: BenchContext): Promise<void>;
  command(ctx: BenchContext): string;
}

const pgDumpRestore = (id: string, label: string, dumpFlags: string, everyRound: boolean): Contender => ({
  id,
  label,
  case: "empty",
  isPgferry: false,
  everyRound,
  command: (ctx) => `pg_dump -Fc ${dumpFlags} -d ${q(ctx.sourceUrl)} | pg_restore -d ${q(ctx.targetUrl)}`.replace(/ +/g, " "),
});

const pgferrySync = (id: string, label: string, flags: string, benchCase: BenchCase, everyRound: boolean): Contender => ({
  id,
  label,
  case: benchCase,
  isPgferry: true,
  everyRound,
  command: (ctx) => `${ctx.pgferry} sync ${q(ctx.sourceUrl)} ${q(ctx.targetUrl)} --yes --no-hooks ${flags}`.trim(),
});

/**
 * The lower bound with stock tools: tables created from a schema-only dump, then each table's
 * binary COPY piped psql → psql, two tables at a time (two lanes balanced by size), then the
 * indexes and FKs built by pg_restore -j2.
 */
const rawCopyPipe: Contender = {
  id: "raw-copy",
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
    const bytesOrder = [...ctx.source.tables]; // largest first (generate-data orders them by size)
    for (const table of bytesOrder) {
      const lane = load[0]! <= load[1]! ? 0 : 1;
      load[lane]! += table.rows;
      lanes[lane]!.push(
        `psql -X -q -d ${q(ctx.sourceUrl)} -c ${q(`COPY bench.${table.name} TO STDOUT (FORMAT binary)`)} | psql -X -q -d ${q(ctx.targetUrl)} -c ${q(`COPY bench.${table.name} FROM STDIN (FORMAT binary)`)}`,
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
    return `${ctx.pgferry} dump ${q(ctx.sourceUrl)} --to ${store} >/dev/null && ${ctx.pgferry} restore latest ${q(ctx.targetUrl)} --from ${store} --yes >/dev/null`;
  },
};

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
  // Last week's copy on the target: TRUNCATE and reload inside one transaction, indexes and FKs in place.
  pgferrySync("refresh-pgferry", "pgferry sync (target holds a copy)", "", "refresh", false),
  pgferryDumpRestore,
];

/** The ratios' reference points. */
export const BASELINE_ID = "pg_dump-Fc";
export const RAW_ID = "raw-copy";

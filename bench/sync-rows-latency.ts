/**
 * syncRows latency, as an application sees it: one new user plus the organization it references,
 * from one database to another on the same server (the machine's PostgreSQL 15 by default).
 *
 *   npm run build && node --import tsx bench/sync-rows-latency.ts [--calls 50] [--cold 5] [--url postgres://…/postgres] [--keep]
 *
 * Cold: a fresh node process imports the built library (dist/index.js) and makes its first call;
 * reported as the import's time, the first call's time, and the process's whole wall time.
 * Warm: one process makes --calls calls in a row, each for another user (a new row on the target
 * every time, as after registrations); median, p95 and max of the calls after the first.
 * Creates and drops the databases pgferry_latency_src and pgferry_latency_dst (--keep keeps them).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { databaseUrl, withClient } from "./generate-data.js";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "50" },
    cold: { type: "string", default: "5" },
    url: { type: "string", default: process.env.PGFERRY_BENCH_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" },
    keep: { type: "boolean", default: false },
  },
});
const calls = Number(values.calls);
const coldRuns = Number(values.cold);
const ENTRY = pathToFileURL(fileURLToPath(new URL("../dist/index.js", import.meta.url))).href;
const USERS = Math.max(calls, coldRuns) + 10;

const SCHEMA = `
  CREATE TABLE plans (id int PRIMARY KEY, name text NOT NULL);
  CREATE TABLE organizations (id bigserial PRIMARY KEY, name text NOT NULL, plan_id int NOT NULL REFERENCES plans, created_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE users (
    id bigserial PRIMARY KEY, organization_id bigint NOT NULL REFERENCES organizations, invited_by bigint REFERENCES users,
    email text NOT NULL UNIQUE, name text, cognito_sub text, created_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE audit_log (id bigserial PRIMARY KEY, user_id bigint REFERENCES users, event text, at timestamptz DEFAULT now());`;

/** A database of the server at --url. */
const databaseOf = (name: string): string => databaseUrl(values.url, name);

async function prepare(): Promise<void> {
  await withClient(values.url, async (admin) => {
    for (const name of ["pgferry_latency_src", "pgferry_latency_dst"]) {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.query(`CREATE DATABASE ${name}`);
    }
  });
  await withClient(databaseOf("pgferry_latency_src"), async (source) => {
    await source.query(SCHEMA);
    await source.query(`INSERT INTO plans VALUES (1, 'free'), (2, 'pro');
      INSERT INTO organizations (name, plan_id) SELECT 'org ' || g, 1 + g % 2 FROM generate_series(1, 1000) g;
      INSERT INTO users (organization_id, email, name) SELECT 1 + g % 1000, 'user' || g || '@example.com', 'User ' || g FROM generate_series(1, ${USERS}) g;
      ANALYZE`);
  });
  await withClient(databaseOf("pgferry_latency_dst"), (target) => target.query(SCHEMA));
}

/** The child process of a cold run: import, one call, timings as JSON on stdout. */
const COLD_CHILD = `
const started = performance.now();
const { parseConfigText, resolveEndpoint, syncRows } = await import(process.env.ENTRY);
const imported = performance.now();
const config = parseConfigText("{}", "bench", process.env);
const result = await syncRows({ source: resolveEndpoint(process.env.SRC, "source", config), target: resolveEndpoint(process.env.DST, "target", config), table: "public.users", keys: [process.env.KEY], throwOnError: true });
const done = performance.now();
console.log(JSON.stringify({ importMs: imported - started, callMs: done - imported, sinceStartMs: done, rows: result.rows }));`;

function coldRun(key: number): { importMs: number; callMs: number; wallMs: number; rows: number } {
  const started = performance.now();
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", COLD_CHILD], {
    encoding: "utf8",
    env: { ...process.env, ENTRY, SRC: databaseOf("pgferry_latency_src"), DST: databaseOf("pgferry_latency_dst"), KEY: String(key) },
  });
  const wallMs = performance.now() - started;
  if (run.status !== 0) throw new Error(`cold run failed: ${run.stderr}`);
  return { ...(JSON.parse(run.stdout.trim()) as { importMs: number; callMs: number; rows: number }), wallMs };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

const ms = (n: number) => `${n.toFixed(0)} ms`;

async function main(): Promise<void> {
  const serverVersion = await withClient(values.url, async (c) => (await c.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version);
  await prepare();
  console.log(`syncRows latency: one user + its organization and plan, PostgreSQL ${serverVersion} at ${new URL(values.url).host}, node ${process.version}`);

  const cold = Array.from({ length: coldRuns }, (_, i) => coldRun(i + 1));
  for (const c of cold) if (c.rows !== 3) throw new Error(`a cold call synced ${c.rows} rows, expected 3`);
  const pick = (f: (c: (typeof cold)[number]) => number) => cold.map(f).sort((a, b) => a - b);
  const range = (values: number[]) => `${ms(values[0]!)}–${ms(values[values.length - 1]!)} (median ${ms(quantile(values, 0.5))})`;
  console.log(`cold, ${coldRuns} fresh processes: import ${range(pick((c) => c.importMs))}; first call ${range(pick((c) => c.callMs))}; whole process ${range(pick((c) => c.wallMs))}`);

  const { parseConfigText, resolveEndpoint, syncRows } = (await import(ENTRY)) as typeof import("../src/index.js");
  const config = parseConfigText("{}", "bench", process.env);
  const source = resolveEndpoint(databaseOf("pgferry_latency_src"), "source", config);
  const target = resolveEndpoint(databaseOf("pgferry_latency_dst"), "target", config);
  const times: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    const started = performance.now();
    const result = await syncRows({ source, target, table: "public.users", keys: [String(coldRuns + 1 + i)], throwOnError: true });
    times.push(performance.now() - started);
    if (result.tables.find((t) => t.table.name === "users")?.inserted !== 1) throw new Error("a warm call did not insert its user");
  }
  const warm = times.slice(1).sort((a, b) => a - b);
  console.log(`warm, ${warm.length} calls in one process (after its first, ${ms(times[0]!)}): median ${ms(quantile(warm, 0.5))}, p95 ${ms(quantile(warm, 0.95))}, max ${ms(warm[warm.length - 1]!)}`);

  if (values.keep) return;
  await withClient(values.url, async (admin) => {
    for (const name of ["pgferry_latency_src", "pgferry_latency_dst"]) await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  });
}

await main();

/**
 * The remap hook (and `pgferry remap`): re-link the target's accounts to its own identity
 * provider by email. Pairs come from a file or a command; one UPDATE in one transaction sets
 * the column where the value differs, matching emails case-insensitively.
 */
import { readFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { ConfigError } from "../errors.js";
import type { Endpoint } from "../config/resolve-endpoint.js";
import { withTargetSession, type TargetAccess } from "../execute/target-protection.js";
import { connect } from "../pg/connect.js";
import { connectionLostError, isConnectionLoss } from "../pg/connection-loss.js";
import { describePgError } from "../pg/describe-pg-error.js";
import type { SqlSession } from "../pg/session.js";
import { withTransaction } from "../pg/transaction.js";
import { quoteIdent, quoteQualified } from "../sql/quote.js";
import { runShellCommand } from "./command-hook.js";
import type { RemapSpec } from "./hook-spec.js";
import { parseRemapPairs, type RemapPair } from "./remap-pairs.js";

export interface RemapContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  readonly onLine: (line: string) => void;
}

export interface RemapCounts {
  readonly pairs: number;
  /** Target rows whose email has a pair. */
  readonly matched: number;
  /** Of those, rows whose value changed. */
  readonly updated: number;
  /** Pairs whose email no target row has. */
  readonly unmatched: number;
}

export async function loadRemapPairs(spec: RemapSpec, context: RemapContext): Promise<RemapPair[]> {
  const columns = { match: spec.match, set: spec.set, attribute: spec.attribute };
  if ("file" in spec.from) {
    const path = resolve(context.cwd, spec.from.file);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw new ConfigError(`remap file ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
    }
    return parseRemapPairs(text, formatOf(path, text), columns, path);
  }
  let output: string;
  try {
    output = await runShellCommand({ run: spec.from.command, cwd: context.cwd, env: context.env, onLine: context.onLine, captureStdout: true, ...(context.signal ? { signal: context.signal } : {}) });
  } catch (error) {
    throw new ConfigError(`remap command failed: ${(error as Error).message}`, { cause: error });
  }
  return parseRemapPairs(output, "json", columns, "remap command output");
}

function formatOf(path: string, text: string): "csv" | "json" {
  const extension = extname(path).toLowerCase();
  if (extension === ".csv") return "csv";
  if (extension === ".json") return "json";
  return /^\s*[[{]/.test(text) ? "json" : "csv";
}

export async function runRemapHook(access: TargetAccess, spec: RemapSpec, context: RemapContext): Promise<RemapCounts> {
  const pairs = await loadRemapPairs(spec, context);
  return withTargetSession(access, (session) => applyRemap(session, spec, pairs, false));
}

/**
 * `pgferry remap --dry-run`: the same pairs and counts, `updated` being the rows whose value
 * would change, read in a read-only transaction. No lock and no write, so, as `sync --dry-run`,
 * it also runs against a protected target or during a sync.
 */
export async function previewRemap(target: Endpoint, spec: RemapSpec, context: RemapContext): Promise<RemapCounts> {
  const pairs = await loadRemapPairs(spec, context);
  const session = await connect(target.url, { role: "target" });
  try {
    return await applyRemap(session, spec, pairs, true);
  } finally {
    await session.close();
  }
}

type ResolvedColumns = {
  readonly schema: string;
  readonly table: string;
  readonly matchType: string | null;
  readonly setType: string | null;
};

async function applyRemap(session: SqlSession, spec: RemapSpec, pairs: readonly RemapPair[], dryRun: boolean): Promise<RemapCounts> {
  return withTransaction(session, async () => {
    const resolved = await resolveColumns(session, spec);
    const table = quoteQualified({ schema: resolved.schema, name: resolved.table });
    const match = `lower(btrim(t.${quoteIdent(spec.match)}::text))`;
    const set = quoteIdent(spec.set);
    // format_type() output is the server's own spelling of the column type, safe to splice.
    const value = `CAST(p.value AS ${resolved.setType})`;
    const sql = `WITH pairs AS (SELECT p.email, p.value FROM jsonb_to_recordset($1::jsonb) AS p(email text, value text)),
      updated AS (${
        dryRun
          ? `SELECT 1 FROM ${table} AS t WHERE EXISTS (SELECT 1 FROM pairs p WHERE ${match} = p.email AND t.${set} IS DISTINCT FROM ${value})`
          : `UPDATE ${table} AS t SET ${set} = ${value} FROM pairs p WHERE ${match} = p.email AND t.${set} IS DISTINCT FROM ${value} RETURNING 1`
      })
      SELECT (SELECT count(*) FROM ${table} AS t JOIN pairs p ON ${match} = p.email)::int AS matched,
             (SELECT count(*) FROM updated)::int AS updated,
             (SELECT count(*) FROM pairs p WHERE NOT EXISTS (SELECT 1 FROM ${table} AS t WHERE ${match} = p.email))::int AS unmatched`;
    let counts: { matched: number; updated: number; unmatched: number } | undefined;
    try {
      [counts] = await session.query<{ matched: number; updated: number; unmatched: number }>(sql, [JSON.stringify(pairs)]);
    } catch (error) {
      if (isConnectionLoss(error, session)) throw connectionLostError("target", `remapping ${resolved.schema}.${resolved.table}.${spec.set}`, error);
      throw new Error(`${resolved.schema}.${resolved.table}.${spec.set}: ${describePgError(error)}`, { cause: error });
    }
    return { pairs: pairs.length, matched: counts?.matched ?? 0, updated: counts?.updated ?? 0, unmatched: counts?.unmatched ?? 0 };
  }, { readOnlySnapshot: dryRun });
}

/** The table as the target's search_path resolves it, and the types of both columns. */
async function resolveColumns(session: SqlSession, spec: RemapSpec): Promise<ResolvedColumns> {
  let rows: ResolvedColumns[];
  try {
    rows = await session.query<ResolvedColumns>(
      `SELECT n.nspname AS schema, c.relname AS table,
              (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = $2 AND NOT a.attisdropped AND a.attnum > 0) AS "matchType",
              (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = $3 AND NOT a.attisdropped AND a.attnum > 0) AS "setType"
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = to_regclass($1)`,
      [spec.table, spec.match, spec.set],
    );
  } catch (error) {
    throw new ConfigError(`remap: "${spec.table}" is not a valid table name: ${describePgError(error)}`, { cause: error });
  }
  const found = rows[0];
  if (!found) throw new ConfigError(`remap: table "${spec.table}" does not exist on the target`);
  if (!found.matchType) throw new ConfigError(`remap: ${found.schema}.${found.table} has no column "${spec.match}" (match)`);
  if (!found.setType) throw new ConfigError(`remap: ${found.schema}.${found.table} has no column "${spec.set}" (set)`);
  return found;
}

export function describeRemap(counts: RemapCounts): string {
  return `${counts.pairs} pairs: matched ${counts.matched}, updated ${counts.updated}, unmatched ${counts.unmatched}`;
}

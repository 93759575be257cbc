/**
 * The merge case's data: one table, merge.items (1M rows at --scale 1), as the target held it
 * yesterday (the base) and as the source holds it today: 10 % of the rows changed, 1 % deleted,
 * 1 % new. Both states are generated inside the servers, deterministically:
 *
 * - base: ids 1..N, on the target server in pgferry_bench_merge_base, the template every merge
 *   run's target database is copied from (untimed), so each run starts from the same state;
 * - source: pgferry_bench_merge on the source server: ids with id % 10 = 3 changed (status,
 *   amount, updated_at), ids with id % 100 = 50 gone, ids N+1..N+N/100 added.
 */
import { databaseUrl, markDatabase, openDatabase, withClient } from "./generate-data.js";
import type { RowChanges } from "./run-command.js";

export type MergeMode = "upsert" | "insert-missing" | "upsert-delete-missing";

export interface MergeShape {
  readonly table: string;
  /** Rows of the base (the target before each run): ids 1..baseRows. */
  readonly baseRows: number;
  /** Rows on the source. */
  readonly sourceRows: number;
  readonly changedRows: number;
  readonly deletedRows: number;
  readonly newRows: number;
  /** The source database, on the source server. */
  readonly sourceDatabase: string;
  /** The template database on the target server. */
  readonly baseDatabase: string;
  readonly tableBytes: number;
}

export const MERGE_TABLE = "merge.items";
export const MERGE_SOURCE_DB = "pgferry_bench_merge";
export const MERGE_BASE_DB = "pgferry_bench_merge_base";

const DELETED = (n: number) => `(id <= ${n} AND id % 100 = 50)`;

/** How many of 1..n have id % m = r (0 < r < m). */
function countResidue(n: number, m: number, r: number): number {
  return n >= r ? Math.floor((n - r) / m) + 1 : 0;
}

export function mergeCounts(scale: number): { base: number; changed: number; deleted: number; added: number } {
  const base = Math.max(1000, Math.round(1_000_000 * scale));
  return { base, changed: countResidue(base, 10, 3), deleted: countResidue(base, 100, 50), added: Math.max(1, Math.round(base / 100)) };
}

const DDL = `
CREATE SCHEMA merge;
CREATE TABLE merge.items (
  id bigint PRIMARY KEY,
  account_id int NOT NULL,
  status text NOT NULL,
  amount numeric(12,2) NOT NULL,
  updated_at timestamptz NOT NULL,
  note text
);`;

/** The row of id i as the base has it (the source's new rows use it too). */
const BASE_ROW = `i, 1 + (i * 7919) % 100000, (ARRAY['new', 'paid', 'shipped'])[1 + i % 3], ((i * 37) % 1000000) / 100.0,
  timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second', CASE WHEN i % 5 = 0 THEN NULL ELSE 'item ' || md5(i::text) END`;
/** The row of a changed id i on the source. */
const CHANGED_ROW = `i, 1 + (i * 7919) % 100000, 'refunded', ((i * 37) % 1000000) / 100.0 + 1,
  timestamptz '2024-01-02 00:00:00+00' + i * interval '1 second', CASE WHEN i % 5 = 0 THEN NULL ELSE 'item ' || md5(i::text) END`;


async function fill(url: string, rowsSql: string, params: unknown[]): Promise<void> {
  await withClient(url, async (c) => {
    await c.query(DDL);
    await c.query(`INSERT INTO merge.items ${rowsSql}`, params);
    await c.query("CREATE INDEX items_account_id_idx ON merge.items (account_id)");
    await c.query("VACUUM (FREEZE, ANALYZE) merge.items");
  });
}

/** The base on the target server and the changed table on the source server, unless both already hold this scale. */
export async function ensureMergeData(sourceServer: string, targetServer: string, scale: number, log: (line: string) => void): Promise<MergeShape> {
  const n = mergeCounts(scale);
  const mark = `pgferry bench merge data, scale ${scale}`;
  const started = performance.now();
  let generated = false;
  if (!(await openDatabase(targetServer, MERGE_BASE_DB, mark))) {
    log(`merge: generating the base, ${n.base.toLocaleString("en")} rows…`);
    await fill(databaseUrl(targetServer, MERGE_BASE_DB), `SELECT ${BASE_ROW} FROM generate_series(1, $1::bigint) AS i`, [n.base]);
    await markDatabase(targetServer, MERGE_BASE_DB, mark);
    generated = true;
  }
  if (!(await openDatabase(sourceServer, MERGE_SOURCE_DB, mark))) {
    log(`merge: generating the source (${n.changed.toLocaleString("en")} changed, ${n.deleted.toLocaleString("en")} deleted, ${n.added.toLocaleString("en")} new)…`);
    await fill(
      databaseUrl(sourceServer, MERGE_SOURCE_DB),
      `SELECT ${BASE_ROW} FROM generate_series(1, $1::bigint) AS i WHERE NOT (i % 10 = 3) AND NOT (i % 100 = 50)
       UNION ALL SELECT ${CHANGED_ROW} FROM generate_series(1, $1::bigint) AS i WHERE i % 10 = 3
       UNION ALL SELECT ${BASE_ROW} FROM generate_series($1::bigint + 1, $1::bigint + $2::bigint) AS i`,
      [n.base, n.added],
    );
    await markDatabase(sourceServer, MERGE_SOURCE_DB, mark);
    generated = true;
  }
  if (generated) log(`merge: generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const { rows, bytes } = await withClient(databaseUrl(sourceServer, MERGE_SOURCE_DB), async (c) => {
    const r = await c.query<{ rows: string; bytes: string }>("SELECT (SELECT count(*) FROM merge.items)::text AS rows, pg_table_size('merge.items')::text AS bytes");
    return { rows: Number(r.rows[0]!.rows), bytes: Number(r.rows[0]!.bytes) };
  });
  const expectedRows = n.base - n.deleted + n.added;
  if (rows !== expectedRows) throw new Error(`merge: the source has ${rows} rows in merge.items, expected ${expectedRows}`);
  return {
    table: MERGE_TABLE,
    baseRows: n.base,
    sourceRows: rows,
    changedRows: n.changed,
    deletedRows: n.deleted,
    newRows: n.added,
    sourceDatabase: MERGE_SOURCE_DB,
    baseDatabase: MERGE_BASE_DB,
    tableBytes: bytes,
  };
}

/** The changes pgferry must report for a mode. */
export function expectedChanges(shape: MergeShape, mode: MergeMode): Omit<RowChanges, "unchanged"> {
  return {
    inserted: shape.newRows,
    updated: mode === "insert-missing" ? 0 : shape.changedRows,
    deleted: mode === "upsert-delete-missing" ? shape.deletedRows : 0,
  };
}

/**
 * What the target must hold after a mode, as parts of the id space and where each part's rows
 * come from: the source today, or the base (yesterday's target).
 */
function expectedParts(shape: MergeShape, mode: MergeMode): { where: string; from: "source" | "base" }[] {
  const n = shape.baseRows;
  switch (mode) {
    case "upsert": // every source row; the deleted ones stay as they were
      return [
        { where: `NOT ${DELETED(n)}`, from: "source" },
        { where: DELETED(n), from: "base" },
      ];
    case "insert-missing": // the base untouched (changed rows too), plus the new rows
      return [
        { where: `id <= ${n}`, from: "base" },
        { where: `id > ${n}`, from: "source" },
      ];
    case "upsert-delete-missing":
      return [{ where: "true", from: "source" }];
  }
}

/** Row count and an order-independent checksum (sum of each row's md5, as 60-bit integers) of merge.items' rows matching `where`. */
async function fingerprint(url: string, where: string): Promise<string> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ n: string; h: string | null }>(
      `SELECT count(*)::text AS n, sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint)::text AS h FROM merge.items t WHERE ${where}`,
    );
    return `${rows[0]!.n} rows, checksum ${rows[0]!.h ?? "-"}`;
  });
}

/** Compare the target after a merge run with what the mode must have left; null when it matches. */
export async function checkMerge(
  urls: { target: string; source: string; base: string },
  shape: MergeShape,
  mode: MergeMode,
  reported: RowChanges | null,
): Promise<string | null> {
  try {
    for (const part of expectedParts(shape, mode)) {
      const [got, want] = await Promise.all([fingerprint(urls.target, part.where), fingerprint(part.from === "source" ? urls.source : urls.base, part.where)]);
      if (got !== want) return `merge.items rows where ${part.where}: the target has ${got}, the ${part.from} ${want}`;
    }
    const expected = expectedChanges(shape, mode);
    if (!reported) return "pgferry's --json reported no changes for merge.items";
    for (const key of ["inserted", "updated", "deleted"] as const) {
      if (reported[key] !== expected[key]) return `pgferry reported ${reported[key]} ${key} rows, expected ${expected[key]}`;
    }
    return null;
  } catch (error) {
    return `checking the merge failed: ${(error as Error).message}`;
  }
}

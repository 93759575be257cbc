/**
 * The subset row of the empty case: `pgferry sync` with a 10 % subset that follows the foreign
 * keys (root: the data set's largest table, its rows picked by a hash of the key; children: true;
 * every parent kept). Its time is to be read against pgferry's full sync of the same data set:
 * the goal is a time proportional to the rows kept, not to the source's size.
 */
import { writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { qualified, withClient, type SourceShape } from "./generate-data.js";
import type { BenchContext } from "./contenders.js";

export const SUBSET_PERCENT = 10;

/** The pgferry.yml the subset row runs with (written to the work folder before each run). */
export async function writeSubsetConfig(ctx: BenchContext): Promise<string> {
  const root = ctx.source!.tables[0]!;
  await mkdir(ctx.workDir, { recursive: true });
  const file = join(ctx.workDir, "subset.yml");
  const pattern = JSON.stringify(`"${root.schema.replace(/"/g, '""')}"."${root.name.replace(/"/g, '""')}"`);
  await writeFile(file, `subset:\n  roots:\n    ${pattern}: "true"\n  percent: ${SUBSET_PERCENT}\n  children: true\n`);
  return file;
}

/**
 * What the subset run must leave: the root table holds exactly its share (the hash of its
 * primary key, counted on the source in plain SQL), no table holds more rows than the source,
 * and every index and FK of the source exists on the target, each FK validated.
 */
export async function checkSubsetTarget(ctx: BenchContext): Promise<string | null> {
  const source = ctx.source!;
  const root = source.tables[0]!;
  const expected = await withClient(ctx.sourceUrl, async (c) => {
    const key = await c.query<{ name: string }>(
      `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
      [qualified(root)],
    );
    if (key.rows.length === 0) throw new Error(`${root.schema}.${root.name} has no primary key: the check needs one`);
    const columns = key.rows.map((r) => pg.escapeIdentifier(r.name)).join(", ");
    const { rows } = await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualified(root)} WHERE abs(hashtextextended(ROW(${columns})::text, 0) % 10000) < ${SUBSET_PERCENT * 100}`);
    return Number(rows[0]!.n);
  });
  return withClient(ctx.targetUrl, async (c) => {
    for (const table of source.tables) {
      const { rows } = await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualified(table)}`);
      const n = Number(rows[0]!.n);
      if (table === root && n !== expected) return `${root.schema}.${root.name} holds ${n} rows, its ${SUBSET_PERCENT} % share is ${expected}`;
      if (n > table.rows) return `${table.schema}.${table.name} holds ${n} rows, more than the source's ${table.rows}`;
    }
    return checkKeys(c, source);
  });
}

async function checkKeys(c: pg.Client, source: SourceShape): Promise<string | null> {
  const { rows } = await c.query<{ indexes: number; fks: number }>(
    `SELECT (SELECT count(*)::int FROM pg_indexes WHERE schemaname = ANY($1)) AS indexes,
            (SELECT count(*)::int FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname = ANY($1) AND k.contype = 'f' AND k.convalidated) AS fks`,
    [source.schemas],
  );
  const found = rows[0]!;
  if (found.indexes !== source.indexes) return `the target has ${found.indexes} indexes, the source ${source.indexes}`;
  if (found.fks !== source.foreignKeys) return `the target has ${found.fks} validated foreign keys, the source ${source.foreignKeys}`;
  return null;
}

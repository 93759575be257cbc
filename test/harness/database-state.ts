/**
 * The data side of a whole-database comparison: a checksum of the rows of every table, partition
 * and populated materialized view in every user schema, and the stored state of every sequence.
 * Objects that belong to an extension are the extension's business and are left out.
 */
import type pg from "pg";

const USER_RELATION = `
  n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`;

/**
 * `schema.table` → `count:md5 of the sorted rows`, for tables, partitions and populated matviews.
 * Rows are sorted by their text in the database's default collation, or in `collation` (servers
 * with different default collations order the same rows differently).
 */
export async function relationChecksums(client: pg.Client, options: { readonly collation?: string } = {}): Promise<Record<string, string>> {
  const collate = options.collation ? ` COLLATE ${(await client.query<{ q: string }>("SELECT quote_ident($1) AS q", [options.collation])).rows[0]!.q}` : "";
  const relations = await client.query<{ name: string }>(`
    SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE (c.relkind = 'r' OR (c.relkind = 'm' AND c.relispopulated)) AND ${USER_RELATION} ORDER BY 1`);
  const result: Record<string, string> = {};
  for (const { name } of relations.rows) {
    // ONLY: a partition's rows are counted once, in the partition (and an INHERITS parent's own rows apart).
    const r = await client.query<{ n: string; h: string | null }>(`SELECT count(*)::text AS n, md5(string_agg(t::text, '|' ORDER BY t::text${collate})) AS h FROM ONLY ${name} t`);
    result[name] = `${r.rows[0]?.n}:${r.rows[0]?.h ?? "empty"}`;
  }
  return result;
}

/** `schema.sequence` → its last value and whether it was called (pg_sequences reads the stored state). */
export async function sequenceStates(client: pg.Client): Promise<Record<string, string>> {
  const rows = await client.query<{ name: string; state: string }>(`
    SELECT format('%I.%I', s.schemaname, s.sequencename) AS name, coalesce(s.last_value::text, 'not called') AS state
      FROM pg_sequences s JOIN pg_namespace n ON n.nspname = s.schemaname JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.sequencename
     WHERE ${USER_RELATION} ORDER BY 1`);
  return Object.fromEntries(rows.rows.map((r) => [r.name, r.state]));
}

/** Refresh every materialized view (those over other matviews on a later pass); the names that never refreshed. */
export async function refreshMaterializedViews(client: pg.Client): Promise<string[]> {
  const views = await client.query<{ name: string }>(`
    SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'm' AND ${USER_RELATION} ORDER BY 1`);
  let pending = views.rows.map((v) => v.name);
  for (let pass = 0; pass < 3 && pending.length > 0; pass++) {
    const failed: string[] = [];
    for (const name of pending) await client.query(`REFRESH MATERIALIZED VIEW ${name}`).catch(() => failed.push(name));
    pending = failed;
  }
  return pending;
}

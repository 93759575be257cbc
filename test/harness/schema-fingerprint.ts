/**
 * What a refresh must keep of the target's schema, for "unchanged" and "faithful" checks: every
 * table's OID, replica identity, owner, grants and columns' NOT NULL, every index's definition, CLUSTER ON, replica-identity flag,
 * validity, per-column statistics targets and comment, every constraint's definition, validation
 * and comment, in the given schemas (pgferry's own run history and load schemas are not the
 * user's). Index OIDs are left out: a faithful rebuild gives new ones.
 */
import type pg from "pg";

export interface SchemaFingerprint {
  readonly tables: readonly { table: string; oid: number; replident: string; owner: string; grants: string | null; columns: { name: string; notNull: boolean }[] }[];
  readonly indexes: readonly {
    table: string;
    name: string;
    definition: string;
    clustered: boolean;
    replident: boolean;
    valid: boolean;
    statistics: { column: number; target: number }[];
    comment: string | null;
  }[];
  readonly constraints: readonly { table: string; name: string; definition: string; validated: boolean; comment: string | null }[];
}

const USER_RELATIONS = `
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = ANY ($1)`;

export async function schemaFingerprint(client: pg.Client, schemas: readonly string[] = ["public"]): Promise<SchemaFingerprint> {
  const tables = await client.query(
    `SELECT c.oid::regclass::text AS table, c.oid::int8::float8 AS oid, c.relreplident::text AS replident,
            pg_get_userbyid(c.relowner) AS owner, c.relacl::text AS grants,
            (SELECT json_agg(json_build_object('name', a.attname, 'notNull', a.attnotnull) ORDER BY a.attnum)
               FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns ${USER_RELATIONS} AND c.relkind IN ('r', 'p') ORDER BY 1`,
    [schemas],
  );
  // attstattarget is -1 (before 17) or NULL (17+) when not set: both read as no entry.
  const indexes = await client.query(
    `SELECT c.oid::regclass::text AS table, ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition,
            i.indisclustered AS clustered, i.indisreplident AS replident, i.indisvalid AS valid,
            COALESCE((SELECT json_agg(json_build_object('column', a.attnum, 'target', a.attstattarget) ORDER BY a.attnum)
                        FROM pg_attribute a WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0), '[]'::json) AS statistics,
            obj_description(i.indexrelid, 'pg_class') AS comment
       ${USER_RELATIONS.replace("FROM pg_class c", "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid")}
      ORDER BY 1, 2`,
    [schemas],
  );
  const constraints = await client.query(
    `SELECT c.oid::regclass::text AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition, k.convalidated AS validated,
            obj_description(k.oid, 'pg_constraint') AS comment
       ${USER_RELATIONS.replace("FROM pg_class c", "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid")}
      ORDER BY 1, 2`,
    [schemas],
  );
  return { tables: tables.rows, indexes: indexes.rows, constraints: constraints.rows };
}

/** The fingerprint without some tables (those a run created), to compare what existed before. */
export function withoutTables(fingerprint: SchemaFingerprint, tables: readonly string[]): SchemaFingerprint {
  const keep = (row: { table: string }) => !tables.includes(row.table);
  return { tables: fingerprint.tables.filter(keep), indexes: fingerprint.indexes.filter(keep), constraints: fingerprint.constraints.filter(keep) };
}

/** Columns with their types, defaults, generated/identity flags and collations. */
import type { SqlSession } from "../pg/session.js";

export interface ColumnRow {
  readonly table_oid: number;
  readonly name: string;
  readonly position: number;
  readonly type: string;
  readonly not_null: boolean;
  readonly default_expr: string | null;
  readonly generated: string;
  readonly identity: string;
  readonly user_type_schema: string | null;
  readonly user_type_name: string | null;
  readonly category: string;
  readonly binary_portable: boolean;
  readonly equality: boolean;
  readonly collation_schema: string | null;
  readonly collation_name: string | null;
  readonly comment: string | null;
}

/*
 * binary_portable: binary COPY embeds type oids inside arrays and composites, and oids of
 * user-defined types differ between servers. Built-in types (oid < 16384, FirstNormalObjectId)
 * and scalar enums/domains over such types are safe; everything else is copied as text.
 *
 * equality: whether values of the type can be matched as keys (=, IN, joins). A base type has
 * equality when a default btree or hash operator class takes it, directly or through an implicit
 * binary-coercible cast (varchar → text), which is how PostgreSQL finds one; arrays, domains and
 * composites lack it when an element, base type or field does. json, xml, point, box, polygon,
 * circle, line, lseg and path lack it (box and circle have an `=`, but it compares areas).
 */
const LACKING_EQUALITY = `
  components(type_oid, component) AS (
    SELECT t.oid, t.typbasetype FROM pg_type t WHERE t.typtype = 'd'
    UNION ALL SELECT t.oid, t.typelem FROM pg_type t WHERE t.typelem <> 0 AND t.typlen = -1
    UNION ALL SELECT t.oid, a.atttypid FROM pg_type t JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE t.typtype = 'c'),
  lacking(type_oid) AS (
    SELECT t.oid FROM pg_type t
     WHERE t.typtype = 'b' AND NOT (t.typelem <> 0 AND t.typlen = -1)
       AND NOT EXISTS (SELECT 1 FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
                        WHERE oc.opcdefault AND am.amname IN ('btree', 'hash')
                          AND (oc.opcintype = t.oid OR EXISTS (SELECT 1 FROM pg_cast k
                                WHERE k.castsource = t.oid AND k.casttarget = oc.opcintype AND k.castmethod = 'b' AND k.castcontext = 'i')))
    UNION
    SELECT c.type_oid FROM components c JOIN lacking l ON l.type_oid = c.component)`;

export async function queryColumns(session: SqlSession, tableOids: readonly number[]): Promise<ColumnRow[]> {
  return session.query<ColumnRow & Record<string, unknown>>(
    `
    WITH RECURSIVE ${LACKING_EQUALITY}
    SELECT a.attrelid AS table_oid, a.attname AS name, a.attnum::int AS position,
           format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
           pg_get_expr(ad.adbin, ad.adrelid) AS default_expr,
           a.attgenerated::text AS generated, a.attidentity::text AS identity,
           CASE WHEN ut.oid IS NOT NULL THEN utn.nspname END AS user_type_schema,
           ut.typname AS user_type_name, bt.typcategory::text AS category,
           (CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END) < 16384
             AND COALESCE(NULLIF(bt.typelem, 0), 0) < 16384
             AND (t.typtype <> 'd' OR bt.typtype IN ('b', 'e'))
             OR t.typtype = 'e' AS binary_portable,
           NOT EXISTS (SELECT 1 FROM lacking l WHERE l.type_oid = a.atttypid) AS equality,
           CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN cn.nspname END AS collation_schema,
           CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN co.collname END AS collation_name,
           col_description(a.attrelid, a.attnum) AS comment
      FROM pg_attribute a
      JOIN pg_type t ON t.oid = a.atttypid
      JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
      LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
      LEFT JOIN pg_type ut ON ut.oid = CASE
             WHEN t.oid >= 16384 AND t.typtype IN ('e', 'd', 'c', 'r') AND t.typelem = 0 THEN t.oid
             WHEN t.typelem >= 16384 THEN t.typelem END
      LEFT JOIN pg_namespace utn ON utn.oid = ut.typnamespace
      LEFT JOIN pg_collation co ON co.oid = a.attcollation
      LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
     WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attrelid, a.attnum`,
    [tableOids],
  );
}

/** User collations (not pg_catalog's, not an extension's), with the locale fields each version has. */
import type { Collation } from "../model/schema-objects.js";
import { qualifiedName } from "../model/qualified-name.js";
import type { SqlSession } from "../pg/session.js";
import { NOT_EXTENSION_MEMBER, USER_SCHEMA } from "./catalog-filters.js";

interface CollationRow {
  readonly schema: string;
  readonly name: string;
  readonly provider: Collation["provider"];
  readonly locale: string | null;
  readonly collate: string | null;
  readonly ctype: string | null;
  readonly deterministic: boolean;
  readonly rules: string | null;
  readonly comment: string | null;
}

/*
 * The ICU locale is in collcollate before 15, in colliculocale in 15–16 and in colllocale from 17
 * (which also holds the builtin provider's locale). collcollate/collctype are NOT NULL before 15
 * (and repeat the ICU locale there). collicurules exists from 16.
 */
export async function queryCollations(session: SqlSession, serverVersion: number): Promise<Collation[]> {
  const locale = serverVersion >= 170000 ? "c.colllocale" : serverVersion >= 150000 ? "c.colliculocale" : "CASE WHEN c.collprovider = 'i' THEN c.collcollate::text END";
  const libc = (column: string) => (serverVersion >= 150000 ? `c.${column}` : `CASE WHEN c.collprovider <> 'i' THEN c.${column}::text END`);
  const rules = serverVersion >= 160000 ? "c.collicurules" : "NULL::text";
  const rows = await session.query<CollationRow & Record<string, unknown>>(`
    SELECT n.nspname AS schema, c.collname AS name, c.collprovider::text AS provider, ${locale} AS locale,
           ${libc("collcollate")} AS collate, ${libc("collctype")} AS ctype, c.collisdeterministic AS deterministic,
           ${rules} AS rules, obj_description(c.oid, 'pg_collation') AS comment
      FROM pg_collation c
      JOIN pg_namespace n ON n.oid = c.collnamespace
     WHERE ${USER_SCHEMA("n.nspname")} AND ${NOT_EXTENSION_MEMBER("pg_collation", "c.oid")}
     ORDER BY 1, 2`);
  return rows.map((r) => ({
    name: qualifiedName(r.schema, r.name),
    provider: r.provider,
    locale: r.locale,
    collate: r.collate,
    ctype: r.ctype,
    deterministic: r.deterministic,
    rules: r.rules,
    comment: r.comment,
  }));
}

/** A server built with ICU has ICU collations in pg_catalog (initdb imports them). */
export async function queryIcu(session: SqlSession): Promise<boolean> {
  const rows = await session.query<{ icu: boolean }>("SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collprovider = 'i') AS icu");
  return rows[0]?.icu ?? false;
}

/** User text search dictionaries and configurations (with their mappings), not an extension's. */
import type { TextSearchConfiguration, TextSearchDictionary, TextSearchSource } from "../model/schema-objects.js";
import { qualifiedName } from "../model/qualified-name.js";
import type { SqlSession } from "../pg/session.js";
import { EXTENSION_OF, NOT_EXTENSION_MEMBER, USER_SCHEMA } from "./catalog-filters.js";

interface SourceRow {
  readonly source_schema: string;
  readonly source_name: string;
  readonly source_extension: string | null;
}

interface DictionaryRow extends SourceRow {
  readonly schema: string;
  readonly name: string;
  readonly options: string | null;
  readonly comment: string | null;
}

export async function queryTextSearchDictionaries(session: SqlSession): Promise<TextSearchDictionary[]> {
  const rows = await session.query<DictionaryRow & Record<string, unknown>>(`
    SELECT n.nspname AS schema, d.dictname AS name, tn.nspname AS source_schema, t.tmplname AS source_name,
           ${EXTENSION_OF("pg_ts_template", "t.oid")} AS source_extension,
           d.dictinitoption AS options, obj_description(d.oid, 'pg_ts_dict') AS comment
      FROM pg_ts_dict d
      JOIN pg_namespace n ON n.oid = d.dictnamespace
      JOIN pg_ts_template t ON t.oid = d.dicttemplate
      JOIN pg_namespace tn ON tn.oid = t.tmplnamespace
     WHERE ${USER_SCHEMA("n.nspname")} AND ${NOT_EXTENSION_MEMBER("pg_ts_dict", "d.oid")}
     ORDER BY 1, 2`);
  return rows.map((r) => ({ name: qualifiedName(r.schema, r.name), template: toSource(r), options: r.options, comment: r.comment }));
}

interface ConfigurationRow extends SourceRow {
  readonly schema: string;
  readonly name: string;
  readonly comment: string | null;
  readonly mappings: { token: string; dictionaries: { schema: string; name: string }[] }[];
}

// Token types are numbered by the parser; ts_token_type(parser oid) names them (the alias ADD MAPPING FOR takes).
export async function queryTextSearchConfigurations(session: SqlSession): Promise<TextSearchConfiguration[]> {
  const rows = await session.query<ConfigurationRow & Record<string, unknown>>(`
    SELECT n.nspname AS schema, c.cfgname AS name, pn.nspname AS source_schema, p.prsname AS source_name,
           ${EXTENSION_OF("pg_ts_parser", "p.oid")} AS source_extension, obj_description(c.oid, 'pg_ts_config') AS comment,
           COALESCE((SELECT jsonb_agg(jsonb_build_object('token', tt.alias, 'dictionaries',
                              (SELECT jsonb_agg(jsonb_build_object('schema', dn.nspname, 'name', d.dictname) ORDER BY m.mapseqno)
                                 FROM pg_ts_config_map m JOIN pg_ts_dict d ON d.oid = m.mapdict JOIN pg_namespace dn ON dn.oid = d.dictnamespace
                                WHERE m.mapcfg = c.oid AND m.maptokentype = tt.tokid)) ORDER BY tt.tokid)
                       FROM ts_token_type(c.cfgparser) tt
                      WHERE EXISTS (SELECT 1 FROM pg_ts_config_map m WHERE m.mapcfg = c.oid AND m.maptokentype = tt.tokid)), '[]'::jsonb) AS mappings
      FROM pg_ts_config c
      JOIN pg_namespace n ON n.oid = c.cfgnamespace
      JOIN pg_ts_parser p ON p.oid = c.cfgparser
      JOIN pg_namespace pn ON pn.oid = p.prsnamespace
     WHERE ${USER_SCHEMA("n.nspname")} AND ${NOT_EXTENSION_MEMBER("pg_ts_config", "c.oid")}
     ORDER BY 1, 2`);
  return rows.map((r) => ({
    name: qualifiedName(r.schema, r.name),
    parser: toSource(r),
    mappings: r.mappings.map((m) => ({ token: m.token, dictionaries: m.dictionaries.map((d) => qualifiedName(d.schema, d.name)) })),
    comment: r.comment,
  }));
}

function toSource(row: SourceRow): TextSearchSource {
  return { name: qualifiedName(row.source_schema, row.source_name), builtIn: row.source_schema === "pg_catalog", extension: row.source_extension };
}

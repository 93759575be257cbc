/**
 * Objects around the tables: triggers, user functions, views and materialized views, composite
 * types, extensions, and what each table depends on (functions, extensions) through pg_depend.
 */
import type { SqlSession } from "../pg/session.js";
import { NOT_EXTENSION_MEMBER, USER_SCHEMA } from "./catalog-filters.js";


export interface TriggerRow {
  readonly table_oid: number;
  readonly name: string;
  readonly definition: string;
  readonly enabled: "O" | "D" | "R" | "A";
  readonly comment: string | null;
}

// A partition's clone of its parent's trigger comes with the parent's: tgparentid (13+) marks it;
// before 13 clones are internal.
export async function queryTriggers(session: SqlSession, tableOids: readonly number[], serverVersion: number): Promise<TriggerRow[]> {
  const notClone = serverVersion >= 130000 ? "AND t.tgparentid = 0" : "";
  return session.query<TriggerRow & Record<string, unknown>>(
    `SELECT t.tgrelid AS table_oid, t.tgname AS name, pg_get_triggerdef(t.oid) AS definition, t.tgenabled::text AS enabled,
            obj_description(t.oid, 'pg_trigger') AS comment
       FROM pg_trigger t
      WHERE t.tgrelid = ANY($1::oid[]) AND NOT t.tgisinternal ${notClone}
      ORDER BY t.tgrelid, t.tgname`,
    [tableOids],
  );
}

export interface FunctionRow {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  readonly args: string;
  readonly kind: "f" | "p" | "a" | "w";
  readonly definition: string | null;
  readonly comment: string | null;
  /** pg_proc.proconfig: the function's SET settings (`search_path=…`). */
  readonly config: string[] | null;
  /** For an aggregate: its pg_aggregate row, support functions as {schema, name, oid, extension}. */
  readonly aggregate: AggregateRow | null;
}

export interface ProcRef {
  readonly schema: string;
  readonly name: string;
  readonly oid: string;
  /** The extension the function belongs to, if any. */
  readonly extension: string | null;
}

export interface AggregateRow {
  readonly arguments: string;
  readonly kind: "n" | "o" | "h";
  readonly transfn: ProcRef;
  readonly transtype: string;
  readonly transspace: number;
  readonly initval: string | null;
  readonly finalfn: ProcRef | null;
  readonly finalextra: boolean;
  readonly finalmodify: "r" | "s" | "w";
  readonly combinefn: ProcRef | null;
  readonly serialfn: ProcRef | null;
  readonly deserialfn: ProcRef | null;
  readonly mtransfn: ProcRef | null;
  readonly minvtransfn: ProcRef | null;
  readonly mtranstype: string | null;
  readonly mtransspace: number;
  readonly minitval: string | null;
  readonly mfinalfn: ProcRef | null;
  readonly mfinalextra: boolean;
  readonly mfinalmodify: "r" | "s" | "w";
  readonly sortop: { schema: string; name: string } | null;
  readonly parallel: "s" | "r" | "u";
}

// A support function of an aggregate (regproc column, 0 when unset) as {schema, name, oid, extension}.
const PROC_REF = (column: string) => `(SELECT jsonb_build_object('schema', sn.nspname, 'name', sp.proname, 'oid', sp.oid::int8::text,
            'extension', (SELECT x.extname FROM pg_depend xd JOIN pg_extension x ON x.oid = xd.refobjid
                           WHERE xd.classid = 'pg_proc'::regclass AND xd.objid = sp.oid AND xd.deptype = 'e' AND xd.refclassid = 'pg_extension'::regclass))
       FROM pg_proc sp JOIN pg_namespace sn ON sn.oid = sp.pronamespace WHERE sp.oid = ${column})`;

export async function queryFunctions(session: SqlSession): Promise<FunctionRow[]> {
  return session.query<FunctionRow & Record<string, unknown>>(`
    SELECT p.oid::int8::float8 AS oid, n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS args,
           p.prokind::text AS kind, CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) END AS definition,
           obj_description(p.oid, 'pg_proc') AS comment, p.proconfig AS config,
           CASE WHEN a.aggfnoid IS NOT NULL THEN jsonb_build_object(
             'arguments', pg_get_function_arguments(p.oid), 'kind', a.aggkind::text,
             'transfn', ${PROC_REF("a.aggtransfn")}, 'transtype', format_type(a.aggtranstype, NULL), 'transspace', a.aggtransspace,
             'initval', a.agginitval, 'finalfn', ${PROC_REF("a.aggfinalfn")}, 'finalextra', a.aggfinalextra,
             'finalmodify', a.aggfinalmodify::text, 'combinefn', ${PROC_REF("a.aggcombinefn")},
             'serialfn', ${PROC_REF("a.aggserialfn")}, 'deserialfn', ${PROC_REF("a.aggdeserialfn")},
             'mtransfn', ${PROC_REF("a.aggmtransfn")}, 'minvtransfn', ${PROC_REF("a.aggminvtransfn")},
             'mtranstype', CASE WHEN a.aggmtranstype <> 0 THEN format_type(a.aggmtranstype, NULL) END, 'mtransspace', a.aggmtransspace,
             'minitval', a.aggminitval, 'mfinalfn', ${PROC_REF("a.aggmfinalfn")}, 'mfinalextra', a.aggmfinalextra,
             'mfinalmodify', a.aggmfinalmodify::text,
             'sortop', (SELECT jsonb_build_object('schema', on_.nspname, 'name', o.oprname) FROM pg_operator o
                          JOIN pg_namespace on_ ON on_.oid = o.oprnamespace WHERE o.oid = a.aggsortop),
             'parallel', p.proparallel::text) END AS aggregate
      FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace
      LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
     WHERE ${USER_SCHEMA("n.nspname")} AND ${NOT_EXTENSION_MEMBER("pg_proc", "p.oid")}
       -- A range type's constructors (and its multirange's, 14+) are made with the type: internal dependency.
       AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid AND i.deptype = 'i')
     ORDER BY 2, 3, 4`);
}

export interface TableDependencyRow {
  readonly table_oid: number;
  readonly kind: "function" | "extension";
  /** A function's oid, or an extension's name. */
  readonly ref: string;
}

/*
 * The table itself (its columns' types), its defaults and generated expressions, constraints,
 * indexes (operator classes, expression functions) and triggers, followed one step in pg_depend.
 * An array type belongs to an extension through its element type.
 */
export async function queryTableDependencies(session: SqlSession, tableOids: readonly number[]): Promise<TableDependencyRow[]> {
  return session.query<TableDependencyRow & Record<string, unknown>>(
    `WITH objs AS (
       SELECT c.oid AS table_oid, 'pg_class'::regclass AS classid, c.oid AS objid FROM pg_class c WHERE c.oid = ANY($1::oid[])
       UNION ALL SELECT ad.adrelid, 'pg_attrdef'::regclass, ad.oid FROM pg_attrdef ad WHERE ad.adrelid = ANY($1::oid[])
       UNION ALL SELECT con.conrelid, 'pg_constraint'::regclass, con.oid FROM pg_constraint con WHERE con.conrelid = ANY($1::oid[])
       UNION ALL SELECT i.indrelid, 'pg_class'::regclass, i.indexrelid FROM pg_index i WHERE i.indrelid = ANY($1::oid[])
       UNION ALL SELECT t.tgrelid, 'pg_trigger'::regclass, t.oid FROM pg_trigger t WHERE t.tgrelid = ANY($1::oid[]) AND NOT t.tgisinternal
       UNION ALL SELECT p.polrelid, 'pg_policy'::regclass, p.oid FROM pg_policy p WHERE p.polrelid = ANY($1::oid[])
       UNION ALL SELECT r.ev_class, 'pg_rewrite'::regclass, r.oid FROM pg_rewrite r WHERE r.ev_class = ANY($1::oid[]) AND r.rulename <> '_RETURN'
       UNION ALL SELECT s.stxrelid, 'pg_statistic_ext'::regclass, s.oid FROM pg_statistic_ext s WHERE s.stxrelid = ANY($1::oid[])
     ), deps AS (
       SELECT DISTINCT o.table_oid, d.refclassid, d.refobjid,
              (SELECT ty.typelem FROM pg_type ty WHERE d.refclassid = 'pg_type'::regclass AND ty.oid = d.refobjid) AS elem
         FROM objs o JOIN pg_depend d ON d.classid = o.classid AND d.objid = o.objid AND d.deptype IN ('n', 'a')
     )
     SELECT DISTINCT deps.table_oid, 'extension' AS kind, x.extname::text AS ref
       FROM deps
       JOIN pg_depend m ON m.classid = deps.refclassid AND m.objid IN (deps.refobjid, deps.elem) AND m.deptype = 'e'
                       AND m.refclassid = 'pg_extension'::regclass
       JOIN pg_extension x ON x.oid = m.refobjid
     UNION
     SELECT deps.table_oid, 'function', deps.refobjid::int8::text FROM deps WHERE deps.refclassid = 'pg_proc'::regclass`,
    [tableOids],
  );
}

export interface ViewRow {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  readonly materialized: boolean;
  readonly definition: string;
  readonly options: string[] | null;
  readonly populated: boolean;
  readonly comment: string | null;
  readonly relations: { schema: string; name: string }[];
  readonly functions: string[];
  readonly columns: { name: string; type: string }[];
}

export async function queryViews(session: SqlSession): Promise<ViewRow[]> {
  return session.query<ViewRow & Record<string, unknown>>(`
    SELECT c.oid::int8::float8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
           pg_get_viewdef(c.oid) AS definition, c.reloptions::text[] AS options, c.relispopulated AS populated,
           obj_description(c.oid, 'pg_class') AS comment,
           COALESCE((SELECT json_agg(DISTINCT jsonb_build_object('schema', rn.nspname, 'name', rc.relname))
                       FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                       JOIN pg_class rc ON d.refclassid = 'pg_class'::regclass AND rc.oid = d.refobjid
                       JOIN pg_namespace rn ON rn.oid = rc.relnamespace
                      WHERE r.ev_class = c.oid AND d.refobjid <> c.oid), '[]'::json) AS relations,
           ARRAY(SELECT DISTINCT d.refobjid::int8::text
                   FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                  WHERE r.ev_class = c.oid AND d.refclassid = 'pg_proc'::regclass) AS functions,
           COALESCE((SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) ORDER BY a.attnum)
                       FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]'::json) AS columns
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('v', 'm') AND ${USER_SCHEMA("n.nspname")} AND ${NOT_EXTENSION_MEMBER("pg_class", "c.oid")}
     ORDER BY 2, 3`);
}

export interface CompositeRow {
  readonly schema: string;
  readonly name: string;
  readonly comment: string | null;
  readonly attributes: {
    name: string;
    type: string;
    user_type_schema: string | null;
    user_type_name: string | null;
    collation_schema: string | null;
    collation_name: string | null;
  }[];
}

export async function queryComposites(session: SqlSession): Promise<CompositeRow[]> {
  return session.query<CompositeRow & Record<string, unknown>>(`
    SELECT n.nspname AS schema, t.typname AS name, obj_description(t.oid, 'pg_type') AS comment,
           COALESCE((SELECT json_agg(json_build_object(
                      'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                      'user_type_schema', un.nspname, 'user_type_name', ut.typname,
                      'collation_schema', CASE WHEN a.attcollation <> at.typcollation AND a.attcollation <> 0 THEN cn.nspname END,
                      'collation_name', CASE WHEN a.attcollation <> at.typcollation AND a.attcollation <> 0 THEN co.collname END) ORDER BY a.attnum)
                       FROM pg_attribute a
                       JOIN pg_type at ON at.oid = a.atttypid
                       LEFT JOIN pg_type ut ON ut.oid = CASE WHEN at.oid >= 16384 AND at.typelem = 0 THEN at.oid WHEN at.typelem >= 16384 THEN at.typelem END
                       LEFT JOIN pg_namespace un ON un.oid = ut.typnamespace
                       LEFT JOIN pg_collation co ON co.oid = a.attcollation
                       LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
                      WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '[]'::json) AS attributes
      FROM pg_type t
      JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
      JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE t.typtype = 'c' AND ${USER_SCHEMA("n.nspname")} AND ${NOT_EXTENSION_MEMBER("pg_type", "t.oid")}
     ORDER BY 1, 2`);
}

export async function queryExtensions(session: SqlSession): Promise<{ extensions: { name: string; schema: string }[]; available: string[] }> {
  const extensions = await session.query<{ name: string; schema: string }>(
    "SELECT e.extname::text AS name, n.nspname::text AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace ORDER BY 1",
  );
  const available = await session.query<{ name: string }>("SELECT name::text AS name FROM pg_available_extensions ORDER BY 1");
  return { extensions, available: available.map((r) => r.name) };
}

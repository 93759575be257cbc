/** User operators, operator families and operator classes (with their pg_amop/pg_amproc members), not an extension's. */
import type { FunctionMember, OperatorClass, OperatorDef, OperatorFamily, OperatorMember, SupportFunction } from "../model/schema-objects.js";
import { qualifiedName } from "../model/qualified-name.js";
import type { SqlSession } from "../pg/session.js";
import { EXTENSION_OF, NOT_EXTENSION_MEMBER, USER_SCHEMA } from "./catalog-filters.js";

interface FunctionJson {
  schema: string;
  name: string;
  signature: string;
  key: string | null;
  extension: string | null;
  language: string;
}

// A function (regproc column, 0 when unset) as JSON; its key is FunctionDef.key for a user function.
const FUNCTION = (column: string) => `(SELECT jsonb_build_object('schema', fn.nspname, 'name', fp.proname, 'signature', fp.oid::regprocedure::text,
         'key', CASE WHEN ${USER_SCHEMA("fn.nspname")} AND ${EXTENSION_OF("pg_proc", "fp.oid")} IS NULL
                     THEN fn.nspname || '.' || fp.proname || '(' || pg_get_function_identity_arguments(fp.oid) || ')' END,
         'extension', ${EXTENSION_OF("pg_proc", "fp.oid")}, 'language', fl.lanname)
    FROM pg_proc fp JOIN pg_namespace fn ON fn.oid = fp.pronamespace JOIN pg_language fl ON fl.oid = fp.prolang
   WHERE fp.oid = ${column})`;

const OPERATOR_MEMBERS = (dependsOn: string, oid: string) => `COALESCE((SELECT jsonb_agg(jsonb_build_object(
         'strategy', ao.amopstrategy, 'operator', ao.amopopr::regoperator::text,
         'left', format_type(ao.amoplefttype, NULL), 'right', format_type(ao.amoprighttype, NULL),
         'sortFamily', (SELECT jsonb_build_object('schema', sn.nspname, 'name', sf.opfname) FROM pg_opfamily sf
                          JOIN pg_namespace sn ON sn.oid = sf.opfnamespace WHERE ao.amoppurpose = 'o' AND sf.oid = ao.amopsortfamily))
         ORDER BY ao.amopstrategy, ao.amoplefttype, ao.amoprighttype)
    FROM pg_amop ao JOIN pg_depend d ON d.classid = 'pg_amop'::regclass AND d.objid = ao.oid
   WHERE d.refclassid = '${dependsOn}'::regclass AND d.refobjid = ${oid}), '[]'::jsonb)`;

const FUNCTION_MEMBERS = (dependsOn: string, oid: string) => `COALESCE((SELECT jsonb_agg(jsonb_build_object(
         'number', ap.amprocnum, 'left', format_type(ap.amproclefttype, NULL), 'right', format_type(ap.amprocrighttype, NULL),
         'function', ${FUNCTION("ap.amproc")}) ORDER BY ap.amprocnum, ap.amproclefttype, ap.amprocrighttype)
    FROM pg_amproc ap JOIN pg_depend d ON d.classid = 'pg_amproc'::regclass AND d.objid = ap.oid
   WHERE d.refclassid = '${dependsOn}'::regclass AND d.refobjid = ${oid}), '[]'::jsonb)`;

const OPERATOR_REF = (column: string) => `(SELECT jsonb_build_object('key', ro.oid::regoperator::text, 'schema', rn.nspname, 'name', ro.oprname)
    FROM pg_operator ro JOIN pg_namespace rn ON rn.oid = ro.oprnamespace WHERE ro.oid = ${column})`;

interface OperatorRefJson {
  key: string;
  schema: string;
  name: string;
}

interface OperatorRow {
  readonly key: string;
  readonly schema: string;
  readonly name: string;
  readonly left: string | null;
  readonly right: string | null;
  readonly function: FunctionJson;
  readonly commutator: OperatorRefJson | null;
  readonly negator: OperatorRefJson | null;
  readonly restrict: FunctionJson | null;
  readonly join: FunctionJson | null;
  readonly hashes: boolean;
  readonly merges: boolean;
  readonly comment: string | null;
}

// A shell operator (oprcode 0, only named as another's commutator) is created by the operator that names it.
export async function queryOperators(session: SqlSession): Promise<OperatorDef[]> {
  const rows = await session.query<OperatorRow & Record<string, unknown>>(`
    SELECT o.oid::regoperator::text AS key, n.nspname AS schema, o.oprname AS name,
           CASE WHEN o.oprleft <> 0 THEN format_type(o.oprleft, NULL) END AS left,
           CASE WHEN o.oprright <> 0 THEN format_type(o.oprright, NULL) END AS right,
           ${FUNCTION("o.oprcode")} AS function,
           ${OPERATOR_REF("o.oprcom")} AS commutator, ${OPERATOR_REF("o.oprnegate")} AS negator,
           ${FUNCTION("o.oprrest")} AS restrict, ${FUNCTION("o.oprjoin")} AS join,
           o.oprcanhash AS hashes, o.oprcanmerge AS merges, obj_description(o.oid, 'pg_operator') AS comment
      FROM pg_operator o
      JOIN pg_namespace n ON n.oid = o.oprnamespace
     WHERE o.oprcode <> 0 AND ${USER_SCHEMA("n.nspname")} AND ${NOT_EXTENSION_MEMBER("pg_operator", "o.oid")}
     ORDER BY 1`);
  return rows.map((r) => ({
    key: r.key,
    name: qualifiedName(r.schema, r.name),
    left: r.left,
    right: r.right,
    function: toFunction(r.function),
    commutator: r.commutator && { key: r.commutator.key, name: qualifiedName(r.commutator.schema, r.commutator.name) },
    negator: r.negator && { key: r.negator.key, name: qualifiedName(r.negator.schema, r.negator.name) },
    restrict: r.restrict && toFunction(r.restrict),
    join: r.join && toFunction(r.join),
    hashes: r.hashes,
    merges: r.merges,
    comment: r.comment,
  }));
}

interface MemberRows {
  readonly operators: (Omit<OperatorMember, "sortFamily"> & { sortFamily: { schema: string; name: string } | null })[];
  readonly functions: (Omit<FunctionMember, "function"> & { function: FunctionJson })[];
}

interface FamilyRow extends MemberRows {
  readonly schema: string;
  readonly name: string;
  readonly method: string;
  readonly comment: string | null;
}

/** Families with their loose members (those of no class: ALTER OPERATOR FAMILY … ADD). */
export async function queryOperatorFamilies(session: SqlSession): Promise<OperatorFamily[]> {
  const rows = await session.query<FamilyRow & Record<string, unknown>>(`
    SELECT n.nspname AS schema, f.opfname AS name, am.amname AS method, obj_description(f.oid, 'pg_opfamily') AS comment,
           ${OPERATOR_MEMBERS("pg_opfamily", "f.oid")} AS operators, ${FUNCTION_MEMBERS("pg_opfamily", "f.oid")} AS functions
      FROM pg_opfamily f
      JOIN pg_namespace n ON n.oid = f.opfnamespace
      JOIN pg_am am ON am.oid = f.opfmethod
     WHERE ${USER_SCHEMA("n.nspname")} AND ${NOT_EXTENSION_MEMBER("pg_opfamily", "f.oid")}
     ORDER BY 1, 2, 3`);
  return rows.map((r) => ({ name: qualifiedName(r.schema, r.name), method: r.method, ...toMembers(r), comment: r.comment }));
}

interface ClassRow extends MemberRows {
  readonly schema: string;
  readonly name: string;
  readonly method: string;
  readonly type: string;
  readonly is_default: boolean;
  readonly family_schema: string;
  readonly family_name: string;
  readonly storage: string | null;
  readonly comment: string | null;
}

export async function queryOperatorClasses(session: SqlSession): Promise<OperatorClass[]> {
  const rows = await session.query<ClassRow & Record<string, unknown>>(`
    SELECT n.nspname AS schema, c.opcname AS name, am.amname AS method, format_type(c.opcintype, NULL) AS type,
           c.opcdefault AS is_default, fn.nspname AS family_schema, f.opfname AS family_name,
           CASE WHEN c.opckeytype <> 0 THEN format_type(c.opckeytype, NULL) END AS storage,
           obj_description(c.oid, 'pg_opclass') AS comment,
           ${OPERATOR_MEMBERS("pg_opclass", "c.oid")} AS operators, ${FUNCTION_MEMBERS("pg_opclass", "c.oid")} AS functions
      FROM pg_opclass c
      JOIN pg_namespace n ON n.oid = c.opcnamespace
      JOIN pg_am am ON am.oid = c.opcmethod
      JOIN pg_opfamily f ON f.oid = c.opcfamily
      JOIN pg_namespace fn ON fn.oid = f.opfnamespace
     WHERE ${USER_SCHEMA("n.nspname")} AND ${NOT_EXTENSION_MEMBER("pg_opclass", "c.oid")}
     ORDER BY 1, 2, 3`);
  return rows.map((r) => ({
    name: qualifiedName(r.schema, r.name),
    method: r.method,
    type: r.type,
    isDefault: r.is_default,
    family: qualifiedName(r.family_schema, r.family_name),
    storage: r.storage,
    ...toMembers(r),
    comment: r.comment,
  }));
}

function toMembers(row: MemberRows): Pick<OperatorFamily, "operators" | "functions"> {
  return {
    operators: row.operators.map((o) => ({ ...o, sortFamily: o.sortFamily && qualifiedName(o.sortFamily.schema, o.sortFamily.name) })),
    functions: row.functions.map((f) => ({ ...f, function: toFunction(f.function) })),
  };
}

function toFunction(row: FunctionJson): SupportFunction {
  return { name: qualifiedName(row.schema, row.name), signature: row.signature, key: row.key, extension: row.extension, language: row.language };
}

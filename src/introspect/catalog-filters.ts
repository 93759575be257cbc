/** WHERE fragments shared by catalog queries (constant SQL, no user input). */

/** A user schema: not information_schema, not pg_catalog, pg_toast or pg_temp_N. */
export const USER_SCHEMA = (column: string) => `${column} <> 'information_schema' AND ${column} NOT LIKE 'pg\\_%'`;

/** The object is not a member of an extension (pg_depend deptype 'e'): the extension creates it. */
export const NOT_EXTENSION_MEMBER = (classid: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${classid}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

/** The extension an object belongs to, or NULL. */
export const EXTENSION_OF = (classid: string, oid: string) =>
  `(SELECT x.extname::text FROM pg_depend xd JOIN pg_extension x ON x.oid = xd.refobjid
     WHERE xd.classid = '${classid}'::regclass AND xd.objid = ${oid} AND xd.deptype = 'e' AND xd.refclassid = 'pg_extension'::regclass)`;

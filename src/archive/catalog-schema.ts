/**
 * The strict shape of the catalog a manifest carries. A restore creates tables, types,
 * functions and views from it, so every object has exactly the fields of `model/catalog.ts`
 * (no unknown keys, no wrong types); anything else is refused before a connection is opened.
 * The SQL fragments inside (defaults, definitions) cannot be judged by shape: they are trusted
 * only as far as the manifest is (authenticated when the snapshot is encrypted).
 */
import { z } from "zod";
import type { Catalog } from "../model/catalog.js";
import { schemaObjectsSchema } from "./schema-objects-schema.js";

/** No NUL bytes: PostgreSQL text cannot hold them, and no identifier is empty. */
const text = z.string().refine((s) => !s.includes("\u0000"), "contains a NUL byte");
const identifier = text.min(1, "is empty").max(1024, "is too long");
const name = z.strictObject({ schema: identifier, name: identifier });
const nullableText = text.nullable();
const count = z.number().int().min(0);

const column = z.strictObject({
  name: identifier,
  position: z.number().int(),
  type: text.min(1),
  userType: name.nullable(),
  category: z.string().regex(/^[A-Z]$/, "is not a pg_type category letter"),
  binaryPortable: z.boolean(),
  notNull: z.boolean(),
  default: nullableText,
  generated: z.enum(["stored", "virtual"]).nullable(),
  identity: z.enum(["always", "by default"]).nullable(),
  collation: name.nullable(),
  // Absent from manifests written before it was introspected.
  equality: z.boolean().default(true),
  comment: nullableText,
  statistics: z.number().int().nullable().optional(),
  storage: z.enum(["plain", "external", "main", "extended"]).nullable().optional(),
  compression: identifier.nullable().optional(),
  local: z.boolean().optional(),
});

const indexProperties = z.strictObject({
  clustered: z.boolean(),
  replicaIdentity: z.boolean(),
  valid: z.boolean(),
  tablespace: nullableText,
  statistics: z.array(z.strictObject({ column: z.number().int(), target: z.number().int() })),
  hasDependents: z.boolean(),
  comment: nullableText.optional(),
});

const constraint = z.strictObject({
  name: identifier,
  kind: z.enum(["primary", "unique", "check", "foreign", "exclusion"]),
  definition: text.min(1),
  columns: z.array(identifier),
  references: name.nullable(),
  referencedColumns: z.array(identifier),
  deferrable: z.boolean(),
  initiallyDeferred: z.boolean(),
  comment: nullableText,
  index: indexProperties.optional(),
});

const index = z.strictObject({ name: identifier, definition: text.min(1), using: nullableText.optional(), comment: nullableText, properties: indexProperties.optional() });

const finalModify = z.enum(["r", "s", "w"]);
const aggregate = z.strictObject({
  arguments: text,
  aggKind: z.enum(["n", "o", "h"]),
  transition: name,
  stateType: text.min(1),
  stateSpace: count,
  initialValue: nullableText,
  final: name.nullable(),
  finalExtra: z.boolean(),
  finalModify,
  combine: name.nullable(),
  serial: name.nullable(),
  deserial: name.nullable(),
  movingTransition: name.nullable(),
  movingInverse: name.nullable(),
  movingStateType: nullableText,
  movingStateSpace: count,
  movingInitialValue: nullableText,
  movingFinal: name.nullable(),
  movingFinalExtra: z.boolean(),
  movingFinalModify: finalModify,
  sortOperator: name.nullable(),
  parallel: z.enum(["s", "r", "u"]),
  functions: z.array(text),
  extensions: z.array(identifier),
});

const table = z.strictObject({
  name,
  partitioned: z.boolean(),
  partitioning: z.strictObject({ key: nullableText, parent: name.nullable(), bound: nullableText }),
  columns: z.array(column),
  constraints: z.array(constraint),
  indexes: z.array(index),
  unlogged: z.boolean(),
  rowSecurityActive: z.boolean().default(false),
  owned: z.boolean().optional(),
  rowEstimate: z.number().nullable(),
  sizeBytes: count,
  sequences: z.array(name),
  triggers: z.array(z.strictObject({ name: identifier, definition: text.min(1), enabled: z.enum(["O", "D", "R", "A"]), comment: nullableText })),
  functions: z.array(text),
  extensions: z.array(identifier),
  comment: nullableText,
  options: z.array(text),
  unhandled: z.array(text),
  inherits: z.array(name).optional(),
  replicaIdentity: z.enum(["default", "nothing", "full", "index"]).optional(),
  rowSecurity: z.strictObject({ enabled: z.boolean(), forced: z.boolean() }).optional(),
  policies: z
    .array(
      z.strictObject({
        name: identifier,
        permissive: z.boolean(),
        command: z.enum(["all", "select", "insert", "update", "delete"]),
        roles: z.array(identifier),
        using: nullableText,
        withCheck: nullableText,
        relations: z.array(name),
        comment: nullableText,
      }),
    )
    .optional(),
  rules: z
    .array(z.strictObject({ name: identifier, definition: text.min(1), enabled: z.enum(["O", "D", "R", "A"]), relations: z.array(name), comment: nullableText }))
    .optional(),
  statistics: z.array(z.strictObject({ name, definition: text.min(1), target: z.number().int().nullable(), expressions: z.boolean().optional(), comment: nullableText })).optional(),
});

const sequence = z.strictObject({
  name,
  dataType: text.min(1),
  start: text,
  increment: text,
  min: text,
  max: text,
  cache: text,
  cycle: z.boolean(),
  lastValue: nullableText,
  readable: z.boolean(),
  ownedBy: z.strictObject({ table: name, column: identifier }).nullable(),
  identity: z.boolean(),
  comment: nullableText,
});

export const catalogSchema = z.strictObject({
  serverVersion: z.number().int(),
  serverVersionText: text,
  identity: z.strictObject({ systemIdentifier: nullableText, postmasterStart: text, databaseOid: z.number().int(), databaseName: text }),
  schemas: z.array(identifier),
  tables: z.array(table),
  sequences: z.array(sequence),
  enums: z.array(z.strictObject({ name, labels: z.array(text), comment: nullableText })),
  domains: z.array(
    z.strictObject({
      name,
      comment: nullableText,
      baseType: text.min(1),
      baseUserType: name.nullable(),
      notNull: z.boolean(),
      default: nullableText,
      collation: name.nullable(),
      checks: z.array(z.strictObject({ name: identifier, definition: text.min(1) })),
      functions: z.array(text).optional(),
    }),
  ),
  composites: z.array(
    z.strictObject({
      name,
      attributes: z.array(z.strictObject({ name: identifier, type: text.min(1), userType: name.nullable(), collation: name.nullable() })),
      comment: nullableText,
    }),
  ),
  ranges: z
    .array(
      z.strictObject({
        name,
        subtype: text.min(1),
        subtypeUserType: name.nullable(),
        opclass: name.nullable(),
        collation: name.nullable(),
        canonical: nullableText,
        subtypeDiff: z.strictObject({ name, key: nullableText }).nullable(),
        multirange: nullableText,
        comment: nullableText,
      }),
    )
    .optional(),
  functions: z.array(
    z.strictObject({
      key: text.min(1),
      name,
      identityArguments: text,
      kind: z.enum(["f", "p", "a", "w"]),
      definition: nullableText,
      comment: nullableText,
      sequences: z.array(name).optional(),
      types: z.array(name).optional(),
      relations: z.array(name).optional(),
      aggregate: aggregate.optional(),
    }),
  ),
  views: z.array(
    z.strictObject({
      name,
      materialized: z.boolean(),
      definition: text.min(1),
      options: z.array(text),
      populated: z.boolean(),
      relations: z.array(name),
      functions: z.array(text),
      indexes: z.array(index),
      comment: nullableText,
      extensions: z.array(identifier).optional(),
      columns: z.array(z.strictObject({ name: identifier, type: identifier })).optional(),
    }),
  ),
  extensions: z.array(z.strictObject({ name: identifier, schema: identifier })),
  availableExtensions: z.array(text),
  schemaComments: z.array(z.strictObject({ schema: identifier, comment: text })).optional(),
  roles: z.array(identifier).optional(),
  // Absent from manifests written before these objects were introspected.
  schemaObjects: schemaObjectsSchema.optional(),
  largeObjects: z.strictObject({ count, bytes: count.nullable() }).optional(),
});

// The schema and the model must describe the same shape: a field added to one and not the
// other fails the type check here, not a user's restore.
type Parsed = z.infer<typeof catalogSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type DeepMutable<T> = T extends readonly (infer U)[] ? DeepMutable<U>[] : T extends object ? { -readonly [K in keyof T]: DeepMutable<T[K]> } : T;
const sameShape: Same<DeepMutable<Catalog>, Parsed> = true;
void sameShape;

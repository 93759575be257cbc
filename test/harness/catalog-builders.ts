/** Hand-made catalog objects for unit tests of the pure planner. */
import type { Catalog, Column, Constraint, Sequence, Table } from "../../src/model/catalog.js";
import { qualifiedName } from "../../src/model/qualified-name.js";

export function categoryOf(type: string): string {
  if (type.endsWith("[]")) return "A";
  if (["integer", "bigint", "smallint", "numeric"].includes(type)) return "N";
  if (["text", "character varying(10)", "character varying(20)"].includes(type)) return "S";
  if (type === "boolean") return "B";
  return "U";
}

export const col = (name: string, type = "integer", extra: Partial<Column> = {}): Column => ({
  name, position: 0, type, userType: null, category: categoryOf(type), binaryPortable: true, equality: true, notNull: false, default: null, generated: null, identity: null, collation: null, comment: null, ...extra,
});

export const fk = (name: string, references: string): Constraint => ({
  name, kind: "foreign", definition: `FOREIGN KEY (x) REFERENCES public.${references}(id)`, columns: ["x"], references: qualifiedName("public", references), referencedColumns: ["id"], deferrable: false, initiallyDeferred: false, comment: null,
});

export const table = (name: string, columns: Column[], extra: Partial<Table> = {}): Table => ({
  name: qualifiedName("public", name), partitioned: false, partitioning: { key: null, parent: null, bound: null }, columns, constraints: [], indexes: [], unlogged: false, rowEstimate: 10, sizeBytes: 8192, sequences: [], triggers: [], functions: [], extensions: [], comment: null, options: [], unhandled: [], rowSecurityActive: false, ...extra,
});

export const catalog = (tables: Table[], sequences: Sequence[] = [], extra: Partial<Catalog> = {}): Catalog => ({
  serverVersion: 170000, serverVersionText: "17", identity: { systemIdentifier: null, postmasterStart: "x", databaseOid: 1, databaseName: "d" }, schemas: ["public"], tables, sequences, enums: [], domains: [], composites: [], functions: [], views: [], extensions: [], availableExtensions: [], ...extra,
});

export const ALL_TABLES = { include: [], exclude: [], where: {} };

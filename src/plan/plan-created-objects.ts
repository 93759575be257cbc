/**
 * Objects to create on the target for tables missing there: schemas, enums and domains the
 * columns use, sequences, the tables (pre-data); keys, indexes, FKs and sequence owners after
 * the data (post-data), the way pg_restore orders them.
 */
import { indexOnAllPartitions } from "../ddl/index-definition.js";
import type { Catalog, DomainType, EnumType, Sequence, Table } from "../model/catalog.js";
import type { DdlStatement } from "../model/ddl-statement.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";

export interface CreatedObjects {
  readonly preData: readonly DdlStatement[];
  readonly postData: readonly DdlStatement[];
  readonly diagnostics: readonly Diagnostic[];
}

export function planCreatedObjects(created: readonly Table[], source: Catalog, target: Catalog, tablesAfterRun: ReadonlySet<string>): CreatedObjects {
  const diagnostics: Diagnostic[] = [];
  const onTarget = (q: QualifiedName, list: readonly { name: QualifiedName }[]) => list.some((x) => nameKey(x.name) === nameKey(q));
  const enums = new Map<string, EnumType>();
  const domains = new Map<string, DomainType>();

  const needType = (type: QualifiedName, table: Table): void => {
    const key = nameKey(type);
    if (enums.has(key) || domains.has(key) || onTarget(type, target.enums) || onTarget(type, target.domains)) return;
    const asEnum = source.enums.find((e) => nameKey(e.name) === key);
    if (asEnum) return void enums.set(key, asEnum);
    const asDomain = source.domains.find((d) => nameKey(d.name) === key);
    if (asDomain) {
      if (asDomain.baseUserType) needType(asDomain.baseUserType, table);
      domains.set(key, asDomain); // after its base: Map keeps insertion order
      return;
    }
    diagnostics.push({
      level: "warning",
      table: table.name,
      message: `type ${displayName(type)} is not an enum or domain and is missing on the target: creating the table may fail`,
    });
  };

  const sequences = new Map<string, Sequence>();
  const identitySequences: Sequence[] = [];
  for (const table of created) {
    for (const column of table.columns) if (column.userType) needType(column.userType, table);
    for (const seqName of table.sequences) {
      const seq = source.sequences.find((s) => nameKey(s.name) === nameKey(seqName));
      if (!seq) continue;
      if (seq.identity) identitySequences.push(seq);
      else if (!onTarget(seqName, target.sequences)) sequences.set(nameKey(seqName), seq);
    }
  }

  const schemas = new Set<string>();
  const objectSchemas = [...created.map((t) => t.name), ...enums.values(), ...domains.values(), ...sequences.values()].map((x) =>
    "schema" in x ? x.schema : x.name.schema,
  );
  for (const schema of objectSchemas) if (!target.schemas.includes(schema)) schemas.add(schema);

  const preData: DdlStatement[] = [
    ...[...schemas].map((schema): DdlStatement => ({ kind: "create-schema", schema })),
    ...[...enums.values()].map((type): DdlStatement => ({ kind: "create-enum", type })),
    ...[...domains.values()].map((type): DdlStatement => ({ kind: "create-domain", type })),
    ...[...sequences.values()].map((sequence): DdlStatement => ({ kind: "create-sequence", sequence })),
    ...byPartitionDepth(created).map((table): DdlStatement => ({ kind: "create-table", table, identitySequences })),
  ];
  return { preData, postData: planPostData(created, sequences, tablesAfterRun, diagnostics), diagnostics };
}

function planPostData(created: readonly Table[], sequences: Map<string, Sequence>, tablesAfterRun: ReadonlySet<string>, diagnostics: Diagnostic[]): DdlStatement[] {
  const keys: DdlStatement[] = [];
  const indexes: DdlStatement[] = [];
  const fks: DdlStatement[] = [];
  for (const table of byPartitionDepth(created)) {
    for (const constraint of table.constraints) {
      if (constraint.kind === "check" && !constraint.definition.endsWith("NOT VALID")) continue; // inline
      if (constraint.kind !== "foreign") {
        keys.push({ kind: "add-constraint", table: table.name, constraint });
      } else if (constraint.references && tablesAfterRun.has(nameKey(constraint.references))) {
        fks.push({ kind: "add-constraint", table: table.name, constraint });
      } else {
        diagnostics.push({
          level: "warning",
          table: table.name,
          message: `foreign key "${constraint.name}" not created: ${constraint.references ? displayName(constraint.references) : "its table"} is neither selected nor on the target`,
        });
      }
    }
    for (const index of table.indexes) {
      const definition = table.partitioned ? indexOnAllPartitions(index.definition) : index.definition;
      indexes.push({ kind: "create-index", table: table.name, name: index.name, definition });
    }
  }
  const owners: DdlStatement[] = [...sequences.values()].flatMap((s) =>
    s.ownedBy && created.some((t) => nameKey(t.name) === nameKey(s.ownedBy!.table))
      ? [{ kind: "sequence-owned-by", sequence: s.name, table: s.ownedBy.table, column: s.ownedBy.column } as const]
      : [],
  );
  return [...keys, ...indexes, ...fks, ...owners];
}

/** Partitioned parents before their partitions. */
function byPartitionDepth(tables: readonly Table[]): Table[] {
  const byKey = new Map(tables.map((t) => [nameKey(t.name), t]));
  const depth = (t: Table): number => {
    const parent = t.partitioning.parent && byKey.get(nameKey(t.partitioning.parent));
    return parent ? 1 + depth(parent) : 0;
  };
  return [...tables].sort((a, b) => depth(a) - depth(b));
}

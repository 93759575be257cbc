/**
 * pg_get_indexdef prints an index of a partitioned table as `CREATE INDEX … ON ONLY parent`
 * (pg_dump then attaches each partition's index). pgferry creates partitions with their parent,
 * so the index is created without ONLY and PostgreSQL builds it on every partition (11+).
 */
import type { Index } from "../model/catalog.js";
import type { QualifiedName } from "../model/qualified-name.js";
import { quoteIdent, quoteQualified } from "../sql/quote.js";

const ON_ONLY = /^(CREATE (?:UNIQUE )?INDEX (?:"(?:[^"]|"")*"|[^\s"]+) ON )ONLY /;

export function indexOnAllPartitions(definition: string): string {
  return definition.replace(ON_ONLY, "$1");
}

/**
 * The same index on another table (a parallel load's shadow table), or null when the definition's
 * tail was not split off at introspection. pg_get_indexdef starts `CREATE UNIQUE INDEX` for a unique one.
 */
export function indexDefinitionOn(index: Index, table: QualifiedName): string | null {
  if (!index.using) return null;
  const unique = index.definition.startsWith("CREATE UNIQUE INDEX ") ? "UNIQUE " : "";
  return `CREATE ${unique}INDEX ${quoteIdent(index.name)} ON ${quoteQualified(table)} ${index.using}`;
}

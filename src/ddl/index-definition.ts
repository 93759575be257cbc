/**
 * pg_get_indexdef prints an index of a partitioned table as `CREATE INDEX … ON ONLY parent`
 * (pg_dump then attaches each partition's index). pgferry creates partitions with their parent,
 * so the index is created without ONLY and PostgreSQL builds it on every partition (11+).
 */
const ON_ONLY = /^(CREATE (?:UNIQUE )?INDEX (?:"(?:[^"]|"")*"|[^\s"]+) ON )ONLY /;

export function indexOnAllPartitions(definition: string): string {
  return definition.replace(ON_ONLY, "$1");
}

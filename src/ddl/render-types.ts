import type { DomainType, EnumType, RangeType } from "../model/catalog.js";
import { quoteIdent, quoteLiteral, quoteQualified } from "../sql/quote.js";

export function renderCreateEnum(type: EnumType): string {
  return `CREATE TYPE ${quoteQualified(type.name)} AS ENUM (${type.labels.map(quoteLiteral).join(", ")})`;
}

export function renderCreateDomain(type: DomainType): string {
  const parts = [`CREATE DOMAIN ${quoteQualified(type.name)} AS ${type.baseType}`];
  if (type.collation) parts.push(`COLLATE ${quoteQualified(type.collation)}`);
  if (type.default !== null) parts.push(`DEFAULT ${type.default}`);
  if (type.notNull) parts.push("NOT NULL");
  for (const check of type.checks) parts.push(`CONSTRAINT ${quoteIdent(check.name)} ${check.definition}`);
  return parts.join(" ");
}

/** CREATE TYPE … AS RANGE with the options pg_dump writes; a range with a canonical function is never planned (C only). */
export function renderCreateRange(type: RangeType): string {
  const options = [`SUBTYPE = ${type.subtype}`];
  if (type.multirange) options.push(`MULTIRANGE_TYPE_NAME = ${quoteQualified({ schema: type.name.schema, name: type.multirange })}`);
  if (type.opclass) options.push(`SUBTYPE_OPCLASS = ${quoteQualified(type.opclass)}`);
  if (type.collation) options.push(`COLLATION = ${quoteQualified(type.collation)}`);
  if (type.subtypeDiff) options.push(`SUBTYPE_DIFF = ${quoteQualified(type.subtypeDiff.name)}`);
  return `CREATE TYPE ${quoteQualified(type.name)} AS RANGE (${options.join(", ")})`;
}

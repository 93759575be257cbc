import type { DomainType, EnumType } from "../model/catalog.js";
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

/**
 * DDL for user collations, text search dictionaries and configurations, operators, operator
 * families and classes, as pg_dump writes them. Pure. Names go through quoteIdent; type names,
 * regoperator/regprocedure texts and dictionary options are the server's own output.
 */
import type { CommentTarget, DdlStatement } from "../model/ddl-statement.js";
import type { Collation, FunctionMember, OperatorClass, OperatorDef, OperatorFamily, OperatorMember, TextSearchConfiguration, TextSearchDictionary } from "../model/schema-objects.js";
import type { QualifiedName } from "../model/qualified-name.js";
import { quoteIdent, quoteLiteral, quoteQualified } from "../sql/quote.js";

export type SchemaObjectStatement = Extract<
  DdlStatement,
  { kind: "create-collation" | "create-operator" | "create-operator-family" | "create-operator-class" | "create-text-search-dictionary" | "create-text-search-configuration" }
>;

const KINDS: ReadonlySet<string> = new Set([
  "create-collation",
  "create-operator",
  "create-operator-family",
  "create-operator-class",
  "create-text-search-dictionary",
  "create-text-search-configuration",
]);

export function isSchemaObjectStatement(statement: DdlStatement): statement is SchemaObjectStatement {
  return KINDS.has(statement.kind);
}

/** The statement as single SQL commands. */
export function renderSchemaObjectCommands(statement: SchemaObjectStatement): string[] {
  switch (statement.kind) {
    case "create-collation":
      return [renderCreateCollation(statement.collation)];
    case "create-operator":
      return [renderCreateOperator(statement.operator)];
    case "create-operator-family":
      return renderCreateOperatorFamily(statement.family);
    case "create-operator-class":
      return [renderCreateOperatorClass(statement.operatorClass)];
    case "create-text-search-dictionary":
      return [renderCreateTextSearchDictionary(statement.dictionary)];
    case "create-text-search-configuration":
      return renderCreateTextSearchConfiguration(statement.configuration);
  }
}

export function renderCreateCollation(collation: Collation): string {
  const options: string[] = [];
  if (collation.provider === "i") options.push("provider = icu", `locale = ${quoteLiteral(collation.locale ?? "")}`);
  else if (collation.provider === "b") options.push("provider = builtin", `locale = ${quoteLiteral(collation.locale ?? "")}`);
  else if (collation.collate === collation.ctype) options.push("provider = libc", `locale = ${quoteLiteral(collation.collate ?? "")}`);
  else options.push("provider = libc", `lc_collate = ${quoteLiteral(collation.collate ?? "")}`, `lc_ctype = ${quoteLiteral(collation.ctype ?? "")}`);
  if (!collation.deterministic) options.push("deterministic = false");
  if (collation.rules !== null) options.push(`rules = ${quoteLiteral(collation.rules)}`);
  return `CREATE COLLATION ${quoteQualified(collation.name)} (${options.join(", ")})`;
}

export function renderCreateOperator(op: OperatorDef): string {
  const options = [
    `FUNCTION = ${quoteQualified(op.function.name)}`,
    op.left !== null ? `LEFTARG = ${op.left}` : null,
    op.right !== null ? `RIGHTARG = ${op.right}` : null,
    op.commutator ? `COMMUTATOR = ${operatorName(op.commutator.name)}` : null,
    op.negator ? `NEGATOR = ${operatorName(op.negator.name)}` : null,
    op.restrict ? `RESTRICT = ${quoteQualified(op.restrict.name)}` : null,
    op.join ? `JOIN = ${quoteQualified(op.join.name)}` : null,
    op.hashes ? "HASHES" : null,
    op.merges ? "MERGES" : null,
  ].filter((o): o is string => o !== null);
  return `CREATE OPERATOR ${quoteIdent(op.name.schema)}.${symbol(op.name.name)} (\n${options.map((o) => `    ${o}`).join(",\n")}\n)`;
}

export function renderCreateOperatorFamily(family: OperatorFamily): string[] {
  const name = `${quoteQualified(family.name)} USING ${quoteIdent(family.method)}`;
  const members = renderMembers(family.operators, family.functions);
  return [`CREATE OPERATOR FAMILY ${name}`, ...(members.length ? [`ALTER OPERATOR FAMILY ${name} ADD\n${members.join(",\n")}`] : [])];
}

export function renderCreateOperatorClass(opclass: OperatorClass): string {
  const items = renderMembers(opclass.operators, opclass.functions);
  if (opclass.storage !== null || !items.length) items.push(`    STORAGE ${opclass.storage ?? opclass.type}`);
  const head = `CREATE OPERATOR CLASS ${quoteQualified(opclass.name)}${opclass.isDefault ? " DEFAULT" : ""} FOR TYPE ${opclass.type}`;
  return `${head} USING ${quoteIdent(opclass.method)} FAMILY ${quoteQualified(opclass.family)} AS\n${items.join(",\n")}`;
}

export function renderCreateTextSearchDictionary(dictionary: TextSearchDictionary): string {
  const options = dictionary.options ? `,\n    ${dictionary.options}` : "";
  return `CREATE TEXT SEARCH DICTIONARY ${quoteQualified(dictionary.name)} (\n    TEMPLATE = ${quoteQualified(dictionary.template.name)}${options}\n)`;
}

export function renderCreateTextSearchConfiguration(configuration: TextSearchConfiguration): string[] {
  const name = quoteQualified(configuration.name);
  return [
    `CREATE TEXT SEARCH CONFIGURATION ${name} (\n    PARSER = ${quoteQualified(configuration.parser.name)}\n)`,
    ...configuration.mappings.map((m) => `ALTER TEXT SEARCH CONFIGURATION ${name}\n    ADD MAPPING FOR ${quoteIdent(m.token)} WITH ${m.dictionaries.map(quoteQualified).join(", ")}`),
  ];
}

/** What COMMENT ON names for one of these objects. */
export function schemaObjectCommentTarget(on: Extract<CommentTarget, { kind: "collation" | "text search dictionary" | "text search configuration" | "operator family" | "operator class" | "operator" }>): string {
  switch (on.kind) {
    case "collation":
      return `COLLATION ${quoteQualified(on.name)}`;
    case "text search dictionary":
      return `TEXT SEARCH DICTIONARY ${quoteQualified(on.name)}`;
    case "text search configuration":
      return `TEXT SEARCH CONFIGURATION ${quoteQualified(on.name)}`;
    case "operator family":
      return `OPERATOR FAMILY ${quoteQualified(on.name)} USING ${quoteIdent(on.method)}`;
    case "operator class":
      return `OPERATOR CLASS ${quoteQualified(on.name)} USING ${quoteIdent(on.method)}`;
    case "operator":
      return `OPERATOR ${quoteIdent(on.operator.name.schema)}.${symbol(on.operator.name.name)} (${on.operator.left ?? "NONE"}, ${on.operator.right ?? "NONE"})`;
  }
}

/** OPERATOR 1 public.<~(text,text) [FOR ORDER BY family], FUNCTION 1 (text, text) public.ci_cmp(text,text). */
function renderMembers(operators: readonly OperatorMember[], functions: readonly FunctionMember[]): string[] {
  return [
    ...operators.map((o) => `    OPERATOR ${integer(o.strategy)} ${o.operator}${o.sortFamily ? ` FOR ORDER BY ${quoteQualified(o.sortFamily)}` : ""}`),
    ...functions.map((f) => `    FUNCTION ${integer(f.number)} (${f.left}, ${f.right}) ${f.function.signature}`),
  ];
}

/** OPERATOR(schema.op), for COMMUTATOR and NEGATOR. */
function operatorName(name: QualifiedName): string {
  return `OPERATOR(${quoteIdent(name.schema)}.${symbol(name.name)})`;
}

/** Operator names are symbols, never quoted: anything else is refused. */
function symbol(name: string): string {
  if (!/^[+\-*/<>=~!@#%^&|`?]+$/.test(name)) throw new Error(`not an operator name: ${JSON.stringify(name)}`);
  return name;
}

function integer(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
  return String(value);
}

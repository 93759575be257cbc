/**
 * User-defined collations, text search dictionaries and configurations, operators, operator
 * families and operator classes (not an extension's, not pg_catalog's), and which tables, views
 * and types use them. SQL fragments here (type names, `regoperator` and `regprocedure` texts,
 * dictionary options) are the server's own output, read with search_path = pg_catalog so every
 * user name in them is schema-qualified.
 */
import type { QualifiedName } from "./qualified-name.js";

/** A function an operator, operator class or family calls. */
export interface SupportFunction {
  readonly name: QualifiedName;
  /** oid::regprocedure, e.g. `public.ci_cmp(text,text)` (pg_catalog's unqualified). */
  readonly signature: string;
  /** FunctionDef.key when it is a user function (created by the function planner); null for built-in and extension functions. */
  readonly key: string | null;
  /** The extension it belongs to, if any. */
  readonly extension: string | null;
  /** pg_language.lanname: a user function in `c` cannot be created by a sync (its library is not ours to install). */
  readonly language: string;
}

export interface Collation {
  readonly name: QualifiedName;
  /** pg_collation.collprovider: c libc, i ICU, b builtin (17+), d default. */
  readonly provider: "c" | "i" | "b" | "d";
  /** The ICU or builtin locale (collcollate before 15, colliculocale 15–16, colllocale 17+). */
  readonly locale: string | null;
  /** libc LC_COLLATE and LC_CTYPE. */
  readonly collate: string | null;
  readonly ctype: string | null;
  readonly deterministic: boolean;
  /** ICU tailoring rules (collicurules, 16+). */
  readonly rules: string | null;
  readonly comment: string | null;
}

/** Where a text search template or parser comes from. */
export interface TextSearchSource {
  readonly name: QualifiedName;
  /** Built into PostgreSQL (pg_catalog): every server has it. */
  readonly builtIn: boolean;
  /** The extension it belongs to (dict_int, unaccent…), or null. */
  readonly extension: string | null;
}

export interface TextSearchDictionary {
  readonly name: QualifiedName;
  readonly template: TextSearchSource;
  /** pg_ts_dict.dictinitoption as the server stores it, e.g. `language = 'english', stopwords = 'english'`. */
  readonly options: string | null;
  readonly comment: string | null;
}

export interface TextSearchConfiguration {
  readonly name: QualifiedName;
  readonly parser: TextSearchSource;
  /** ALTER TEXT SEARCH CONFIGURATION … ADD MAPPING FOR token WITH dictionaries, in token order. */
  readonly mappings: readonly { readonly token: string; readonly dictionaries: readonly QualifiedName[] }[];
  readonly comment: string | null;
}

/** Another operator named by an operator (COMMUTATOR, NEGATOR). */
export interface OperatorRef {
  /** regoperator text (OperatorDef.key). */
  readonly key: string;
  readonly name: QualifiedName;
}

export interface OperatorDef {
  /** oid::regoperator, e.g. `public.=~(text,text)`: how operators are told apart. */
  readonly key: string;
  readonly name: QualifiedName;
  /** format_type of the left and right argument types; null for a prefix operator's left. */
  readonly left: string | null;
  readonly right: string | null;
  readonly function: SupportFunction;
  readonly commutator: OperatorRef | null;
  readonly negator: OperatorRef | null;
  readonly restrict: SupportFunction | null;
  readonly join: SupportFunction | null;
  readonly hashes: boolean;
  readonly merges: boolean;
  readonly comment: string | null;
}

/** An operator in an operator class or family (pg_amop). */
export interface OperatorMember {
  readonly strategy: number;
  /** regoperator text. */
  readonly operator: string;
  readonly left: string;
  readonly right: string;
  /** FOR ORDER BY this btree family (an ordering operator), else a search operator. */
  readonly sortFamily: QualifiedName | null;
}

/** A support function in an operator class or family (pg_amproc). */
export interface FunctionMember {
  readonly number: number;
  readonly left: string;
  readonly right: string;
  readonly function: SupportFunction;
}

export interface OperatorFamily {
  readonly name: QualifiedName;
  /** Access method (btree, hash, gist, gin…). */
  readonly method: string;
  /** Members that belong to the family but to none of its classes (ALTER OPERATOR FAMILY … ADD). */
  readonly operators: readonly OperatorMember[];
  readonly functions: readonly FunctionMember[];
  readonly comment: string | null;
}

export interface OperatorClass {
  readonly name: QualifiedName;
  readonly method: string;
  /** format_type of the indexed type. */
  readonly type: string;
  readonly isDefault: boolean;
  readonly family: QualifiedName;
  /** STORAGE type when it differs from the indexed type. */
  readonly storage: string | null;
  readonly operators: readonly OperatorMember[];
  readonly functions: readonly FunctionMember[];
  readonly comment: string | null;
}

export type SchemaObjectKind = "collation" | "text search dictionary" | "text search configuration" | "operator" | "operator family" | "operator class";

/** An object named by kind and key (schemaObjectKey). */
export interface SchemaObjectRef {
  readonly kind: SchemaObjectKind;
  readonly key: string;
}

/** A table (its columns, defaults, constraints, indexes, triggers), view or type that uses an object. */
export interface SchemaObjectUsage {
  readonly object: SchemaObjectRef;
  readonly user: { readonly kind: "table" | "view" | "type"; readonly name: QualifiedName };
}

export interface SchemaObjects {
  readonly collations: readonly Collation[];
  readonly textSearchDictionaries: readonly TextSearchDictionary[];
  readonly textSearchConfigurations: readonly TextSearchConfiguration[];
  readonly operators: readonly OperatorDef[];
  readonly operatorFamilies: readonly OperatorFamily[];
  readonly operatorClasses: readonly OperatorClass[];
  readonly usages: readonly SchemaObjectUsage[];
  /** The server was built with ICU (it has ICU collations in pg_collation). */
  readonly icu: boolean;
}

/** The key of a collation or text search object (its name), or of an operator family or class (name and access method). */
export function schemaObjectKey(name: QualifiedName, method?: string): string {
  // No NUL separator: keys are stored in snapshot manifests, whose text refuses NUL bytes.
  return JSON.stringify(method === undefined ? [name.schema, name.name] : [name.schema, name.name, method]);
}

export const NO_SCHEMA_OBJECTS: SchemaObjects = {
  collations: [],
  textSearchDictionaries: [],
  textSearchConfigurations: [],
  operators: [],
  operatorFamilies: [],
  operatorClasses: [],
  usages: [],
  icu: false,
};

/** Schema changes a run makes on the target, as data. Rendered to SQL by ddl/render-ddl. */
import type { Aggregate, Column, ColumnStorage, CompositeType, Constraint, DomainType, EnumType, ExtendedStatistics, FunctionDef, Policy, RangeType, Rule, Sequence, Table, Trigger, View } from "./catalog.js";
import type { QualifiedName } from "./qualified-name.js";
import type { Collation, OperatorClass, OperatorDef, OperatorFamily, TextSearchConfiguration, TextSearchDictionary } from "./schema-objects.js";
import type { DefaultAclObjectType, PrivilegeTarget } from "./privileges.js";

/** What a COMMENT ON statement names. */
export type CommentTarget =
  | { readonly kind: "table" | "view" | "materialized-view" | "sequence" | "index" | "type"; readonly name: QualifiedName }
  | { readonly kind: "column"; readonly table: QualifiedName; readonly column: string }
  | { readonly kind: "constraint" | "trigger"; readonly table: QualifiedName; readonly name: string }
  | { readonly kind: "function"; readonly function: FunctionDef }
  | { readonly kind: "schema"; readonly schema: string }
  | { readonly kind: "policy" | "rule"; readonly table: QualifiedName; readonly name: string }
  | { readonly kind: "statistics"; readonly name: QualifiedName }
  | { readonly kind: "collation" | "text search dictionary" | "text search configuration"; readonly name: QualifiedName }
  | { readonly kind: "operator family" | "operator class"; readonly name: QualifiedName; readonly method: string }
  | { readonly kind: "operator"; readonly operator: OperatorDef };

/** What ALTER TABLE ONLY … ALTER COLUMN sets on a created table's column. */
export type ColumnProperty =
  | { readonly kind: "statistics"; readonly target: number }
  | { readonly kind: "storage"; readonly storage: ColumnStorage }
  | { readonly kind: "compression"; readonly method: string }
  | { readonly kind: "not-null" }
  | { readonly kind: "default"; readonly expression: string };

export type DdlStatement =
  | { readonly kind: "create-schema"; readonly schema: string }
  | { readonly kind: "create-extension"; readonly name: string; readonly schema: string }
  | { readonly kind: "create-enum"; readonly type: EnumType }
  | { readonly kind: "create-domain"; readonly type: DomainType }
  | { readonly kind: "create-composite"; readonly type: CompositeType }
  | { readonly kind: "create-range"; readonly type: RangeType }
  | { readonly kind: "create-function"; readonly function: FunctionDef & { readonly definition: string } }
  | { readonly kind: "create-aggregate"; readonly function: FunctionDef & { readonly aggregate: Aggregate } }
  | { readonly kind: "create-sequence"; readonly sequence: Sequence }
  | { readonly kind: "create-table"; readonly table: Table; readonly identitySequences: readonly Sequence[] }
  | { readonly kind: "add-column"; readonly table: QualifiedName; readonly column: Column }
  | { readonly kind: "add-constraint"; readonly table: QualifiedName; readonly constraint: Constraint }
  | { readonly kind: "drop-constraint"; readonly table: QualifiedName; readonly name: string }
  | { readonly kind: "create-index"; readonly table: QualifiedName; readonly name: string; readonly definition: string }
  /** An index of `table` (so in its schema) that does not back a constraint. */
  | { readonly kind: "drop-index"; readonly table: QualifiedName; readonly name: string }
  | { readonly kind: "cluster-on"; readonly table: QualifiedName; readonly index: string }
  | { readonly kind: "replica-identity-index"; readonly table: QualifiedName; readonly index: string }
  /** ALTER INDEX … ALTER COLUMN n SET STATISTICS t (an index of `table`, so in its schema). */
  | { readonly kind: "index-statistics"; readonly table: QualifiedName; readonly index: string; readonly column: number; readonly target: number }
  | { readonly kind: "sequence-owned-by"; readonly sequence: QualifiedName; readonly table: QualifiedName; readonly column: string }
  | { readonly kind: "defer-constraint"; readonly table: QualifiedName; readonly name: string }
  | { readonly kind: "create-view"; readonly view: View }
  | { readonly kind: "refresh-materialized-view"; readonly name: QualifiedName }
  | { readonly kind: "create-trigger"; readonly table: QualifiedName; readonly trigger: Trigger }
  | { readonly kind: "comment"; readonly on: CommentTarget; readonly text: string }
  /** Move a table (a parallel load's shadow table, with its indexes and constraints) into its schema. */
  | { readonly kind: "set-schema"; readonly table: QualifiedName; readonly schema: string }
  | { readonly kind: "set-default"; readonly table: QualifiedName; readonly column: string; readonly expression: string }
  | {
      readonly kind: "add-identity";
      readonly table: QualifiedName;
      readonly column: string;
      readonly identity: "always" | "by default";
      readonly sequence: Sequence | null;
    }
  | { readonly kind: "column-property"; readonly table: QualifiedName; readonly column: string; readonly property: ColumnProperty }
  | { readonly kind: "replica-identity"; readonly table: QualifiedName; readonly identity: "full" | "nothing" }
  | { readonly kind: "row-security"; readonly table: QualifiedName; readonly action: "enable" | "force" }
  | { readonly kind: "create-policy"; readonly table: QualifiedName; readonly policy: Policy }
  | { readonly kind: "create-rule"; readonly table: QualifiedName; readonly rule: Rule }
  /** ALTER TABLE … DISABLE RULE / ENABLE REPLICA RULE / ENABLE ALWAYS RULE. */
  | { readonly kind: "rule-enabled"; readonly table: QualifiedName; readonly name: string; readonly enabled: "D" | "R" | "A" }
  | { readonly kind: "create-statistics"; readonly statistics: ExtendedStatistics }
  | { readonly kind: "statistics-target"; readonly name: QualifiedName; readonly target: number }
  | { readonly kind: "create-collation"; readonly collation: Collation }
  | { readonly kind: "create-operator"; readonly operator: OperatorDef }
  /** CREATE OPERATOR FAMILY, then ALTER OPERATOR FAMILY … ADD its members that belong to no class. */
  | { readonly kind: "create-operator-family"; readonly family: OperatorFamily }
  | { readonly kind: "create-operator-class"; readonly operatorClass: OperatorClass }
  | { readonly kind: "create-text-search-dictionary"; readonly dictionary: TextSearchDictionary }
  /** CREATE TEXT SEARCH CONFIGURATION, then one ALTER … ADD MAPPING per token type. */
  | { readonly kind: "create-text-search-configuration"; readonly configuration: TextSearchConfiguration }
  /** ALTER … OWNER TO (--privileges). */
  | { readonly kind: "set-owner"; readonly object: PrivilegeTarget; readonly owner: string }
  /** GRANT privileges ON object (or on one of its columns) TO grantee (null: PUBLIC). */
  | { readonly kind: "grant"; readonly object: PrivilegeTarget; readonly column: string | null; readonly privileges: readonly string[]; readonly grantee: string | null; readonly grantOption: boolean }
  /** REVOKE [GRANT OPTION FOR] privileges ON object (or one of its columns) FROM grantee (null: PUBLIC). */
  | { readonly kind: "revoke"; readonly object: PrivilegeTarget; readonly column: string | null; readonly privileges: readonly string[]; readonly grantee: string | null; readonly grantOptionOnly: boolean }
  /** ALTER DEFAULT PRIVILEGES FOR ROLE role IN SCHEMA schema GRANT … */
  | { readonly kind: "grant-default"; readonly role: string; readonly schema: string; readonly objectType: DefaultAclObjectType; readonly privileges: readonly string[]; readonly grantee: string | null; readonly grantOption: boolean }
  /** ALTER DEFAULT PRIVILEGES FOR ROLE role IN SCHEMA schema REVOKE … */
  | { readonly kind: "revoke-default"; readonly role: string; readonly schema: string; readonly objectType: DefaultAclObjectType; readonly privileges: readonly string[]; readonly grantee: string | null; readonly grantOptionOnly: boolean };

/** Schema changes a run makes on the target, as data. Rendered to SQL by ddl/render-ddl. */
import type { Constraint, DomainType, EnumType, Sequence, Table } from "./catalog.js";
import type { QualifiedName } from "./qualified-name.js";

export type DdlStatement =
  | { readonly kind: "create-schema"; readonly schema: string }
  | { readonly kind: "create-enum"; readonly type: EnumType }
  | { readonly kind: "create-domain"; readonly type: DomainType }
  | { readonly kind: "create-sequence"; readonly sequence: Sequence }
  | { readonly kind: "create-table"; readonly table: Table; readonly identitySequences: readonly Sequence[] }
  | { readonly kind: "add-constraint"; readonly table: QualifiedName; readonly constraint: Constraint }
  | { readonly kind: "drop-constraint"; readonly table: QualifiedName; readonly name: string }
  | { readonly kind: "create-index"; readonly table: QualifiedName; readonly name: string; readonly definition: string }
  | { readonly kind: "sequence-owned-by"; readonly sequence: QualifiedName; readonly table: QualifiedName; readonly column: string }
  | { readonly kind: "defer-constraint"; readonly table: QualifiedName; readonly name: string };

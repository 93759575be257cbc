/**
 * User types the created tables and added columns need and the target lacks: enums, domains,
 * composite and range types, each after the types it is built from. Pure.
 */
import type { Catalog } from "../model/catalog.js";
import type { DdlStatement } from "../model/ddl-statement.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";

export interface TypeNeed {
  readonly type: QualifiedName;
  /** The table whose column needs it, for messages. */
  readonly table: QualifiedName;
}

export function planCreatedTypes(needs: readonly TypeNeed[], source: Catalog, target: Catalog, diagnostics: Diagnostic[]): DdlStatement[] {
  const onTarget = new Set([...target.enums, ...target.domains, ...target.composites, ...(target.ranges ?? [])].map((t) => nameKey(t.name)));
  const planned = new Map<string, DdlStatement>(); // insertion order = creation order
  const visiting = new Set<string>();

  const refused = new Set<string>(); // one line per type, naming its first user
  const need = (type: QualifiedName, table: QualifiedName): void => {
    const key = nameKey(type);
    if (planned.has(key) || onTarget.has(key) || visiting.has(key) || refused.has(key)) return;
    visiting.add(key);
    const asEnum = source.enums.find((e) => nameKey(e.name) === key);
    const asDomain = source.domains.find((d) => nameKey(d.name) === key);
    const asComposite = source.composites.find((c) => nameKey(c.name) === key);
    const asRange = (source.ranges ?? []).find((r) => nameKey(r.name) === key);
    if (asEnum) planned.set(key, { kind: "create-enum", type: asEnum });
    else if (asDomain) {
      if (asDomain.baseUserType) need(asDomain.baseUserType, table);
      planned.set(key, { kind: "create-domain", type: asDomain });
    } else if (asComposite) {
      for (const attribute of asComposite.attributes) if (attribute.userType) need(attribute.userType, table);
      planned.set(key, { kind: "create-composite", type: asComposite });
    } else if (asRange && asRange.canonical === null) {
      if (asRange.subtypeUserType) need(asRange.subtypeUserType, table);
      planned.set(key, { kind: "create-range", type: asRange });
    } else {
      // A base type, or a range with a canonical function: both need C code pgferry does not install.
      refused.add(key);
      diagnostics.push({
        level: "error",
        table,
        message: `type ${displayName(type)} is missing on the target and pgferry cannot create it (${asRange ? `its canonical function ${asRange.canonical} is written in C` : "a base type, written in C"}): create it there first`,
      });
    }
    visiting.delete(key);
  };
  for (const { type, table } of needs) need(type, table);
  return [...planned.values()];
}

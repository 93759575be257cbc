/** A schema-qualified object name, exactly as stored in pg_catalog (unquoted, case preserved). */
export interface QualifiedName {
  readonly schema: string;
  readonly name: string;
}

export function qualifiedName(schema: string, name: string): QualifiedName {
  return Object.freeze({ schema, name });
}

/** A human-readable form for reports and messages: quoted only where PostgreSQL would need it. */
export function displayName(q: QualifiedName): string {
  return `${displayPart(q.schema)}.${displayPart(q.name)}`;
}

function displayPart(part: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(part) ? part : `"${part.replace(/"/g, '""')}"`;
}

export function sameName(a: QualifiedName, b: QualifiedName): boolean {
  return a.schema === b.schema && a.name === b.name;
}

/** A stable map key for a name; never used in SQL. */
export function nameKey(q: QualifiedName): string {
  return `${q.schema}\u0000${q.name}`;
}

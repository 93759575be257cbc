/**
 * Snapshot folders are named `<UTC timestamp>_<environment>` (e.g. 20261123T214300Z_production),
 * so names sort by time. Pure.
 */
export function snapshotName(at: Date, environment: string): string {
  const stamp = at.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
  return `${stamp}_${environment.replace(/[^A-Za-z0-9.-]/g, "-")}`;
}

export interface ParsedSnapshotName {
  readonly name: string;
  readonly createdAt: Date;
  readonly environment: string;
}

export function parseSnapshotName(name: string): ParsedSnapshotName | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z_(.+)$/.exec(name);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, environment] = match;
  return { name, createdAt: new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`), environment: environment! };
}

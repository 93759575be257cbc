/**
 * Snapshot folders are named `<UTC timestamp, ms>-<random>_<environment>` (e.g.
 * 20261123T214300.123Z-3fa9c2_production), so names sort by time and two dumps started in the
 * same millisecond still get two folders. Names of the older form `20261123T214300Z_production`
 * are still read.
 */
import { randomBytes } from "node:crypto";

export function snapshotName(at: Date, environment: string): string {
  const stamp = at.toISOString().replace(/[-:]/g, "");
  return `${stamp}-${randomBytes(3).toString("hex")}_${environment.replace(/[^A-Za-z0-9.-]/g, "-")}`;
}

export interface ParsedSnapshotName {
  readonly name: string;
  readonly createdAt: Date;
  readonly environment: string;
}

export function parseSnapshotName(name: string): ParsedSnapshotName | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:\.(\d{3})Z-[0-9a-f]{6}|Z)_(.+)$/.exec(name);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, ms, environment] = match;
  return { name, createdAt: new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms ?? "000"}Z`), environment: environment! };
}

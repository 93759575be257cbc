/** The snapshots in a store: folders with a manifest, newest first; and which ones to prune. */
import { StorageError } from "../errors.js";
import type { ObjectStore } from "../storage/object-store.js";
import { MANIFEST_FILE } from "./manifest.js";
import { parseSnapshotName, type ParsedSnapshotName } from "./snapshot-names.js";

export interface SnapshotEntry extends ParsedSnapshotName {
  /** Bytes of every object in the snapshot folder, manifest included. */
  readonly bytes: number;
  readonly objects: number;
  /** Data files (one per table). */
  readonly tables: number;
  readonly complete: boolean;
}

export async function listSnapshots(store: ObjectStore): Promise<SnapshotEntry[]> {
  const folders = new Map<string, { bytes: number; objects: number; tables: number; complete: boolean }>();
  for await (const object of store.list("")) {
    const [folder, ...rest] = object.key.split("/");
    if (!folder || rest.length === 0 || !parseSnapshotName(folder)) continue;
    const entry = folders.get(folder) ?? { bytes: 0, objects: 0, tables: 0, complete: false };
    entry.bytes += object.size;
    entry.objects += 1;
    if (rest[0] === "data") entry.tables += 1;
    if (rest.join("/") === MANIFEST_FILE) entry.complete = true;
    folders.set(folder, entry);
  }
  return [...folders.entries()]
    .map(([name, e]) => ({ ...parseSnapshotName(name)!, ...e }))
    .sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

/** `latest` (optionally of one environment), or an exact name; only complete snapshots count. */
export async function resolveSnapshot(store: ObjectStore, wanted: string, environment?: string): Promise<string> {
  const all = (await listSnapshots(store)).filter((s) => s.complete);
  if (wanted === "latest") {
    const latest = all.find((s) => !environment || s.environment === environment);
    if (!latest) throw new StorageError(`no snapshot${environment ? ` of ${environment}` : ""} in ${store.label}`);
    return latest.name;
  }
  if (!all.some((s) => s.name === wanted)) {
    throw new StorageError(`snapshot ${wanted} is not in ${store.label} (or has no manifest: an interrupted dump)`);
  }
  return wanted;
}

export interface PruneRule {
  /** Max age: snapshots older than this many days go, whatever the keep rules say. */
  readonly retainDays?: number;
  /** Keep the newest N (per environment). */
  readonly keep?: number;
  /** Keep the newest snapshot of each of the newest N days (UTC) that have one. */
  readonly keepDaily?: number;
  /** …of each of the newest N ISO weeks that have one. */
  readonly keepWeekly?: number;
  /** …of each of the newest N calendar months (UTC) that have one. */
  readonly keepMonthly?: number;
}

/** A snapshot a prune removes, and why (for the plan it prints). */
export interface PrunableSnapshot extends SnapshotEntry {
  readonly reason: string;
}

/**
 * Pure: the snapshots a prune removes, per environment, newest complete one always kept.
 * - `retainDays` is a maximum age (the 30-day lifecycle): an older snapshot goes.
 * - The keep rules (`keep`, `keepDaily`, `keepWeekly`, `keepMonthly`), when any is given, keep a
 *   snapshot that one of them keeps (the newest N; the newest of each of the newest N days, ISO
 *   weeks or months that have a snapshot, as restic and sanoid count them); the others go.
 * Incomplete folders (interrupted dumps) older than a day go too.
 */
export function choosePrunable(snapshots: readonly SnapshotEntry[], rule: PruneRule, now: Date): PrunableSnapshot[] {
  const dayMs = 24 * 3600 * 1000;
  const byEnvironment = new Map<string, SnapshotEntry[]>();
  for (const s of snapshots) byEnvironment.set(s.environment, [...(byEnvironment.get(s.environment) ?? []), s]);
  const keepRules = describeKeepRules(rule);
  const doomed: PrunableSnapshot[] = [];
  for (const [environment, list] of byEnvironment) {
    const complete = list.filter((s) => s.complete); // newest first
    const kept = keptByRules(complete, rule);
    complete.forEach((s, index) => {
      if (index === 0) return;
      const reasons: string[] = [];
      if (rule.retainDays !== undefined && now.getTime() - s.createdAt.getTime() > rule.retainDays * dayMs) reasons.push(`older than ${rule.retainDays} day(s)`);
      if (kept && !kept.has(s.name)) {
        reasons.push(keepRules.length === 1 && rule.keep !== undefined ? `beyond the newest ${rule.keep} of ${environment}` : `kept by no rule (${keepRules.join(", ")}) of ${environment}`);
      }
      if (reasons.length) doomed.push({ ...s, reason: reasons.join(", ") });
    });
    doomed.push(...list.filter((s) => !s.complete && now.getTime() - s.createdAt.getTime() > dayMs).map((s) => ({ ...s, reason: "interrupted dump (no manifest), older than a day" })));
  }
  return doomed;
}

/** The keep rules given, as the plan names them. */
export function describeKeepRules(rule: PruneRule): string[] {
  return [
    rule.keep !== undefined ? `newest ${rule.keep}` : "",
    rule.keepDaily !== undefined ? `${rule.keepDaily} daily` : "",
    rule.keepWeekly !== undefined ? `${rule.keepWeekly} weekly` : "",
    rule.keepMonthly !== undefined ? `${rule.keepMonthly} monthly` : "",
  ].filter(Boolean);
}

/** Names the keep rules keep among one environment's complete snapshots (newest first); null: no keep rule given. */
function keptByRules(newestFirst: readonly SnapshotEntry[], rule: PruneRule): Set<string> | null {
  if (describeKeepRules(rule).length === 0) return null;
  const kept = new Set(newestFirst.slice(0, rule.keep ?? 0).map((s) => s.name));
  const newestPerPeriod = (count: number | undefined, period: (d: Date) => string) => {
    if (count === undefined) return;
    const seen = new Set<string>();
    for (const s of newestFirst) {
      const key = period(s.createdAt);
      if (seen.has(key)) continue;
      if (seen.size === count) break;
      seen.add(key);
      kept.add(s.name);
    }
  };
  newestPerPeriod(rule.keepDaily, (d) => d.toISOString().slice(0, 10));
  newestPerPeriod(rule.keepWeekly, isoWeek);
  newestPerPeriod(rule.keepMonthly, (d) => d.toISOString().slice(0, 7));
  return kept;
}

/** ISO 8601 week of a UTC date, e.g. 2026-W49 (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

export async function deleteSnapshot(store: ObjectStore, name: string): Promise<void> {
  const keys: string[] = [];
  for await (const object of store.list(`${name}/`)) keys.push(object.key);
  // The manifest first: a half-deleted snapshot is then an incomplete one, never a corrupt "complete" one.
  const manifest = `${name}/${MANIFEST_FILE}`;
  if (keys.includes(manifest)) await store.delete([manifest]);
  await store.delete(keys.filter((k) => k !== manifest));
}

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
  /** Keep snapshots younger than this many days. */
  readonly retainDays?: number;
  /** Keep the newest N (per environment). */
  readonly keep?: number;
}

/** A snapshot a prune removes, and why (for the plan it prints). */
export interface PrunableSnapshot extends SnapshotEntry {
  readonly reason: string;
}

/**
 * Pure: the snapshots a prune removes. Per environment, a snapshot goes when it is older than
 * retainDays or beyond the newest `keep` (whichever rules are given); the newest complete one is
 * always kept. Incomplete folders (interrupted dumps) older than a day go too.
 */
export function choosePrunable(snapshots: readonly SnapshotEntry[], rule: PruneRule, now: Date): PrunableSnapshot[] {
  const dayMs = 24 * 3600 * 1000;
  const byEnvironment = new Map<string, SnapshotEntry[]>();
  for (const s of snapshots) byEnvironment.set(s.environment, [...(byEnvironment.get(s.environment) ?? []), s]);
  const doomed: PrunableSnapshot[] = [];
  for (const [environment, list] of byEnvironment) {
    const complete = list.filter((s) => s.complete); // newest first
    complete.forEach((s, index) => {
      if (index === 0) return;
      const reasons: string[] = [];
      if (rule.retainDays !== undefined && now.getTime() - s.createdAt.getTime() > rule.retainDays * dayMs) reasons.push(`older than ${rule.retainDays} day(s)`);
      if (rule.keep !== undefined && index >= rule.keep) reasons.push(`beyond the newest ${rule.keep} of ${environment}`);
      if (reasons.length) doomed.push({ ...s, reason: reasons.join(", ") });
    });
    doomed.push(...list.filter((s) => !s.complete && now.getTime() - s.createdAt.getTime() > dayMs).map((s) => ({ ...s, reason: "interrupted dump (no manifest), older than a day" })));
  }
  return doomed;
}

export async function deleteSnapshot(store: ObjectStore, name: string): Promise<void> {
  const keys: string[] = [];
  for await (const object of store.list(`${name}/`)) keys.push(object.key);
  // The manifest first: a half-deleted snapshot is then an incomplete one, never a corrupt "complete" one.
  const manifest = `${name}/${MANIFEST_FILE}`;
  if (keys.includes(manifest)) await store.delete([manifest]);
  await store.delete(keys.filter((k) => k !== manifest));
}

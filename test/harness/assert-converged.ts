/**
 * The issue 14 oracle ("push twice, the second is empty"): after a sync, `pgferry diff` of the
 * same selection finds no drift, and a second `--dry-run` sync plans no schema change besides
 * the refresh path's drop and rebuild of the target's own keys and indexes.
 */
import assert from "node:assert/strict";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { describeDdl } from "../../src/ddl/render-ddl.js";
import { runDiff } from "../../src/execute/run-diff.js";
import type { DdlStatement } from "../../src/model/ddl-statement.js";
import type { SyncPlan } from "../../src/model/plan.js";
import type { SchemaDiff } from "../../src/model/schema-diff.js";
import { syncPair, type QuickSync } from "./sync-helpers.js";
import type { DatabasePair } from "./test-databases.js";

export interface ConvergedOptions {
  /** Drift items (`kind owner[ name]: change`) a test documents as expected (what pgferry does not carry). */
  readonly expectedDrift?: readonly string[];
  /** Compare owners and grants too (`diff --privileges`), and plan the second run with `--privileges`. */
  readonly privileges?: boolean;
}

/** One line per drift item, as tests compare them. */
export function driftLines(diff: SchemaDiff): string[] {
  return diff.items.map((i) => `${i.kind} ${i.owner.schema}.${i.owner.name}${i.name === null ? "" : ` ${i.name}`}: ${i.change}${i.details.length ? ` (${i.details.join("; ")})` : ""}`);
}

export async function assertConverged(pair: Pick<DatabasePair, "sourceUrl" | "targetUrl">, sync: QuickSync = {}, options: ConvergedOptions = {}): Promise<void> {
  const config = configSchema.parse({});
  const diff = await runDiff({
    source: resolveEndpoint(pair.sourceUrl, "source", config),
    target: resolveEndpoint(pair.targetUrl, "target", config),
    include: sync.include ?? [],
    exclude: sync.exclude ?? [],
    ...(options.privileges ? { privileges: { roles: {} } } : {}),
  });
  assert.deepEqual(driftLines(diff), [...(options.expectedDrift ?? [])], "pgferry diff right after the sync finds no drift");

  const { plan } = await syncPair(pair, { ...sync, ...(options.privileges ? { privileges: { roles: {} } } : {}), dryRun: true });
  assert.deepEqual(plan.diagnostics.filter((d) => d.level === "error").map((d) => d.message), [], "the second run is not refused");
  const ddl = [...plan.preData, ...plan.postData].filter((s) => !rebuildsTargetObject(s, plan)).map(describeDdl);
  assert.deepEqual(ddl, [], "a second sync plans no schema change");
}

/**
 * The refresh path drops the target's own keys, indexes and FKs (also those on partitions and
 * tables pointing at a refreshed one) and rebuilds them with their properties and comments:
 * a drop matched by its rebuild, and what is restored on a dropped object, is no schema change.
 */
function rebuildsTargetObject(statement: DdlStatement, plan: SyncPlan): boolean {
  const all = [...plan.preData, ...plan.postData];
  const dropped = new Set(
    all.flatMap((s) => (s.kind === "drop-constraint" || s.kind === "drop-index" ? [`${s.table.schema}\u0000${s.name}`] : [])),
  );
  const rebuilt = new Set(
    all.flatMap((s) =>
      s.kind === "add-constraint" ? [`${s.table.schema}\u0000${s.constraint.name}`] : s.kind === "create-index" ? [`${s.table.schema}\u0000${s.name}`] : [],
    ),
  );
  const key = (schema: string, name: string) => `${schema}\u0000${name}`;
  const both = (k: string) => dropped.has(k) && rebuilt.has(k);
  switch (statement.kind) {
    case "drop-constraint":
    case "drop-index":
      return both(key(statement.table.schema, statement.name));
    case "add-constraint":
      return both(key(statement.table.schema, statement.constraint.name));
    case "create-index":
      return both(key(statement.table.schema, statement.name));
    case "cluster-on":
    case "replica-identity-index":
    case "index-statistics":
      return both(key(statement.table.schema, statement.index));
    case "comment":
      if (statement.on.kind === "constraint") return both(key(statement.on.table.schema, statement.on.name));
      if (statement.on.kind === "index") return both(key(statement.on.name.schema, statement.on.name.name));
      return false;
    case "defer-constraint":
      // SET CONSTRAINTS … DEFERRED: a refreshed FK cycle, no schema change.
      return true;
    default:
      return false;
  }
}

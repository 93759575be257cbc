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
import { nameKey, type QualifiedName } from "../../src/model/qualified-name.js";
import type { SchemaDiff } from "../../src/model/schema-diff.js";
import { syncPair, type QuickSync } from "./sync-helpers.js";
import type { DatabasePair } from "./test-databases.js";

export interface ConvergedOptions {
  /** Drift items (`kind owner[ name]: change`) a test documents as expected (what pgferry does not carry). */
  readonly expectedDrift?: readonly string[];
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
  });
  assert.deepEqual(driftLines(diff), [...(options.expectedDrift ?? [])], "pgferry diff right after the sync finds no drift");

  const { plan } = await syncPair(pair, { ...sync, dryRun: true });
  assert.deepEqual(plan.diagnostics.filter((d) => d.level === "error").map((d) => d.message), [], "the second run is not refused");
  const ddl = [...plan.preData, ...plan.postData].filter((s) => !rebuildsTargetObject(s, plan)).map(describeDdl);
  assert.deepEqual(ddl, [], "a second sync plans no schema change");
}

const REBUILD_KINDS = new Set<DdlStatement["kind"]>(["drop-constraint", "drop-index", "add-constraint", "create-index", "index-statistics", "cluster-on", "replica-identity-index"]);

/** The refresh path drops and rebuilds a refreshed table's own keys, indexes and FKs (with their properties and comments). */
function rebuildsTargetObject(statement: DdlStatement, plan: SyncPlan): boolean {
  const refreshed = plan.actions.filter((a) => a.kind === "refresh");
  const isRefreshed = (table: QualifiedName) => refreshed.some((a) => nameKey(a.table) === nameKey(table));
  if (REBUILD_KINDS.has(statement.kind) && "table" in statement && "schema" in statement.table) return isRefreshed(statement.table);
  if (statement.kind !== "comment") return false;
  const on = statement.on;
  if (on.kind === "constraint") return isRefreshed(on.table);
  if (on.kind !== "index") return false;
  return refreshed.some(
    (a) => a.table.schema === on.name.schema && (a.source.indexes.some((i) => i.name === on.name.name) || a.source.constraints.some((c) => c.name === on.name.name)),
  );
}

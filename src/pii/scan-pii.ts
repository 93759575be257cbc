/**
 * `pgferry pii scan`: the selected source tables' columns that look like personal data and have
 * no transform. Names first; then the text columns whose names say nothing are sampled (the
 * first rows of each table, in the read-only source snapshot) and matched against value
 * patterns. Only the pattern and its match rate come out of a sample, never a value.
 */
import type { Endpoint } from "../config/resolve-endpoint.js";
import { openSourceSnapshot } from "../execute/source-snapshot.js";
import { introspectCatalog } from "../introspect/introspect-catalog.js";
import type { Table } from "../model/catalog.js";
import { displayName, nameKey } from "../model/qualified-name.js";
import { resolveTransforms } from "../plan/plan-transforms.js";
import { selectTables, type Selection } from "../plan/select-tables.js";
import { tableSettingsLookup, type TableSettings } from "../plan/table-settings.js";
import type { SqlSession } from "../pg/session.js";
import { quoteIdent, quoteRelation } from "../sql/quote.js";
import { classifyColumn } from "../transform/column-type-class.js";
import type { TransformRule } from "../transform/transform-spec.js";
import { categoryOfPattern, judgeValues, suggestKind, type PiiCategory, type ValuePattern } from "./pii-detect.js";
import { uncoveredByName } from "./uncovered-columns.js";

export const DEFAULT_SAMPLE_ROWS = 1000;

export interface PiiScanOptions {
  readonly source: Endpoint;
  readonly selection: Selection;
  readonly tables: Readonly<Record<string, TableSettings>>;
  readonly rules: readonly TransformRule[];
  /** Rows read per table for the value patterns; 0 checks names only. */
  readonly sampleRows: number;
  readonly lockTimeoutSeconds: number;
  readonly onRetry?: (message: string) => void;
}

export interface PiiFinding {
  readonly table: string;
  readonly column: string;
  readonly type: string;
  readonly category: PiiCategory;
  /** `name`: the column's name; `values`: `rate` of the sampled non-null values matched `pattern`. */
  readonly reason: "name" | "values";
  readonly pattern?: ValuePattern;
  readonly rate?: number;
  readonly suggested: string;
}

export interface PiiScanResult {
  readonly tables: number;
  readonly sampleRows: number;
  readonly columns: readonly PiiFinding[];
}

export async function scanPii(options: PiiScanOptions): Promise<PiiScanResult> {
  const source = await openSourceSnapshot(options.source.url, { lockTimeoutSeconds: options.lockTimeoutSeconds, ...(options.onRetry ? { onRetry: options.onRetry } : {}) });
  try {
    const catalog = await introspectCatalog(source.owner);
    const selected = selectTables(catalog, options.selection);
    const byKey = new Map(selected.tables.map((t) => [nameKey(t.name), t]));
    // Partitions are read through their selected parent, as a sync reads them.
    const read = selected.tables.filter((t) => !t.partitioning.parent || !byKey.has(nameKey(t.partitioning.parent)));
    const settingsFor = tableSettingsLookup(options.tables);
    const resolved = resolveTransforms(catalog.tables, (name) => settingsFor(name).transform ?? {}, { rules: options.rules, secret: true }, new Set());
    const findings: PiiFinding[] = uncoveredByName(read, resolved.covered).map((u) => ({
      table: displayName(u.table.name),
      column: u.column,
      type: u.type,
      category: u.category,
      reason: "name",
      suggested: u.suggested,
    }));
    if (options.sampleRows > 0) {
      for (const table of read) {
        const covered = resolved.covered.get(nameKey(table.name));
        const named = new Set(findings.filter((f) => f.table === displayName(table.name)).map((f) => f.column));
        const candidates = table.columns.filter((c) => !covered?.has(c.name) && !named.has(c.name) && !c.generated && sampleable(c));
        if (candidates.length === 0) continue;
        findings.push(...(await sampleTable(source.owner, table, candidates, options.sampleRows)));
      }
    }
    const order = new Map(read.map((t, i) => [displayName(t.name), i]));
    const position = (f: PiiFinding) => read[order.get(f.table)!]!.columns.findIndex((c) => c.name === f.column);
    findings.sort((a, b) => order.get(a.table)! - order.get(b.table)! || position(a) - position(b));
    return { tables: read.length, sampleRows: options.sampleRows, columns: findings };
  } finally {
    await source.close();
  }
}

/** Text columns (and inet/cidr, which hold IP addresses); not arrays. */
function sampleable(column: Table["columns"][number]): boolean {
  return classifyColumn(column) === "text" || column.type === "inet" || column.type === "cidr";
}

async function sampleTable(session: SqlSession, table: Table, columns: Table["columns"], rows: number): Promise<PiiFinding[]> {
  // Each value cut to 300 characters: no pattern matches a longer one, and a wide column stays cheap.
  const list = columns.map((c, i) => `left(${quoteIdent(c.name)}::text, 300) AS ${quoteIdent(`c${i}`)}`).join(", ");
  const sampled = await session.query<Record<string, string | null>>(`SELECT ${list} FROM ${quoteRelation(table.name, false)} LIMIT $1`, [rows]);
  const findings: PiiFinding[] = [];
  columns.forEach((column, i) => {
    const verdict = judgeValues(sampled.map((r) => r[`c${i}`] ?? null));
    if (!verdict) return;
    const category = categoryOfPattern(verdict.pattern);
    findings.push({
      table: displayName(table.name),
      column: column.name,
      type: column.type,
      category,
      reason: "values",
      pattern: verdict.pattern,
      rate: Math.round(verdict.rate * 100) / 100,
      suggested: suggestKind(category, column),
    });
  });
  return findings;
}

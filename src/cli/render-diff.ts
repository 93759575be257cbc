/** The text and JSON views of a schema diff. */
import { displayName } from "../model/qualified-name.js";
import type { DriftItem, MigrationVersion, SchemaDiff } from "../model/schema-diff.js";
import { renderTextTable } from "./render-table.js";

export function renderDiff(diff: SchemaDiff, sourceLabel: string, targetLabel: string): string {
  const lines = [`Source: ${sourceLabel}`, `Target: ${targetLabel}`, ""];
  if (diff.items.length === 0) lines.push("No difference in tables, columns, constraints, indexes, sequences, enums or domains.");
  else {
    const rows = diff.items.map((i) => [i.kind, objectName(i), describeChange(i)]);
    lines.push(renderTextTable(["object", "name", "difference (source → target)"], rows));
    lines.push("", `${diff.items.length} difference${diff.items.length > 1 ? "s" : ""}.`);
  }
  const migrations = [...diff.migrations.source.map((m) => migrationLine("source", m)), ...diff.migrations.target.map((m) => migrationLine("target", m))];
  if (migrations.length) lines.push("", "Migrations:", ...migrations);
  if (diff.notes.length) lines.push("", ...diff.notes.map((n) => `Note: ${n}.`));
  return lines.join("\n");
}

export function diffJson(diff: SchemaDiff, sourceLabel: string, targetLabel: string): object {
  const json = (m: MigrationVersion) => ({ ...m, table: displayName(m.table) });
  return {
    source: sourceLabel,
    target: targetLabel,
    identical: diff.items.length === 0,
    notes: diff.notes,
    differences: diff.items.map((i) => ({ kind: i.kind, owner: displayName(i.owner), name: i.name, change: i.change, details: i.details })),
    migrations: { source: diff.migrations.source.map(json), target: diff.migrations.target.map(json) },
  };
}

function objectName(item: DriftItem): string {
  if (item.kind === "function") return `${displayName(item.owner)}(${item.name ?? ""})`;
  if (item.kind === "schema") return item.owner.schema;
  if (item.kind === "operator") return `${item.owner.schema}.${item.owner.name}(${item.name ?? ""})`;
  if (item.kind === "operator class" || item.kind === "operator family") return `${displayName(item.owner)} ${item.name ?? ""}`;
  return item.name === null ? displayName(item.owner) : `${displayName(item.owner)}.${item.name}`;
}

function describeChange(item: DriftItem): string {
  const where = item.change === "only-source" ? "only on the source" : item.change === "only-target" ? "only on the target" : "";
  return [where, ...item.details].filter(Boolean).join("; ");
}

function migrationLine(side: "source" | "target", m: MigrationVersion): string {
  const state = m.problem ?? (m.version === null ? "no migration applied" : `latest ${m.version} (${m.applied} applied)`);
  return `  ${side}: ${m.tool} (${displayName(m.table)}): ${state}`;
}

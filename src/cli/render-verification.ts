/** `snapshots verify` / `restore --verify-only`: one line per data file, then the verdict. */
import type { SnapshotVerification } from "../archive/verify-snapshot.js";
import { formatBytes, formatCount } from "./format-units.js";
import { renderTextTable } from "./render-table.js";

export function renderVerification(result: SnapshotVerification, storeLabel: string): string {
  const rows = result.files.map((f) => [f.problem === null ? "ok" : "FAILED", f.table, f.file, formatBytes(f.storedBytes), f.rows === null ? "" : formatCount(f.rows), f.problem ?? ""]);
  const failed = result.files.filter((f) => f.problem !== null).length;
  const what = result.throughCodec ? "size, SHA-256, decryption, decompression and row count" : "size and SHA-256";
  const verdict = failed === 0 ? `All ${result.files.length} data file(s) sound (${what}).` : `${failed} of ${result.files.length} data file(s) failed (${what} checked).`;
  return `Snapshot ${result.snapshot} in ${storeLabel}\n\n${renderTextTable(["", "table", "file", "stored", "rows", "problem"], rows, new Set([3, 4]))}\n\n${verdict}\n`;
}

/** Progress events a run emits; the CLI turns them into bars (TTY) or plain lines. */
import type { QualifiedName } from "../model/qualified-name.js";

export type SyncEvent =
  | { readonly kind: "log"; readonly level: "info" | "warn" | "debug"; readonly message: string }
  | { readonly kind: "table-start"; readonly table: QualifiedName; readonly estimatedBytes: number; readonly estimatedRows: number | null }
  | { readonly kind: "table-progress"; readonly table: QualifiedName; readonly bytes: number }
  | { readonly kind: "table-done"; readonly table: QualifiedName; readonly rows: number; readonly bytes: number; readonly seconds: number; readonly ok: boolean };

export type SyncEventListener = (event: SyncEvent) => void;

import type { QualifiedName } from "./qualified-name.js";

/** A warning or note produced by planning; rendered by the CLI, fatal under --strict. */
export interface Diagnostic {
  readonly level: "info" | "warning" | "error";
  readonly table?: QualifiedName;
  readonly message: string;
  /** The two schemas differ here (a table, column or type): fatal under --strict. */
  readonly drift?: boolean;
}

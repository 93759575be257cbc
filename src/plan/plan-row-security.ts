/**
 * Row-level security on the source: policies that filter the source role's reads would make a
 * copy partial without any error (and the row counts verified afterwards see the same filter).
 * Such a table is refused unless the user allows it. Pure.
 */
import type { Table } from "../model/catalog.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { displayName } from "../model/qualified-name.js";

export function planRowSecurity(source: Table, allowed: boolean): Diagnostic | null {
  if (!source.rowSecurityActive) return null;
  if (allowed) {
    return { level: "warning", table: source.name, message: "row-level security hides rows from the source role: only the rows its policies show are copied (allowRowSecurity)" };
  }
  return {
    level: "error",
    table: source.name,
    message:
      "row-level security hides rows of this table from the source role (not superuser, no BYPASSRLS, not the owner, or FORCE ROW LEVEL SECURITY): " +
      `a copy would hold only the rows its policies show; use a role that bypasses it, or set tables."${displayName(source.name)}".allowRowSecurity: true to copy those rows only`,
  };
}

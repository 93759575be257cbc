/**
 * What a newer source spells in a way the target's older PostgreSQL does not take, rewritten into
 * a faithful equivalent before planning, so the created objects are valid on the target. Pure.
 *
 * - A `VIRTUAL` generated column (PostgreSQL 18+) becomes `STORED` on an older target: same
 *   values, computed when a row is written instead of when it is read.
 * - `gen_random_uuid()` is core only from PostgreSQL 13; on a 12 target a column default calling
 *   it calls pgcrypto's function of the same name and result (the extension is planned with the
 *   table, or refused when the target server lacks it).
 * - `deduplicate_items` (a btree storage parameter from PostgreSQL 13) is left out of an index's
 *   `WITH (…)` on a 12 target, whose btree indexes never deduplicate (space only).
 * What has no equivalent is left as it is: the rehearsal on the target (execute/rehearse-ddl)
 * refuses it with one line per object.
 */
import type { Catalog, Column, Extension, Index, Table } from "../model/catalog.js";
import type { DdlStatement } from "../model/ddl-statement.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { nameKey, type QualifiedName } from "../model/qualified-name.js";
import { quoteIdent } from "../sql/quote.js";
import { qualifyFunctionCall, withoutStorageParameter } from "./rewrite-sql-text.js";

/** One translated detail of a table (a column or an index), as a warning for the plan. */
export interface TranslationNote {
  readonly table: QualifiedName;
  /** The column the note is about, for a column added to an existing table; null for the table as a whole. */
  readonly column: string | null;
  readonly message: string;
}

export interface TargetTranslation {
  /** The source catalog as the target will receive it. */
  readonly source: Catalog;
  readonly notes: readonly TranslationNote[];
}

const VIRTUAL_FROM = 180000;
const CORE_UUID_FROM = 130000;
const DEDUPLICATION_FROM = 130000;

export function translateForTarget(source: Catalog, target: Catalog): TargetTranslation {
  const targetMajor = Math.floor(target.serverVersion / 10000);
  const notes: TranslationNote[] = [];
  const pgcrypto = pgcryptoSchema(source, target);
  let needsPgcrypto = false;
  const tables = source.tables.map((table) => {
    const columns = table.columns.map((column) => {
      let translated: Column = column;
      if (column.generated === "virtual" && target.serverVersion < VIRTUAL_FROM) {
        translated = { ...translated, generated: "stored" };
        notes.push({
          table: table.name,
          column: column.name,
          message: `column "${column.name}": VIRTUAL generated columns need PostgreSQL 18, so it is created STORED on PostgreSQL ${targetMajor} (same values, computed on write)`,
        });
      }
      if (translated.default !== null && !translated.generated && target.serverVersion < CORE_UUID_FROM && source.serverVersion >= CORE_UUID_FROM) {
        const rewritten = qualifyFunctionCall(translated.default, "gen_random_uuid", quoteIdent(pgcrypto));
        if (rewritten !== null) {
          translated = { ...translated, default: rewritten };
          needsPgcrypto = true;
          notes.push({
            table: table.name,
            column: column.name,
            message: `column "${column.name}": gen_random_uuid() is core only from PostgreSQL 13, so its default calls pgcrypto's on PostgreSQL ${targetMajor}`,
          });
        }
      }
      return translated;
    });
    const usesPgcrypto = columns.some((c, i) => c.default !== table.columns[i]!.default);
    const deduplication = target.serverVersion < DEDUPLICATION_FROM ? withoutDeduplication(table, targetMajor, notes) : table;
    return {
      ...deduplication,
      columns,
      extensions: usesPgcrypto && !table.extensions.includes("pgcrypto") ? [...table.extensions, "pgcrypto"] : table.extensions,
    } satisfies Table;
  });
  const extensions: readonly Extension[] =
    needsPgcrypto && !source.extensions.some((e) => e.name === "pgcrypto") ? [...source.extensions, { name: "pgcrypto", schema: pgcrypto }] : source.extensions;
  return { source: { ...source, tables, extensions }, notes };
}

/**
 * The schema pgcrypto's gen_random_uuid() lives in on the target: where the target has it, else
 * where the source has it (the plan creates it there), else public.
 */
function pgcryptoSchema(source: Catalog, target: Catalog): string {
  return target.extensions.find((e) => e.name === "pgcrypto")?.schema ?? source.extensions.find((e) => e.name === "pgcrypto")?.schema ?? "public";
}

function withoutDeduplication(table: Table, targetMajor: number, notes: TranslationNote[]): Table {
  const note = (what: string) =>
    notes.push({ table: table.name, column: null, message: `${what}: deduplicate_items (PostgreSQL 13+) left out on PostgreSQL ${targetMajor}, whose btree indexes do not deduplicate` });
  const indexes = table.indexes.map((index): Index => {
    const definition = withoutStorageParameter(index.definition, "deduplicate_items");
    if (definition === null) return index;
    note(`index ${quoteIdent(index.name)}`);
    const using = index.using ? withoutStorageParameter(index.using, "deduplicate_items") : null;
    return { ...index, definition, ...(using !== null ? { using } : {}) };
  });
  // A key's definition (pg_get_constraintdef) never carries its index's WITH (…): nothing to leave out there.
  return { ...table, indexes };
}

/**
 * The notes about what the plan creates, as warnings: tables it creates (a partition's columns
 * come from its created parent, so the parent's note stands for both) and columns it adds.
 */
export function translationDiagnostics(notes: readonly TranslationNote[], preData: readonly DdlStatement[]): Diagnostic[] {
  const created = new Map<string, Table>();
  const added = new Set<string>();
  for (const statement of preData) {
    if (statement.kind === "create-table") created.set(nameKey(statement.table.name), statement.table);
    if (statement.kind === "add-column") added.add(`${nameKey(statement.table)}\u0000${statement.column.name}`);
  }
  return notes
    .filter((note) => {
      const table = created.get(nameKey(note.table));
      if (table) return !(table.partitioning.parent && created.has(nameKey(table.partitioning.parent)) && note.column !== null);
      return note.column !== null && added.has(`${nameKey(note.table)}\u0000${note.column}`);
    })
    .map((note): Diagnostic => ({ level: "warning", table: note.table, message: note.message }));
}

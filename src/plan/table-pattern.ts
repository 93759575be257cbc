/**
 * Table patterns from --tables, --exclude, groups and where keys: `name`, `schema.name`, globs
 * with * and ?, and double quotes for names holding dots or quotes (`"my schema"."Odd.Name"`).
 * An unqualified pattern matches the name in every schema.
 */
import { ConfigError } from "../errors.js";
import type { QualifiedName } from "../model/qualified-name.js";

export interface TablePattern {
  readonly text: string;
  readonly schema: RegExp | null;
  readonly name: RegExp;
}

export function parseTablePattern(text: string): TablePattern {
  const parts = splitQualified(text.trim());
  if (parts.length === 0 || parts.length > 2 || parts.some((p) => p.value === "")) {
    throw new ConfigError(`invalid table pattern "${text}": use name or schema.name`);
  }
  const [first, second] = parts as [Part, Part | undefined];
  return second
    ? { text, schema: toRegExp(first), name: toRegExp(second) }
    : { text, schema: null, name: toRegExp(first) };
}

export function matchesPattern(pattern: TablePattern, table: QualifiedName): boolean {
  return (pattern.schema === null || pattern.schema.test(table.schema)) && pattern.name.test(table.name);
}

interface Part {
  readonly value: string;
  readonly quoted: boolean;
}

function splitQualified(text: string): Part[] {
  const parts: Part[] = [];
  let current = "";
  let quoted = false;
  let inQuotes = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"' && text[i + 1] === '"') {
        current += '"';
        i += 1;
      } else if (ch === '"') inQuotes = false;
      else current += ch;
    } else if (ch === '"') {
      inQuotes = true;
      quoted = true;
    } else if (ch === ".") {
      parts.push({ value: current, quoted });
      current = "";
      quoted = false;
    } else current += ch;
  }
  if (inQuotes) throw new ConfigError(`invalid table pattern "${text}": unbalanced double quote`);
  parts.push({ value: current, quoted });
  return parts;
}

/** Quoted parts match literally; unquoted parts treat * and ? as globs. Matching is case-sensitive. */
function toRegExp(part: Part): RegExp {
  const escaped = part.value.replace(/[.+^${}()|[\]\\*?]/g, (ch) => {
    if (!part.quoted && ch === "*") return ".*";
    if (!part.quoted && ch === "?") return ".";
    return `\\${ch}`;
  });
  return new RegExp(`^${escaped}$`, "u");
}

/** Split on a separator that is not inside double quotes (a doubled quote inside quotes stays quoted). */
export function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i += 1) {
    if (value[i] === '"') quoted = !quoted;
    else if (value[i] === separator && !quoted) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

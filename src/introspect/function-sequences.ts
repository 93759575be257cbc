/**
 * Sequences a function body names in a `nextval/currval/setval('…')` literal, which pg_depend
 * does not record for plpgsql and quoted SQL bodies. Pure: parsed from the function's text.
 */
import { qualifiedName, type QualifiedName } from "../model/qualified-name.js";

// The literal may be doubled-quoted when the whole body is a single-quoted string.
const CALL = /\b(?:nextval|currval|setval)\s*\(\s*(''?)([^']+)\1\s*(?:::\s*regclass\s*)?[,)]/gi;

/** The relation names (as regclass input text) a body passes to nextval, currval or setval. */
export function sequenceLiterals(body: string): string[] {
  return [...new Set([...body.matchAll(CALL)].map((m) => m[2]!.trim()))];
}

/** regclass input text → its parts: unquoted identifiers fold to lower case; null when malformed. */
export function parseRelationName(text: string): { schema: string | null; name: string } | null {
  const parts: string[] = [];
  const part = /\s*(?:"((?:[^"]|"")*)"|([^".\s]+))\s*(\.|$)/y;
  let end = false;
  while (!end) {
    const m = part.exec(text);
    if (!m) return null;
    parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!.toLowerCase());
    end = m[3] === "";
  }
  if (parts.length > 3) return null;
  return parts.length === 1 ? { schema: null, name: parts[0]! } : { schema: parts.at(-2)!, name: parts.at(-1)! };
}

/** The schemas of a `search_path=…` entry of pg_proc.proconfig, or null when the function sets none. */
export function configuredSearchPath(config: readonly string[] | null): string[] | null {
  const entry = config?.find((c) => c.startsWith("search_path="));
  if (entry === undefined) return null;
  return entry
    .slice("search_path=".length)
    .split(",")
    .map((s) => s.trim())
    .map((s) => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s))
    .filter((s) => s !== "" && s !== "$user");
}

/**
 * The existing sequences a function's body names. An unqualified name resolves in the function's
 * own search_path setting, else (it runs with the caller's) in the function's schema, then public.
 */
export function functionSequences(
  fn: { readonly schema: string; readonly body: string; readonly config: readonly string[] | null },
  sequences: readonly QualifiedName[],
): QualifiedName[] {
  const exists = (schema: string, name: string) => sequences.some((s) => s.schema === schema && s.name === name);
  const path = configuredSearchPath(fn.config) ?? [fn.schema, "public"];
  const found = new Map<string, QualifiedName>();
  for (const literal of sequenceLiterals(fn.body)) {
    const parsed = parseRelationName(literal);
    if (!parsed) continue;
    const schema = parsed.schema ?? path.find((s) => exists(s, parsed.name));
    if (schema !== undefined && exists(schema, parsed.name)) found.set(`${schema}.${parsed.name}`, qualifiedName(schema, parsed.name));
  }
  return [...found.values()];
}

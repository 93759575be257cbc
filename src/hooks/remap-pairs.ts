/**
 * Read (email, value) pairs for the remap hook from an identity provider's export: CSV with a
 * header, a JSON array of objects, a JSON object mapping email to value, or the output of
 * `aws cognito-idp list-users` ({ Users: [{ Attributes: [{ Name, Value }] }] }). Pure.
 * Malformed input and duplicate emails (compared case-insensitively) are errors, never guesses.
 */
import { parse as parseCsv } from "csv-parse/sync";
import { ConfigError } from "../errors.js";

export interface RemapPair {
  /** Trimmed and lower-cased. */
  readonly email: string;
  readonly value: string;
}

export interface PairColumns {
  /** The table's email column, also accepted as the header/key of the email field. */
  readonly match: string;
  /** The table's target column, also accepted as the header/key of the value field. */
  readonly set: string;
  /** The Cognito attribute holding the value (default sub); also accepted as a header/key. */
  readonly attribute: string;
}

export function parseRemapPairs(text: string, format: "csv" | "json", columns: PairColumns, label: string): RemapPair[] {
  const entries = format === "csv" ? csvEntries(text, columns, label) : jsonEntries(text, columns, label);
  const seen = new Map<string, number>();
  return entries.map(([email, value], index) => {
    const where = `${label}: entry ${index + 1}`;
    if (typeof email !== "string" || !email.trim()) throw new ConfigError(`${where} has no email`);
    if (value === undefined || value === null || String(value).trim() === "") throw new ConfigError(`${where} (${email.trim()}) has no value`);
    if (typeof value === "object") throw new ConfigError(`${where} (${email.trim()}): the value must be text, not ${Array.isArray(value) ? "an array" : "an object"}`);
    const key = email.trim().toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) throw new ConfigError(`${label}: duplicate email ${key} (entries ${first + 1} and ${index + 1})`);
    seen.set(key, index);
    return { email: key, value: String(value).trim() };
  });
}

type Entry = readonly [unknown, unknown];

function fieldNames(columns: PairColumns) {
  return {
    email: ["email", columns.match.toLowerCase()],
    value: [columns.set.toLowerCase(), "value", columns.attribute.toLowerCase()],
  };
}

function pick(record: Record<string, unknown>, candidates: readonly string[]): string | undefined {
  const keys = Object.keys(record);
  for (const candidate of candidates) {
    const found = keys.find((k) => k.trim().toLowerCase() === candidate);
    if (found !== undefined) return found;
  }
  return undefined;
}

function csvEntries(text: string, columns: PairColumns, label: string): Entry[] {
  let records: Record<string, string>[];
  try {
    records = parseCsv(text, { columns: true, bom: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    throw new ConfigError(`${label}: not valid CSV: ${(error as Error).message.split("\n")[0]}`);
  }
  if (records.length === 0) throw new ConfigError(`${label}: no rows under the CSV header`);
  const names = fieldNames(columns);
  const emailKey = pick(records[0]!, names.email);
  const valueKey = pick(records[0]!, names.value);
  if (!emailKey || !valueKey) {
    throw new ConfigError(
      `${label}: the CSV header needs an email column (${names.email.join(" or ")}) and a value column (${names.value.join(" or ")}); it has ${Object.keys(records[0]!).join(", ")}`,
    );
  }
  return records.map((r) => [r[emailKey], r[valueKey]] as const);
}

function jsonEntries(text: string, columns: PairColumns, label: string): Entry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${label}: not valid JSON: ${(error as Error).message}`);
  }
  const names = fieldNames(columns);
  if (Array.isArray(data)) {
    return data.map((item, index) => {
      if (!item || typeof item !== "object" || Array.isArray(item)) throw new ConfigError(`${label}: entry ${index + 1} is not an object`);
      const record = item as Record<string, unknown>;
      const emailKey = pick(record, names.email);
      const valueKey = pick(record, names.value);
      if (!emailKey || !valueKey) throw new ConfigError(`${label}: entry ${index + 1} needs ${names.email.join(" or ")} and ${names.value.join(" or ")}`);
      return [record[emailKey], record[valueKey]] as const;
    });
  }
  if (data && typeof data === "object") {
    const record = data as Record<string, unknown>;
    if (Array.isArray(record.Users)) return cognitoEntries(record.Users, columns.attribute, label);
    return Object.entries(record);
  }
  throw new ConfigError(`${label}: expected a JSON array of objects, an object of email: value, or a Cognito list-users export`);
}

/** Users without an email attribute (phone-only sign-ups) cannot be matched and are left out. */
function cognitoEntries(users: readonly unknown[], attribute: string, label: string): Entry[] {
  return users.flatMap((user, index): Entry[] => {
    const attributes = (user as { Attributes?: unknown } | null)?.Attributes;
    if (!Array.isArray(attributes)) throw new ConfigError(`${label}: user ${index + 1} has no Attributes list`);
    const get = (name: string) => (attributes.find((a) => (a as { Name?: unknown })?.Name === name) as { Value?: unknown } | undefined)?.Value;
    const email = get("email");
    return email === undefined ? [] : [[email, get(attribute)]];
  });
}

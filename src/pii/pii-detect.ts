/**
 * What looks like personal data: column names (whole words of snake_case or camelCase names) and
 * single values (email, phone, IPv4, payment card with Luhn, IBAN with its check digits). Only
 * verdicts leave here, never a value. Pure.
 */
import type { Column } from "../model/catalog.js";
import { classifyColumn, type TypeClass } from "../transform/column-type-class.js";

export type PiiCategory = "email" | "name" | "phone" | "address" | "birth date" | "identity number" | "payment" | "ip address" | "secret";

interface NameRule {
  readonly category: PiiCategory;
  /** Word sequences, each a run of whole words of the name (`e mail` matches e_mail and eMail). */
  readonly words: readonly string[];
  /** Type classes a column of this kind has; others are left alone (`email_verified boolean`, `token_count int`). */
  readonly types: readonly TypeClass[];
}

const TEXT: readonly TypeClass[] = ["text", "json", "other"];
const TEXT_OR_NUMBER: readonly TypeClass[] = ["text", "json", "other", "integer", "decimal"];

/** More specific first: `ip_address` is an IP address, `email_address` an email, not a postal address. */
const NAME_RULES: readonly NameRule[] = [
  { category: "ip address", words: ["ip", "ip address", "ip addr", "ipaddress", "ipaddr", "remote addr", "client ip"], types: TEXT },
  { category: "email", words: ["email", "e mail", "email address", "mail address"], types: TEXT },
  {
    category: "name",
    words: ["first name", "firstname", "fname", "given name", "middle name", "last name", "lastname", "lname", "surname", "family name", "maiden name", "full name", "fullname", "display name", "contact name"],
    types: TEXT,
  },
  { category: "phone", words: ["phone", "phone number", "telephone", "tel", "mobile", "cell phone", "cellphone", "fax", "msisdn"], types: TEXT_OR_NUMBER },
  { category: "address", words: ["address", "street", "city", "zip", "zipcode", "zip code", "postcode", "postal code", "house number"], types: TEXT },
  { category: "birth date", words: ["birth", "birthday", "birthdate", "born", "dob", "date of birth"], types: ["text", "date", "timestamp"] },
  {
    category: "identity number",
    words: ["ssn", "social security", "passport", "national id", "tax id", "tax number", "driver license", "drivers license", "licence number", "license number"],
    types: TEXT_OR_NUMBER,
  },
  { category: "payment", words: ["iban", "bic", "card number", "cc number", "credit card", "creditcard", "pan", "cvv", "cvc", "account number"], types: TEXT_OR_NUMBER },
  {
    category: "secret",
    words: ["password", "passwd", "pwd", "password hash", "token", "secret", "api key", "apikey", "access key", "private key", "otp secret", "salt"],
    types: [...TEXT, "bytea"],
  },
];

/** `userEmail2` → user, email, 2; `e_mail` → e, mail; `IPAddress` → ip, address. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .replace(/([A-Za-z])([0-9])|([0-9])([A-Za-z])/g, (_m, a, b, c, d) => (a ? `${a} ${b}` : `${c} ${d}`))
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** The words occur in order, one after another; a word matches a plural too (`emails`). */
function containsRun(words: readonly string[], run: readonly string[]): boolean {
  for (let i = 0; i + run.length <= words.length; i += 1) {
    if (run.every((w, j) => words[i + j] === w || words[i + j] === `${w}s`)) return true;
  }
  return false;
}

/** The PII category a column's name says, or null; the column's type must fit it. */
export function piiByName(column: Pick<Column, "name" | "type" | "category">): PiiCategory | null {
  if (column.category === "B") return null; // a flag about personal data is not personal data
  const typeClass = classifyColumn(column);
  const words = nameWords(column.name);
  for (const rule of NAME_RULES) {
    if (!rule.types.includes(typeClass)) continue;
    if (rule.words.some((w) => containsRun(words, w.split(" ")))) return rule.category;
  }
  return null;
}

/** Value patterns, each a test of one value's text. */
export type ValuePattern = "email" | "phone" | "ipv4" | "payment card" | "iban";

const EMAIL = /^[^\s@"<>(),;:]+@[^\s@"<>(),;:]+\.[A-Za-z]{2,}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(\/\d{1,2})?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function ibanValid(compact: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const rearranged = `${compact.slice(4)}${compact.slice(0, 4)}`;
  let remainder = 0;
  for (const ch of rearranged) {
    const value = /\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** The pattern one value matches, or null. */
export function matchValue(value: string): ValuePattern | null {
  const text = value.trim();
  if (text.length < 7 || text.length > 254) return null;
  if (EMAIL.test(text)) return "email";
  if (IPV4.test(text)) return "ipv4";
  const compact = text.replace(/[\s-]/g, "");
  if (ibanValid(compact.toUpperCase()) && /^[A-Za-z]{2}/.test(compact)) return "iban";
  if (/^\d{13,19}$/.test(compact) && /^[\d\s-]+$/.test(text) && !/^(\d)\1+$/.test(compact) && luhnValid(compact)) return "payment card";
  if (!ISO_DATE.test(text) && /^\+?[\d\s().-]+$/.test(text)) {
    const digits = text.replace(/\D/g, "").length;
    // A bare number is not a phone number: a leading + or separators between digit groups.
    if (digits >= 7 && digits <= 15 && (text.startsWith("+") || /\d[\s().-]+\d/.test(text))) return "phone";
  }
  return null;
}

/** A column's sampled values: the most frequent pattern and the share of non-null values it matched. */
export interface ValueVerdict {
  readonly pattern: ValuePattern;
  /** 0..1 over the non-null sampled values. */
  readonly rate: number;
  readonly sampled: number;
}

/** At least this share of the sampled non-null values must match one pattern. */
export const VALUE_RATE_THRESHOLD = 0.5;

export function judgeValues(values: readonly (string | null)[]): ValueVerdict | null {
  const counts = new Map<ValuePattern, number>();
  let sampled = 0;
  for (const value of values) {
    if (value === null) continue;
    sampled += 1;
    const pattern = matchValue(value);
    if (pattern) counts.set(pattern, (counts.get(pattern) ?? 0) + 1);
  }
  let best: [ValuePattern, number] | null = null;
  for (const entry of counts) if (!best || entry[1] > best[1]) best = entry;
  if (!best || sampled === 0 || best[1] / sampled < VALUE_RATE_THRESHOLD) return null;
  return { pattern: best[0], rate: best[1] / sampled, sampled };
}

const BY_PATTERN: Readonly<Record<ValuePattern, PiiCategory>> = { email: "email", phone: "phone", ipv4: "ip address", "payment card": "payment", iban: "payment" };

export function categoryOfPattern(pattern: ValuePattern): PiiCategory {
  return BY_PATTERN[pattern];
}

/** A transform kind to start from for a category and the column's type (see `pgferry transformers`). */
export function suggestKind(category: PiiCategory, column: Pick<Column, "name" | "type" | "category">): string {
  const typeClass = classifyColumn(column);
  const words = nameWords(column.name);
  switch (category) {
    case "email":
      return typeClass === "text" ? "email" : "null";
    case "name":
      if (typeClass !== "text") return "null";
      return words.some((w) => ["first", "firstname", "fname", "given", "middle"].includes(w))
        ? "first_name"
        : words.some((w) => ["last", "lastname", "lname", "surname", "family", "maiden"].includes(w))
          ? "last_name"
          : "full_name";
    case "phone":
      return typeClass === "text" ? "phone" : "null";
    case "birth date":
      return typeClass === "date" || typeClass === "timestamp" ? "noise" : "mask";
    case "payment":
    case "identity number":
      return typeClass === "text" ? "mask" : "null";
    case "secret":
      return typeClass === "text" || typeClass === "bytea" ? "hash" : "null";
    case "address":
    case "ip address":
      return typeClass === "text" ? "mask" : "null";
  }
}

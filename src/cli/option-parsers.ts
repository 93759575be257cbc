/** Commander argument parsers shared by the commands. */
import { ConfigError } from "../errors.js";
import { splitOutsideQuotes } from "../plan/table-pattern.js";

/** `-t a,b -t c` → ["a", "b", "c"]; a comma inside double quotes belongs to the name (`-t '"a,b",c'`). */
export const commaList = (value: string, previous: string[] = []): string[] => [...previous, ...splitOutsideQuotes(value, ",").map((s) => s.trim()).filter(Boolean)];


/** A repeatable option whose values may hold commas (`--where`, `--group`). */
export const repeatable = (value: string, previous: string[] = []): string[] => [...previous, value];

/** A whole-number option within bounds; the error names the flag and the value given. */
export const wholeNumber =
  (flag: string, min: number, max?: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || (max !== undefined && n > max)) {
      throw new ConfigError(`${flag} must be a whole number ${max === undefined ? `of at least ${min}` : `from ${min} to ${max}`}, got "${value}"`);
    }
    return n;
  };

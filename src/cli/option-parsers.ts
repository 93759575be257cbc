/** Commander argument parsers shared by the commands. */

/** `-t a,b -t c` → ["a", "b", "c"]. */
export const commaList = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(",").map((s) => s.trim()).filter(Boolean)];

/** A repeatable option whose values may hold commas (`--where`, `--group`). */
export const repeatable = (value: string, previous: string[] = []): string[] => [...previous, value];

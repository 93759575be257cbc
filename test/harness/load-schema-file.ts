/**
 * Feed a real schema file (a pg_dump --schema-only output such as a Rails db/structure.sql, or an
 * install script) to psql with ON_ERROR_STOP, after removing only what the target server cannot
 * load. Every removal says why, and must match: a file that changed upstream fails loudly instead
 * of silently loading something else.
 */
import { spawn } from "node:child_process";

/** Something taken out of a schema file before loading it, and why. */
export type Removal =
  /** Single lines matching `line` (psql meta-commands, settings an older server lacks). */
  | { readonly line: RegExp; readonly why: string; readonly optional?: boolean }
  /** A statement whose first line matches `statement`, through the line that ends it with `;`. */
  | { readonly statement: RegExp; readonly why: string; readonly optional?: boolean }
  /** pg_dump sections (from a `-- Name: …; Type: …` header to the next) whose header matches `section`. */
  | { readonly section: RegExp; readonly why: string; readonly optional?: boolean };

/**
 * Needed for every pg_dump file on PostgreSQL 15: pg_dump 17.6+ brackets its output in
 * \restrict / \unrestrict (psql 15 does not know them), and pg_dump 17+ may SET transaction_timeout
 * (a setting from 17).
 */
export const DUMP_ON_15: readonly Removal[] = [
  { line: /^\\(un)?restrict\b/, why: "psql meta-command of pg_dump 17.6+ that psql 15 lacks", optional: true },
  { line: /^SET transaction_timeout\b/, why: "setting added in PostgreSQL 17", optional: true },
];

/** The file with the removals applied; throws when a non-optional removal matched nothing. */
export function applyRemovals(sql: string, removals: readonly Removal[]): string {
  const lines = sql.split("\n");
  const keep = lines.map(() => true);
  const hits = removals.map(() => 0);
  removals.forEach((removal, r) => {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if ("line" in removal && removal.line.test(line)) {
        keep[i] = false;
        hits[r]!++;
      } else if ("statement" in removal && keep[i] && removal.statement.test(line)) {
        let j = i;
        while (j < lines.length && !/;\s*$/.test(lines[j]!)) keep[j++] = false;
        if (j < lines.length) keep[j] = false;
        hits[r]!++;
        i = j;
      } else if ("section" in removal && /^-- Name: .*; Type: /.test(line) && removal.section.test(line)) {
        // A section starts at the "--" line before its header and ends where the next one starts.
        let j = i - 1;
        do keep[j++] = false;
        while (j < lines.length && !(lines[j] === "--" && /^-- Name: .*; Type: /.test(lines[j + 1] ?? "")));
        hits[r]!++;
        i = j - 1;
      }
    }
  });
  const unused = removals.filter((removal, r) => hits[r] === 0 && !removal.optional);
  if (unused.length > 0) throw new Error(`schema file changed: removal(s) matched nothing: ${unused.map((u) => u.why).join("; ")}`);
  return lines.filter((_, i) => keep[i]).join("\n");
}

/** Run `sql` through psql on `url` with ON_ERROR_STOP; the first error rejects with psql's message. */
export function loadSchemaFile(url: string, sql: string, removals: readonly Removal[]): Promise<void> {
  const text = applyRemovals(sql, removals);
  return new Promise((resolve, reject) => {
    const child = spawn("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", "--dbname", url], { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`psql failed loading the schema: ${stderr.trim().split("\n").slice(0, 4).join(" | ")}`))));
    child.stdin.on("error", () => undefined); // psql may stop reading after an error; its exit code reports it
    child.stdin.end(text);
  });
}

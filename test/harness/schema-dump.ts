/**
 * Independent judges of a copy: Debian's pg_dump --schema-only split into objects, and a
 * fingerprint of every table's rows. pg_dump 15 reads servers up to 15 (the machine's).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import type pg from "pg";

const run = promisify(execFile);
const RENTAL_STORE = readFileSync(new URL("../fixtures/rental-store.sql", import.meta.url), "utf8");

/** A rich application schema with rows (test/fixtures/rental-store.sql), analyzed. */
export async function loadRentalStore(client: pg.Client): Promise<void> {
  await client.query(RENTAL_STORE);
  await client.query("ANALYZE");
}

/** pg_dump's output as a map from its TOC header (`Name: …; Type: …; Schema: …`) to the normalised statements. */
export async function dumpSchema(url: string, options: { readonly privileges?: boolean } = {}): Promise<Map<string, string>> {
  // With privileges: owners (ALTER … OWNER TO) and ACLs (GRANT/REVOKE, default privileges) are dumped too.
  const flags = options.privileges ? [] : ["--no-owner", "--no-privileges"];
  const { stdout } = await run("pg_dump", ["--schema-only", ...flags, "--dbname", url], { maxBuffer: 64 * 1024 * 1024 });
  const objects = new Map<string, string>();
  let header = "preamble";
  let body: string[] = [];
  const flush = () => {
    const text = body.join("\n").trim();
    if (text) objects.set(header, text);
    body = [];
  };
  for (const line of stdout.split("\n")) {
    const toc = /^-- Name: (.*); Type: (.*); Schema: ([^;]*);/.exec(line);
    if (toc) {
      flush();
      header = `${toc[2]} ${toc[1]}; Schema: ${toc[3]}`;
    } else if (!line.startsWith("--") && !/^(SET |SELECT pg_catalog\.set_config|\\restrict|\\unrestrict)/.test(line) && line.trim() !== "") {
      body.push(line);
    }
  }
  flush();
  return objects;
}

/** What pg_dump prints on one side only, or differently (each with both texts). */
export function compareDumps(source: ReadonlyMap<string, string>, target: ReadonlyMap<string, string>) {
  return {
    onlySource: [...source.keys()].filter((k) => !target.has(k)),
    onlyTarget: [...target.keys()].filter((k) => !source.has(k)),
    different: [...source.keys()].filter((k) => target.has(k) && target.get(k) !== source.get(k)).map((k) => `${k}\n--- source\n${source.get(k)}\n--- target\n${target.get(k)}`),
  };
}

/** pg_dump --schema-only of both databases sees the same objects, none different; returns the source's dump. */
export async function assertSameSchema(sourceUrl: string, targetUrl: string): Promise<Map<string, string>> {
  const [source, target] = [await dumpSchema(sourceUrl), await dumpSchema(targetUrl)];
  assert.deepEqual(compareDumps(source, target), { onlySource: [], onlyTarget: [], different: [] }, "pg_dump --schema-only of both sides");
  return source;
}

/** pg_dump entries (owners and ACLs included) that differ between the two databases, each with both texts. */
export async function privilegedDumpDifferences(sourceUrl: string, targetUrl: string): Promise<string[]> {
  const [source, target] = [await dumpSchema(sourceUrl, { privileges: true }), await dumpSchema(targetUrl, { privileges: true })];
  // An ACL is a set: the order of its items (so of pg_dump's GRANT lines) follows the order the
  // grants were made in, which a re-sync that adds one grant cannot reproduce.
  const sorted = (text: string | undefined) => (text ?? "").split("\n").sort().join("\n");
  const same = (k: string) => (k.startsWith("ACL ") || k.startsWith("DEFAULT ACL ") ? sorted(source.get(k)) === sorted(target.get(k)) : source.get(k) === target.get(k));
  return [...new Set([...source.keys(), ...target.keys()])]
    .filter((k) => !same(k))
    .map((k) => `${k}\n--- source\n${source.get(k) ?? "(none)"}\n--- target\n${target.get(k) ?? "(none)"}`);
}

export async function dataFingerprints(client: pg.Client): Promise<Record<string, string>> {
  const relations = await client.query<{ name: string }>(`
    SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm') AND n.nspname IN ('public', 'store', 'Reporting Ünit') ORDER BY 1`);
  const result: Record<string, string> = {};
  for (const { name } of relations.rows) {
    const r = await client.query<{ n: string; h: string }>(`SELECT count(*)::text AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS h FROM ${name} t`);
    result[name] = `${r.rows[0]?.n}:${r.rows[0]?.h}`;
  }
  return result;
}


/**
 * Cross-version fidelity on the real public schemas (issue 14): each schema is loaded into the
 * machine's PostgreSQL 15 and into an embedded 18, filled with generated rows, then synced
 * 15 → 18, 18 → 15 and 18 → 12 into empty databases. Debian's pg_dump 15 cannot read 18, so the
 * judge is the catalog listing (test/harness/catalog-listing.ts), compared object by object; the
 * only differences allowed are the ones the plan's translation warnings announce (a VIRTUAL
 * generated column created STORED, gen_random_uuid() through pgcrypto on 12, deduplicate_items left
 * out on 12). Rows are compared by checksum (sorted with COLLATE "C", so the servers' default
 * collations do not matter) and every sequence's state.
 *
 * Either outcome of a pair is legitimate, but nothing in between: the dry run finds no error and
 * the real sync then converges, or the dry run refuses with one line per object naming the
 * target's version and a real run refuses too, writing nothing.
 *
 * `node --import tsx test/run-tests.ts real-schemas-cross`; PGFERRY_REAL_SCHEMAS=pagila,lago picks
 * some by label.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { randomBytes } from "node:crypto";
import { catalogListing, compareListings } from "../harness/catalog-listing.js";
import { generateRows } from "../harness/generate-rows.js";
import { loadSchemaFile } from "../harness/load-schema-file.js";
import { readMirrorFile, type MirroredFile } from "../harness/read-mirror-file.js";
import { refreshMaterializedViews, relationChecksums, sequenceStates } from "../harness/database-state.js";
import { startEmbeddedServer, type RunningServer } from "../harness/embedded-server.js";
import { syncPair } from "../harness/sync-helpers.js";
import { connectTo, databaseUrl, machineServerUrl } from "../harness/test-databases.js";
import { REAL_SCHEMAS, type RealSchemaSource } from "./real-schema-sources.js";
import type { Diagnostic } from "../../src/model/diagnostic.js";
import { displayName } from "../../src/model/qualified-name.js";
import type { SyncOutcome } from "../../src/execute/run-sync.js";

type ServerName = "15" | "18" | "12";

interface Pair {
  readonly source: ServerName;
  readonly target: ServerName;
}

const PAIRS: readonly Pair[] = [
  { source: "15", target: "18" },
  { source: "18", target: "15" },
  { source: "18", target: "12" },
];

const picked = process.env.PGFERRY_REAL_SCHEMAS?.split(",").map((l) => l.trim()).filter(Boolean);
const unknown = picked?.filter((l) => !REAL_SCHEMAS.some((s) => s.label === l)) ?? [];
if (unknown.length > 0) throw new Error(`PGFERRY_REAL_SCHEMAS names no real schema: ${unknown.join(", ")} (known: ${REAL_SCHEMAS.map((s) => s.label).join(", ")})`);

/** A database of its own on one of the servers, dropped at the end. */
interface Database {
  readonly url: string;
  readonly client: pg.Client;
  drop(): Promise<void>;
}

async function admin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectTo(serverUrl);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function createDatabase(serverUrl: string, label: string): Promise<Database> {
  const name = `${label.replace(/[^a-z0-9_]/gi, "_").toLowerCase().slice(0, 40)}_${randomBytes(4).toString("hex")}`;
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  const url = databaseUrl(serverUrl, name);
  const client = await connectTo(url);
  return {
    url,
    client,
    async drop() {
      await client.end().catch(() => undefined);
      await admin(serverUrl, async (c) => {
        // DROP DATABASE … WITH (FORCE) needs 13+.
        await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
        await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)}`);
      });
    },
  };
}

/**
 * The rows of every table, partition and populated matview, sorted with COLLATE "C": the servers
 * may have different default collations, which would order the same rows differently.
 */
async function rowChecksums(client: pg.Client): Promise<Record<string, string>> {
  return relationChecksums(client, { collation: "C" });
}

/** The user tables (and partitioned tables) of a database: none after a refused run. */
async function userTables(client: pg.Client): Promise<string[]> {
  const rows = await client.query<{ name: string }>(`
    SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1`);
  return rows.rows.map((r) => r.name);
}

function line(d: Diagnostic): string {
  return d.table ? `${displayName(d.table)}: ${d.message}` : d.message;
}

/** An error line names the object it is about (a table, or a kind and a name) and the target's version. */
const OBJECT_KINDS =
  /^(schema|extension|type|domain|function|procedure|aggregate|sequence|table|column|constraint|index|view|materialized view|trigger|comment on \S+|policy|rule|statistics|collation|text search \w+|operator( class| family)?|conversion|cast|large objects?) \S/;

function failedSteps(outcome: SyncOutcome): string {
  return outcome.report.error ?? JSON.stringify(outcome.report.steps.filter((s) => s.status !== "ok" && s.status !== "skipped"));
}

/**
 * The listing differences a translation warning of the plan explains; the rest are returned.
 * Each allowed difference is checked to be exactly the translation, not just on a translated object.
 */
function unexplained(differences: readonly string[], warnings: readonly Diagnostic[], source: ReadonlyMap<string, string>, target: ReadonlyMap<string, string>): string[] {
  const translated = (pattern: RegExp) => warnings.filter((w) => w.table && pattern.test(w.message));
  const virtualColumns = new Set(translated(/VIRTUAL generated columns need PostgreSQL 18/).map((w) => `column ${displayName(w.table!)}.${/^column "((?:[^"]|"")*)"/.exec(w.message)?.[1]}`));
  const uuidColumns = new Set(translated(/gen_random_uuid\(\) is core only from PostgreSQL 13/).map((w) => `column ${displayName(w.table!)}.${/^column "((?:[^"]|"")*)"/.exec(w.message)?.[1]}`));
  const dedupIndexes = new Set(translated(/deduplicate_items \(PostgreSQL 13\+\) left out/).map((w) => `index ${w.table!.schema}.${/^index (.*?): deduplicate_items/.exec(w.message)?.[1]}`));
  return differences.filter((difference) => {
    const differs = /^differs: (.*)\n/.exec(difference);
    if (!differs) {
      // pgcrypto, created on a 12 target for gen_random_uuid() defaults.
      return !(difference === "only target: extension pgcrypto" && uuidColumns.size > 0);
    }
    const key = differs[1]!;
    const from = source.get(key)!;
    const to = target.get(key)!;
    if (hasKey(virtualColumns, key) && from.replace(/ \| v( \||$)/, " | s$1") === to) return false;
    if (hasKey(uuidColumns, key) && from !== to && to.replace(/[\w"]+\.gen_random_uuid\(\)/g, "gen_random_uuid()") === from) return false;
    if (hasKey(dedupIndexes, key) && from.replace(/ WITH \(deduplicate_items='?(off|false|on|true)'?\)/, "") === to) return false;
    return true;
  });
}

/** Listing keys quote names only where needed, the warnings' names may differ in quoting: compare without quotes. */
function hasKey(keys: ReadonlySet<string>, key: string): boolean {
  const bare = (k: string) => k.replace(/"/g, "");
  return [...keys].some((k) => bare(k) === bare(key));
}

let servers: Partial<Record<ServerName, string>> = {};
const started: RunningServer[] = [];

before(async () => {
  const [s18, s12] = await Promise.all([startEmbeddedServer("18"), startEmbeddedServer("12")]);
  started.push(s18, s12);
  servers = { "15": machineServerUrl(), "18": s18.adminUrl, "12": s12.adminUrl };
});
after(async () => {
  await Promise.all(started.map((s) => s.stop().catch(() => undefined)));
});

for (const schema of REAL_SCHEMAS.filter((s) => !picked || picked.includes(s.label))) {
  describe(`real schema ${schema.label} across major versions (github:${schema.repo} ${schema.path})`, () => {
    let file: MirroredFile;
    const sources: Partial<Record<ServerName, Database>> = {};
    const made: Database[] = [];
    const seconds: Record<string, number> = {};
    const timed = async <T,>(step: string, work: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      try {
        return await work();
      } finally {
        seconds[step] = Math.round((performance.now() - t0) / 100) / 10;
      }
    };

    /** The schema loaded into a database of its own on `server`, with generated rows (once per server). */
    const sourceOn = async (server: ServerName, schemaSource: RealSchemaSource): Promise<Database> => {
      const existing = sources[server];
      if (existing) return existing;
      const db = await createDatabase(servers[server]!, `xsrc${server}_${schemaSource.label}`);
      made.push(db);
      await timed(`load on ${server}`, () => loadSchemaFile(db.url, file.text, schemaSource.removals));
      const generated = await timed(`rows on ${server}`, () => generateRows(db.client));
      assert.ok(generated.reduce((sum, g) => sum + g.rows, 0) >= generated.length * 10, `the generator fills ${schemaSource.label} on ${server}`);
      assert.deepEqual(await refreshMaterializedViews(db.client), [], `every materialized view of the source on ${server} refreshes`);
      await db.client.query("ANALYZE");
      sources[server] = db;
      return db;
    };

    before(async () => {
      file = await readMirrorFile(schema.repo, schema.path, schema.commit);
    });
    after(async () => {
      for (const db of made) await db.drop().catch(() => undefined);
    });

    for (const pair of PAIRS) {
      it(`${pair.source} → ${pair.target}: the dry run refuses with one line per object, or the sync converges`, async (t) => {
        const source = await sourceOn(pair.source, schema);
        const target = await createDatabase(servers[pair.target]!, `xtgt${pair.target}_${schema.label}`);
        made.push(target);
        const urls = { sourceUrl: source.url, targetUrl: target.url };
        const step = `${pair.source}→${pair.target}`;
        /** This pair's steps, and the source's load and rows on the first pair that needed them. */
        const timings = (prefix: string) => JSON.stringify(Object.fromEntries(Object.entries(seconds).filter(([k]) => k.startsWith(prefix) || k.endsWith(` on ${pair.source}`))));
        const dry = await timed(`${step} dry run`, () => syncPair(urls, { dryRun: true }));
        const errors = dry.plan.diagnostics.filter((d) => d.level === "error");
        const warnings = dry.plan.diagnostics.filter((d) => d.level === "warning");
        if (errors.length > 0 || dry.report.error) {
          // Refused in the dry run: a legitimate outcome, if every line says what and where, and a real run writes nothing.
          t.diagnostic(`${schema.label} ${step}: refused in the dry run (${errors.length} line(s)): ${dry.report.error ?? ""}`);
          for (const e of errors) t.diagnostic(`  ${line(e)}`);
          assert.ok(errors.length > 0, `a dry run reporting an error has error lines: ${dry.report.error}`);
          const vague = errors.filter((e) => !(e.table || OBJECT_KINDS.test(e.message)) || !new RegExp(`PostgreSQL ${pair.target}\\b`).test(e.message));
          assert.deepEqual(vague.map(line), [], `every refusal line names an object and PostgreSQL ${pair.target}`);
          await assert.rejects(
            timed(`${step} refused run`, () => syncPair(urls)),
            (error: Error) => /nothing was written/.test(error.message),
          );
          assert.deepEqual(await userTables(target.client), [], "the refused run wrote no table");
          t.diagnostic(`${schema.label} ${step}: seconds ${timings(step)}`);
          return;
        }
        const outcome = await timed(`${step} sync`, () => syncPair(urls));
        assert.equal(outcome.report.ok, true, `the dry run found nothing, so the sync must succeed: ${failedSteps(outcome)}`);
        const translations = outcome.plan.diagnostics.filter((d) => d.level === "warning");
        const [fromListing, toListing] = await Promise.all([catalogListing(source.client), catalogListing(target.client)]);
        const differences = compareListings(fromListing, toListing);
        const left = unexplained(differences, translations, fromListing, toListing);
        const explained = differences.length - left.length;
        t.diagnostic(
          `${schema.label} ${step}: synced; ${fromListing.size} listed objects, ${explained} difference(s) explained by translations; ` +
            `${warnings.length} warning(s): ${translations.filter((w) => /PostgreSQL \d+/.test(w.message)).map(line).slice(0, 10).join(" / ") || "none about versions"}`,
        );
        assert.deepEqual(left, [], "the catalog listings differ only where a translation warning says so");
        assert.deepEqual(await rowChecksums(target.client), await rowChecksums(source.client), "same rows in every table, partition and populated matview");
        assert.deepEqual(await sequenceStates(target.client), await sequenceStates(source.client), "every sequence in the same state");
        t.diagnostic(`${schema.label} ${step}: seconds ${timings(step)}`);
      });
    }
  });
}

/**
 * Issue 14 item 5: a newer source's DDL known valid on an older target before anything is
 * written. 18 → 15 and 18 → 12: what has a faithful equivalent is translated (with a warning),
 * what has none is refused in the dry run (one line per object) and by the real run, which leaves
 * the target as it was. 15 → 18 with the rental-store schema syncs without refusal. Runs its own
 * embedded 18, 15 and 12 (the harness's pair is 17 → 18 by default).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type pg from "pg";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { ConfigError } from "../../src/errors.js";
import { runSync } from "../../src/execute/run-sync.js";
import { startEmbeddedServer, type RunningServer } from "../harness/embedded-server.js";
import { dataFingerprints, loadRentalStore } from "../harness/schema-dump.js";
import { syncPair } from "../harness/sync-helpers.js";
import {
  assertNoLocksOrPreparedTransactions,
  assertNoPgferrySessions,
  connectTo,
  createDatabasePair,
  machineServerUrl,
  tableFingerprint,
} from "../harness/test-databases.js";

/** Faithful equivalents exist on 15 and 12 for all of this. */
const TRANSLATABLE = `
  CREATE TABLE orders (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    qty int NOT NULL,
    price numeric(10,2) NOT NULL,
    total numeric GENERATED ALWAYS AS (qty * price) VIRTUAL
  );
  CREATE INDEX orders_qty_idx ON orders (qty) WITH (deduplicate_items = off);
  INSERT INTO orders (qty, price) SELECT i, i * 1.5 FROM generate_series(1, 20) i;
`;

/** No equivalent before 18 (uuidv7) and before 15 (NULLS NOT DISTINCT). */
const REFUSED = `
  CREATE TABLE tickets (id uuid PRIMARY KEY DEFAULT uuidv7(), note text);
  CREATE TABLE codes (id int PRIMARY KEY, code text);
  CREATE UNIQUE INDEX codes_code_idx ON codes (code) NULLS NOT DISTINCT;
  CREATE VIEW fresh_ids AS SELECT uuidv7() AS id, code FROM codes;
  INSERT INTO codes VALUES (1, 'a'), (2, NULL);
  INSERT INTO tickets (note) VALUES ('one');
`;

describe("cross-version DDL: translated or refused before anything is written", () => {
  const servers: Record<"18" | "15" | "12", RunningServer | undefined> = { "18": undefined, "15": undefined, "12": undefined };
  before(async () => {
    const [v18, v15, v12] = await Promise.all([startEmbeddedServer("18"), startEmbeddedServer("15"), startEmbeddedServer("12")]);
    Object.assign(servers, { "18": v18, "15": v15, "12": v12 });
  });
  after(async () => {
    await Promise.all(Object.values(servers).map((s) => s?.stop()));
  });
  const pairOf = (label: string, source: "18" | "15", target: "18" | "15" | "12") =>
    createDatabasePair(label, { source: servers[source]!.adminUrl, target: servers[target]!.adminUrl });

  for (const target of ["15", "12"] as const) {
    describe(`18 → ${target}`, () => {
      it("translates VIRTUAL to STORED and gen_random_uuid() (pgcrypto's on 12): rows equal, warnings shown", async () => {
        const pair = await pairOf(`xver_tr_${target}`, "18", target);
        try {
          await pair.source.query(TRANSLATABLE);
          const dry = await syncPair(pair, { dryRun: true });
          assert.equal(dry.report.error, undefined, JSON.stringify(dry.plan.diagnostics));
          const warnings = dry.plan.diagnostics.filter((d) => d.level === "warning").map((d) => `${d.table?.name}: ${d.message}`);
          const expected = [
            ...(target === "12" ? ['orders: column "id": gen_random_uuid() is core only from PostgreSQL 13, so its default calls pgcrypto\'s on PostgreSQL 12'] : []),
            `orders: column "total": VIRTUAL generated columns need PostgreSQL 18, so it is created STORED on PostgreSQL ${target} (same values, computed on write)`,
            ...(target === "12"
              ? [
                  'orders: index "orders_qty_idx": deduplicate_items (PostgreSQL 13+) left out on PostgreSQL 12, whose btree indexes do not deduplicate',
                ]
              : []),
          ];
          assert.deepEqual(warnings, expected);

          const { report } = await syncPair(pair);
          assert.equal(report.ok, true, report.error);
          assert.equal(await tableFingerprint(pair.target, "orders"), await tableFingerprint(pair.source, "orders"));
          const generated = await pair.target.query<{ attgenerated: string }>("SELECT attgenerated FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'total'");
          assert.equal(generated.rows[0]?.attgenerated, "s");
          // The default works on the target: a new row gets a uuid and its stored total.
          const inserted = await pair.target.query<{ id: string; total: string }>("INSERT INTO orders (qty, price) VALUES (2, 3) RETURNING id::text, total::text");
          assert.match(inserted.rows[0]!.id, /^[0-9a-f-]{36}$/);
          assert.equal(inserted.rows[0]!.total, "6.00");
          const extensions = await pair.target.query<{ extname: string }>("SELECT extname FROM pg_extension WHERE extname = 'pgcrypto'");
          assert.equal(extensions.rows.length, target === "12" ? 1 : 0);
        } finally {
          await pair.drop();
        }
      });

      it(`refuses uuidv7()${target === "12" ? " and NULLS NOT DISTINCT" : ""}: one line each in the dry run, and the real run writes nothing`, async () => {
        const pair = await pairOf(`xver_ref_${target}`, "18", target);
        try {
          await pair.source.query(REFUSED);
          await pair.target.query("CREATE TABLE keep (id int); INSERT INTO keep VALUES (1)");
          const before = await relations(pair.target);

          const dry = await syncPair(pair, { dryRun: true });
          const expected = [
            `table public.tickets: cannot be created on PostgreSQL ${target}: function uuidv7() does not exist`,
            // NULLS NOT DISTINCT is 15+.
            ...(target === "12" ? ['index public.codes_code_idx: cannot be created on PostgreSQL 12: syntax error at or near "NULLS"'] : []),
            `view public.fresh_ids: cannot be created on PostgreSQL ${target}: function uuidv7() does not exist`,
          ];
          assert.equal(dry.report.error, `the plan has ${expected.length} problems; nothing was written`);
          assert.deepEqual(dry.plan.diagnostics.filter((d) => d.level === "error").map((d) => d.message), expected);
          assert.deepEqual(await relations(pair.target), before, "the dry run's rehearsal left nothing behind");

          await assert.rejects(syncPair(pair), (error: unknown) => {
            assert.ok(error instanceof ConfigError);
            assert.equal(error.message, `the plan has ${expected.length} problems; nothing was written: ${expected.join("; ")}`);
            return true;
          });
          assert.deepEqual(await relations(pair.target), before, "the real run wrote nothing");
          await assertNoPgferrySessions(pair.target);
          await assertNoLocksOrPreparedTransactions(pair.target);
          const locks = await pair.target.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = current_database() AND l.pid <> pg_backend_pid()",
          );
          assert.equal(locks.rows[0]?.n, 0);
        } finally {
          await pair.drop();
        }
      });
    });
  }

  it("a view whose definition means another column type on the target (EXTRACT: numeric from 14, double precision on 12) is refused; 18 → 15 keeps the type", async () => {
    // Found by the real-schema cross-version test on AdventureWorks (sales.vsalespersonsalesbyfiscalyearsdata).
    const schema = `
      CREATE TABLE sales (id int PRIMARY KEY, sold date NOT NULL);
      CREATE VIEW sales_years AS SELECT id, EXTRACT(year FROM sold) AS year FROM sales;
      INSERT INTO sales VALUES (1, '2024-05-01');`;
    for (const target of ["12", "15"] as const) {
      const pair = await pairOf(`xver_viewtype_${target}`, "18", target);
      try {
        await pair.source.query(schema);
        const dry = await syncPair(pair, { dryRun: true });
        const errors = dry.plan.diagnostics.filter((d) => d.level === "error").map((d) => d.message);
        if (target === "15") {
          assert.deepEqual(errors, []);
          const outcome = await syncPair(pair);
          assert.equal(outcome.report.ok, true, outcome.report.error);
          const type = await pair.target.query<{ t: string }>("SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'sales_years'::regclass AND attname = 'year'");
          assert.equal(type.rows[0]?.t, "numeric");
          continue;
        }
        assert.deepEqual(errors, [
          'view public.sales_years: cannot be created with the same column types on PostgreSQL 12: its definition gives column "year" type double precision there, numeric on the source',
        ]);
        await assert.rejects(syncPair(pair), ConfigError);
        const tables = await pair.target.query("SELECT 1 FROM pg_class WHERE relnamespace = 'public'::regnamespace");
        assert.equal(tables.rowCount, 0, "the real run wrote nothing");
      } finally {
        await pair.drop();
      }
    }
  });

  it("--add-columns: a VIRTUAL column is added STORED; one PostgreSQL 15 lacks the function of is refused, rehearsed on a temporary copy", async () => {
    const pair = await pairOf("xver_added", "18", "15");
    try {
      await pair.source.query(`
        CREATE TABLE accounts (id int PRIMARY KEY, name text,
          shout text GENERATED ALWAYS AS (upper(name)) VIRTUAL,
          checksum bigint GENERATED ALWAYS AS (crc32(decode(md5(name), 'hex'))) STORED);
        INSERT INTO accounts (id, name) VALUES (1, 'ann')`);
      await pair.target.query("CREATE TABLE keep (id int); INSERT INTO keep VALUES (1); CREATE TABLE accounts (id int PRIMARY KEY, name text); INSERT INTO accounts VALUES (9, 'old')");
      const before = await relations(pair.target);
      const dry = await syncPair(pair, { dryRun: true, drift: { addColumns: true } });
      assert.deepEqual(dry.plan.diagnostics.filter((d) => d.level === "error").map((d) => d.message), [
        "column public.accounts.checksum: cannot be added on PostgreSQL 15: function crc32(bytea) does not exist",
      ]);
      assert.ok(
        dry.plan.diagnostics.some((d) => d.level === "warning" && d.message.startsWith('column "shout": VIRTUAL generated columns need PostgreSQL 18, so it is created STORED on PostgreSQL 15')),
        JSON.stringify(dry.plan.diagnostics),
      );
      assert.deepEqual(await relations(pair.target), before, "no column, temporary table or temporary schema left behind");
      await assert.rejects(syncPair(pair, { drift: { addColumns: true } }), /^ConfigError: the plan has 1 problem; nothing was written: column public\.accounts\.checksum: /);
      assert.deepEqual(await relations(pair.target), before);
    } finally {
      await pair.drop();
    }
  });

  it("a protected target is not rehearsed on in a dry run: a warning says so", async () => {
    const pair = await pairOf("xver_protected", "18", "15");
    try {
      await pair.source.query(REFUSED);
      const config = configSchema.parse({});
      const dry = await runSync({
        source: resolveEndpoint(pair.sourceUrl, "source", config),
        target: { ...resolveEndpoint(pair.targetUrl, "target", config), protected: true },
        selection: { include: [], exclude: [], where: {} },
        dryRun: true,
      });
      assert.deepEqual(dry.plan.diagnostics.filter((d) => d.level === "error"), []);
      assert.deepEqual(
        dry.plan.diagnostics.filter((d) => d.level === "warning").map((d) => d.message),
        ["the schema changes were not rehearsed on the target (it is protected, and a dry run there only reads): a real run checks them before writing"],
      );
    } finally {
      await pair.drop();
    }
  });

  it("a statement kept waiting for a lock is a warning, not a refusal; once the lock is gone the run syncs", async () => {
    const pair = await pairOf("xver_busy", "18", "15");
    const holder = await connectTo(pair.targetUrl);
    try {
      await pair.source.query("CREATE TABLE parent (id int PRIMARY KEY); CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent); INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1)");
      await pair.target.query("CREATE TABLE parent (id int PRIMARY KEY); INSERT INTO parent VALUES (1)");
      await holder.query("BEGIN; LOCK parent IN ACCESS EXCLUSIVE MODE");
      const dry = await syncPair(pair, { dryRun: true, include: ["child"] });
      assert.deepEqual(dry.plan.diagnostics.filter((d) => d.level === "error"), []);
      assert.deepEqual(
        dry.plan.diagnostics.filter((d) => d.level === "warning").map((d) => d.message),
        ["constraint child_parent_id_fkey on public.child: not rehearsed on the target: another session holds a lock it needs (canceling statement due to lock timeout)"],
      );
      await holder.query("ROLLBACK");
      const { report } = await syncPair(pair, { include: ["child"] });
      assert.equal(report.ok, true, report.error);
      assert.equal(await tableFingerprint(pair.target, "child"), await tableFingerprint(pair.source, "child"));
    } finally {
      await holder.end();
      await pair.drop();
    }
  });

  it("15 → 18: the rental-store schema syncs with no refusal", async () => {
    const pair = await createDatabasePair("xver_rental", { source: machineServerUrl(), target: servers["18"]!.adminUrl });
    try {
      await loadRentalStore(pair.source);
      const { plan, report } = await syncPair(pair);
      assert.deepEqual(plan.diagnostics.filter((d) => d.level === "error"), []);
      assert.equal(report.ok, true, report.error);
      assert.deepEqual(await dataFingerprints(pair.target), await dataFingerprints(pair.source));
    } finally {
      await pair.drop();
    }
  });
});

/** Every relation, type, function, schema and public column of the database, and the rows of `keep`. */
async function relations(client: pg.Client): Promise<string[]> {
  const result = await client.query<{ name: string }>(`
    SELECT 'rel ' || n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    UNION ALL SELECT 'type ' || typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    UNION ALL SELECT 'proc ' || proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION ALL SELECT 'schema ' || nspname FROM pg_namespace
    UNION ALL SELECT 'ext ' || extname FROM pg_extension
    UNION ALL SELECT 'column ' || attrelid::regclass || '.' || attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND a.attnum > 0
    UNION ALL SELECT 'keep ' || id FROM keep
    ORDER BY 1`);
  return result.rows.map((r) => r.name);
}

/**
 * Issue 15, part A: transforms pushed down into the source's SELECT. Deterministic across runs
 * and tables (the HMAC matches Node's), FK columns follow their parent's mapping, and refusals
 * (not unique-safe, no secret, bad SQL) come before anything is written.
 */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { syncRows } from "../../src/ops/sync-rows.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const SECRET = "test-secret-0123456789";

const SCHEMA = `
  CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, name text, phone varchar(20), api_key uuid UNIQUE,
                      created_at timestamptz, updated_at timestamptz, born date, salary int, note text);
  CREATE TABLE audit (id int PRIMARY KEY, user_email text REFERENCES users (email), action text);
  CREATE TABLE contacts (id int PRIMARY KEY, email text);
`;

/** pgferry.yml's transform settings, parsed as the config loader parses them. */
function settings(yaml: { tables?: unknown; transform?: unknown }) {
  const config = configSchema.parse({ tables: yaml.tables ?? {}, transform: yaml.transform ?? { rules: [] } });
  return { tables: config.tables, transform: config.transform };
}

const CONFIG = {
  tables: {
    users: {
      transform: {
        name: { kind: "full_name" },
        phone: { kind: "phone" },
        api_key: { kind: "uuid" },
        created_at: { kind: "shift", range: "30 days" },
        updated_at: { kind: "shift", range: "30 days" },
        born: { kind: "noise", range: "100 days" },
        salary: { kind: "noise", range: 1000 },
        note: { kind: "mask", first: 2, last: 1 },
      },
    },
  },
  transform: { secret: SECRET, rules: [{ match: "*.email", kind: "email" }] },
};

/** md5(text)::uuid as PostgreSQL prints it. */
const md5Uuid = (text: string) => createHash("md5").update(text).digest("hex").replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");

const expectedEmail = (original: string) => `u${createHmac("sha256", SECRET).update(original).digest("hex").slice(0, 24)}@example.com`;

describe("transforms", () => {
  let pair: DatabasePair;
  const dumpTarget = async () =>
    (await pair.target.query(`SELECT 'users' AS t, to_jsonb(u)::text AS r FROM users u UNION ALL SELECT 'audit', to_jsonb(a)::text FROM audit a UNION ALL SELECT 'contacts', to_jsonb(c)::text FROM contacts c ORDER BY 1, 2`)).rows;

  before(async () => {
    pair = await createDatabasePair("transforms");
    await pair.source.query(`${SCHEMA}
      INSERT INTO users SELECT g, 'person' || g || '@corp.example', 'Real Name ' || g, '+49 170 ' || g, md5(g::text)::uuid,
        timestamptz '2024-01-01' + g * interval '1 day', timestamptz '2024-01-01' + g * interval '1 day' + interval '5 hours',
        date '1980-01-01' + g, 50000 + g, 'secret note ' || g FROM generate_series(1, 40) g;
      INSERT INTO audit SELECT g, 'person' || (1 + g % 40) || '@corp.example', 'login' FROM generate_series(1, 100) g;
      INSERT INTO contacts SELECT g, 'person' || g || '@corp.example' FROM generate_series(1, 10) g;
    `);
    await pair.target.query(SCHEMA);
  });
  after(async () => pair?.drop());

  it("pushes every transform into the source SELECT: the same output in every run and table, FKs still join", async () => {
    const first = await syncPair(pair, settings(CONFIG));
    assert.equal(first.report.ok, true, first.report.error);
    const once = await dumpTarget();
    const second = await syncPair(pair, settings(CONFIG));
    assert.equal(second.report.ok, true, second.report.error);
    assert.deepEqual(await dumpTarget(), once, "a second run writes the same values");
    assert.ok(!once.some((row) => /corp\.example|Real Name|\+49 170|secret note/.test(row.r)), "no original value reached the target");

    const user = (await pair.target.query("SELECT * FROM users WHERE id = 7")).rows[0];
    assert.equal(user.email, expectedEmail("person7@corp.example"), "email is u + 24 hex of HMAC-SHA256(secret, value) @ example.com");
    assert.match(user.name, /^[A-Z][a-z]+ [A-Z][a-z]+$/);
    assert.match(user.phone, /^555-\d{3}-\d{4}$/);
    assert.match(user.note, /^se\*+7$/);
    assert.ok(Math.abs(user.salary - 50007) <= 1000, `salary ${user.salary} within ±1000`);
    const checks = (
      await pair.target.query(`SELECT
        (SELECT count(*)::int FROM audit a JOIN users u ON u.email = a.user_email) AS joined,
        (SELECT count(*)::int FROM contacts c JOIN users u ON u.email = c.email) AS same_in_contacts,
        (SELECT count(DISTINCT updated_at - created_at)::int FROM users) AS gaps,
        (SELECT bool_and(updated_at - created_at = interval '5 hours') FROM users) AS gap_kept,
        (SELECT bool_and(abs(extract(epoch FROM created_at - (timestamptz '2024-01-01' + id * interval '1 day'))) <= 30 * 86400) FROM users) AS shifted_within,
        (SELECT count(*)::int FROM users WHERE created_at = timestamptz '2024-01-01' + id * interval '1 day') AS unshifted,
        (SELECT count(DISTINCT api_key)::int FROM users) AS keys`)
    ).rows[0];
    assert.deepEqual(checks, { joined: 100, same_in_contacts: 10, gaps: 1, gap_kept: true, shifted_within: true, unshifted: 0, keys: 40 });
  });

  it("refuses a transform that is not unique-safe on a UNIQUE column, before writing anything", async () => {
    const before = await dumpTarget();
    const bad = { ...CONFIG, tables: { users: { transform: { email: { kind: "first_name" } } } } };
    const outcome = await syncPair(pair, settings(bad)).then(
      () => assert.fail("the run must refuse"),
      (error: Error) => error.message,
    );
    assert.match(outcome, /^the plan has 1 problem; nothing was written: public\.users: column "email" \(text, from tables:\): kind first_name is not unique-safe \(distinct values could become equal\), but the column is in UNIQUE constraint users_email_key: use hash \(length 24\+\), email, uuid or keep$/);
    assert.deepEqual(await dumpTarget(), before);
  });

  it("refuses keyed transforms without a secret, and an FK child transformed unlike its parent", async () => {
    const noSecret = settings({ ...CONFIG, transform: { rules: [{ match: "*.email", kind: "email" }] } });
    await assert.rejects(syncPair(pair, noSecret), /use keyed transforms, which need transform\.secret/);
    const differ = settings({ ...CONFIG, tables: { ...CONFIG.tables, audit: { transform: { user_email: { kind: "hash" } } } } });
    await assert.rejects(syncPair(pair, differ), /public\.audit: column "user_email" references public\.users\.email \(FK audit_user_email_fkey\), transformed by email \(keepDomain: false, domain: "example\.com"\), but this column is transformed by hash \(length: 64\): they must be the same so the keys still join$/);
  });

  it("checks a sql transform on the source before the run", async () => {
    const bad = settings({ ...CONFIG, tables: { contacts: { transform: { email: { kind: "sql", expression: "no_such_column || 'x'" } } } } });
    await assert.rejects(syncPair(pair, { ...bad, include: ["contacts"] }), /transforms for public\.contacts are not valid SQL here: column "no_such_column" does not exist/);
    const good = settings({ ...CONFIG, tables: { contacts: { transform: { email: { kind: "sql", expression: "'c' || id || '@test.example'" } } } } });
    const run = await syncPair(pair, { ...good, include: ["contacts"] });
    assert.equal(run.report.ok, true, run.report.error);
    assert.deepEqual((await pair.target.query("SELECT email FROM contacts WHERE id = 3")).rows, [{ email: "c3@test.example" }]);
  });

  it("refuses a constant its column's type rejects before the run, by EXPLAIN on the source", async () => {
    const before = await dumpTarget();
    const bad = settings({ ...CONFIG, tables: { ...CONFIG.tables, users: { transform: { ...CONFIG.tables.users.transform, salary: { kind: "constant", value: "lots" } } } } });
    await assert.rejects(syncPair(pair, bad), /^ConfigError: transforms for public\.users are not valid SQL here: invalid input syntax for type integer: "lots" \[SQLSTATE 22P02\]$/);
    assert.deepEqual(await dumpTarget(), before);
  });

  it("merges (upsert) through the same transforms: a second run finds every row unchanged, a where filter still reads the table's columns", async () => {
    await syncPair(pair, settings(CONFIG));
    const expected = await dumpTarget();
    const upsert = await syncPair(pair, { ...settings(CONFIG), mode: "upsert", where: { contacts: "id > 0 AND email IS NOT NULL" } });
    assert.equal(upsert.report.ok, true, upsert.report.error);
    const changes = upsert.report.steps.map((s) => `${s.table.name}: ${s.changes?.inserted} inserted, ${s.changes?.updated} updated, ${s.changes?.unchanged} unchanged`);
    assert.deepEqual(changes, ["users: 0 inserted, 0 updated, 40 unchanged", "audit: 0 inserted, 0 updated, 100 unchanged", "contacts: 0 inserted, 0 updated, 10 unchanged"]);
    assert.deepEqual(await dumpTarget(), expected);
  });

  it("transforms a uuid primary key and the partitioned table that references it, under names that need quoting", async () => {
    const schema = `CREATE SCHEMA "Odd.Schema";
      CREATE TABLE "Odd.Schema"."Accounts" (id uuid PRIMARY KEY, "E-mail" text);
      CREATE TABLE "Odd.Schema".events (id int, account uuid REFERENCES "Odd.Schema"."Accounts", at date, PRIMARY KEY (id, account)) PARTITION BY RANGE (id);
      CREATE TABLE "Odd.Schema".events_1 PARTITION OF "Odd.Schema".events FOR VALUES FROM (0) TO (50);
      CREATE TABLE "Odd.Schema".events_2 PARTITION OF "Odd.Schema".events FOR VALUES FROM (50) TO (100);`;
    await pair.source.query(`${schema}
      INSERT INTO "Odd.Schema"."Accounts" SELECT md5(g::text)::uuid, 'acct' || g || '@corp.example' FROM generate_series(1, 20) g;
      INSERT INTO "Odd.Schema".events SELECT g, md5((1 + g % 20)::text)::uuid, date '2024-01-01' + g FROM generate_series(0, 99) g;`);
    const config = settings({
      tables: { '"Odd.Schema"."Accounts"': { transform: { id: { kind: "uuid" }, "E-mail": { kind: "email", keepDomain: true } } } },
      transform: { secret: SECRET, rules: [] },
    });
    const run = await syncPair(pair, { ...config, include: ['"Odd.Schema".*'] });
    assert.equal(run.report.ok, true, run.report.error);
    const facts = (
      await pair.target.query(`SELECT
        (SELECT count(*)::int FROM "Odd.Schema".events e JOIN "Odd.Schema"."Accounts" a ON a.id = e.account) AS joined,
        (SELECT count(*)::int FROM "Odd.Schema"."Accounts" WHERE id = md5('1')::uuid) AS original_ids,
        (SELECT count(*)::int FROM "Odd.Schema"."Accounts" WHERE "E-mail" ~ '^u[0-9a-f]{24}@corp\\.example$') AS kept_domain`)
    ).rows[0];
    assert.deepEqual(facts, { joined: 100, original_ids: 0, kept_domain: 20 });
    const id = createHmac("sha256", SECRET).update(md5Uuid("1")).digest("hex").slice(0, 32);
    assert.equal((await pair.target.query(`SELECT count(*)::int AS n FROM "Odd.Schema"."Accounts" WHERE id = $1::uuid`, [id])).rows[0].n, 1, "uuid = the HMAC's first 128 bits");
  });

  it("syncRows reads rows and their parents through the same transforms", async () => {
    await pair.target.query("TRUNCATE audit, users, contacts");
    const config = configSchema.parse({});
    const result = await syncRows({
      source: resolveEndpoint(pair.sourceUrl, "source", config),
      target: resolveEndpoint(pair.targetUrl, "target", config),
      table: "audit",
      where: "id <= 3",
      ...settings(CONFIG),
    });
    assert.equal(result.ok, true, result.error);
    const rows = (await pair.target.query("SELECT a.id, a.user_email, u.email, u.name FROM audit a JOIN users u ON u.email = a.user_email ORDER BY a.id")).rows;
    assert.equal(rows.length, 3, "each audit row's parent user arrived, found by its transformed email");
    assert.equal(rows[0].user_email, expectedEmail("person2@corp.example"));
    assert.ok(!JSON.stringify(await dumpTarget()).includes("corp.example"));
    const noSecret = await syncRows({
      source: resolveEndpoint(pair.sourceUrl, "source", config),
      target: resolveEndpoint(pair.targetUrl, "target", config),
      table: "audit",
      keys: [4],
      ...settings({ ...CONFIG, transform: { rules: [{ match: "*.email", kind: "email" }] } }),
    });
    assert.equal(noSecret.ok, false);
    assert.match(noSecret.error ?? "", /need transform\.secret/);
    const badSql = await syncRows({
      source: resolveEndpoint(pair.sourceUrl, "source", config),
      target: resolveEndpoint(pair.targetUrl, "target", config),
      table: "audit",
      where: "id = 4",
      ...settings({ ...CONFIG, tables: { audit: { transform: { action: { kind: "sql", expression: "no_such_column" } } } } }),
    });
    assert.equal(badSql.error, 'transforms for public.audit are not valid SQL here: column "no_such_column" does not exist [SQLSTATE 42703]');
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM audit")).rows[0].n, 3, "nothing more was written");
  });
});

describe("transforms of time values", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("transforms_tz");
    await pair.source.query(`CREATE TABLE visits (id int PRIMARY KEY, at timestamptz, token bytea);
      INSERT INTO visits VALUES (1, '2024-06-01 12:00:00+00', '\\x0102')`);
    await pair.target.query("CREATE TABLE visits (id int PRIMARY KEY, at timestamptz, token bytea)");
  });
  after(async () => pair?.drop());

  it("hash a timestamptz and a bytea the same whatever the source role's TimeZone and bytea_output", async () => {
    const config = settings({ tables: { visits: { transform: { at: { kind: "noise", range: "1 day" }, token: { kind: "hash" } } } }, transform: { secret: SECRET, rules: [] } });
    const database = (await pair.source.query("SELECT quote_ident(current_database()) AS d")).rows[0].d as string;
    const results: unknown[] = [];
    for (const [zone, output] of [["UTC", "hex"], ["Asia/Kolkata", "escape"]]) {
      await pair.source.query(`ALTER DATABASE ${database} SET TimeZone = '${zone}'`);
      await pair.source.query(`ALTER DATABASE ${database} SET bytea_output = '${output}'`);
      const run = await syncPair(pair, config);
      assert.equal(run.report.ok, true, run.report.error);
      results.push((await pair.target.query("SELECT extract(epoch FROM at)::text AS at, encode(token, 'hex') AS token FROM visits")).rows[0]);
    }
    assert.deepEqual(results[1], results[0]);
    const expected = createHmac("sha256", SECRET).update("\\x0102").digest("hex");
    assert.deepEqual(results[0], { at: (results[0] as { at: string }).at, token: expected });
  });
});

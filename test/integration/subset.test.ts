/**
 * Issue 15, subsetting: root filters followed through foreign keys (composite, self-referencing,
 * cyclic, virtual), computed in the source snapshot. Each run's target must hold exactly the rows
 * an independent computation expects: here, a fixpoint in JavaScript over the source's rows read
 * with plain SQL, from the same rules (roots, children of kept rows where enabled, parents of
 * every kept row, tables connected to no root whole).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { dumpSnapshot } from "../../src/archive/dump-snapshot.js";
import { restoreSnapshot } from "../../src/archive/restore-snapshot.js";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { createFileStore } from "../../src/storage/file-store.js";
import type { SubsetSpec } from "../../src/plan/subset-spec.js";
import { syncPair } from "../harness/sync-helpers.js";
import { connectTo, createDatabasePair, type DatabasePair } from "../harness/test-databases.js";
import type pg from "pg";

const SCHEMA = `
  CREATE TABLE orgs (id int PRIMARY KEY, name text);
  CREATE TABLE users (id int PRIMARY KEY, org_id int REFERENCES orgs, created_at date NOT NULL, email text UNIQUE);
  CREATE TABLE products (id int PRIMARY KEY, name text);
  CREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users, placed date NOT NULL);
  CREATE TABLE order_items (order_id int REFERENCES orders, line int, product_id int REFERENCES products, qty int, PRIMARY KEY (order_id, line));
  CREATE TABLE shipments (order_id int, line int, carrier text, FOREIGN KEY (order_id, line) REFERENCES order_items);
  CREATE TABLE events (user_id int REFERENCES users, kind text);
  CREATE TABLE employees (id int PRIMARY KEY, manager_id int REFERENCES employees, user_id int REFERENCES users);
  CREATE TABLE teams (id int PRIMARY KEY, lead_id int);
  CREATE TABLE members (id int PRIMARY KEY, team_id int NOT NULL REFERENCES teams, user_id int REFERENCES users);
  ALTER TABLE teams ADD FOREIGN KEY (lead_id) REFERENCES members;
  CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users);
  CREATE TABLE comments (id int PRIMARY KEY, commentable_type text NOT NULL, commentable_id int NOT NULL, body text);
  CREATE TABLE settings (k text PRIMARY KEY, v text);
  -- A partitioned table whose FK is declared on its partition only (as Pagila's payment).
  CREATE TABLE visits (id int, user_id int, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
  CREATE TABLE visits_2024 PARTITION OF visits FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  ALTER TABLE visits_2024 ADD FOREIGN KEY (user_id) REFERENCES users;

  INSERT INTO orgs SELECT g, 'org ' || g FROM generate_series(1, 10) g;
  INSERT INTO users SELECT g, 1 + g % 10, DATE '2024-01-01' + g, 'user' || g || '@example.org' FROM generate_series(1, 200) g;
  INSERT INTO products SELECT g, 'p' || g FROM generate_series(1, 30) g;
  INSERT INTO orders SELECT g, 1 + (g * 7) % 200, DATE '2024-01-01' + g % 300 FROM generate_series(1, 400) g;
  INSERT INTO order_items SELECT o, l, 1 + (o * l) % 30, l FROM generate_series(1, 400) o, generate_series(1, 3) l WHERE l <= 1 + o % 3;
  INSERT INTO shipments SELECT order_id, line, 'ups' FROM order_items WHERE line = 1 AND order_id % 2 = 0;
  INSERT INTO shipments SELECT order_id, line, 'ups' FROM order_items WHERE line = 1 AND order_id % 10 = 0;
  INSERT INTO events SELECT 1 + g % 200, 'login' FROM generate_series(1, 300) g;
  INSERT INTO employees SELECT g, CASE WHEN g = 1 THEN NULL ELSE g / 2 END, 1 + (g * 3) % 200 FROM generate_series(1, 60) g;
  INSERT INTO teams SELECT g, NULL FROM generate_series(1, 8) g;
  INSERT INTO members SELECT g, 1 + g % 8, 1 + (g * 11) % 200 FROM generate_series(1, 40) g;
  UPDATE teams SET lead_id = 1 + (id * 3) % 40;
  INSERT INTO posts SELECT g, 1 + (g * 13) % 200 FROM generate_series(1, 50) g;
  INSERT INTO comments SELECT g, CASE WHEN g % 2 = 0 THEN 'Post' ELSE 'Order' END, CASE WHEN g % 2 = 0 THEN 1 + g % 50 ELSE 1 + g % 400 END, 'c' FROM generate_series(1, 100) g;
  INSERT INTO settings VALUES ('a', '1'), ('b', '2');
  INSERT INTO visits SELECT g, 1 + (g * 17) % 200, DATE '2024-01-01' + g FROM generate_series(1, 100) g;
  ANALYZE;
`;

type Row = Record<string, unknown>;

/** A relation the expected computation follows: child rows' columns equal parent rows' columns (when `when` holds). */
interface Relation {
  readonly child: string;
  readonly parent: string;
  readonly childColumns: readonly string[];
  readonly parentColumns: readonly string[];
  readonly when?: (row: Row) => boolean;
}

const FOREIGN_KEYS: readonly Relation[] = [
  { child: "users", parent: "orgs", childColumns: ["org_id"], parentColumns: ["id"] },
  { child: "orders", parent: "users", childColumns: ["user_id"], parentColumns: ["id"] },
  { child: "order_items", parent: "orders", childColumns: ["order_id"], parentColumns: ["id"] },
  { child: "order_items", parent: "products", childColumns: ["product_id"], parentColumns: ["id"] },
  { child: "shipments", parent: "order_items", childColumns: ["order_id", "line"], parentColumns: ["order_id", "line"] },
  { child: "events", parent: "users", childColumns: ["user_id"], parentColumns: ["id"] },
  { child: "employees", parent: "employees", childColumns: ["manager_id"], parentColumns: ["id"] },
  { child: "employees", parent: "users", childColumns: ["user_id"], parentColumns: ["id"] },
  { child: "teams", parent: "members", childColumns: ["lead_id"], parentColumns: ["id"] },
  { child: "members", parent: "teams", childColumns: ["team_id"], parentColumns: ["id"] },
  { child: "members", parent: "users", childColumns: ["user_id"], parentColumns: ["id"] },
  { child: "posts", parent: "users", childColumns: ["user_id"], parentColumns: ["id"] },
  { child: "visits", parent: "users", childColumns: ["user_id"], parentColumns: ["id"] },
];
const TABLES = ["orgs", "users", "products", "orders", "order_items", "shipments", "events", "employees", "teams", "members", "posts", "comments", "settings", "visits"];

const VIRTUAL: SubsetSpec["virtualForeignKeys"] = [
  { from: "public.comments(commentable_id)", to: "public.posts(id)", where: "commentable_type = 'Post'" },
  { from: "public.comments(commentable_id)", to: "public.orders(id)", where: "commentable_type = 'Order'" },
];
const VIRTUAL_RELATIONS: readonly Relation[] = [
  { child: "comments", parent: "posts", childColumns: ["commentable_id"], parentColumns: ["id"], when: (r) => r.commentable_type === "Post" },
  { child: "comments", parent: "orders", childColumns: ["commentable_id"], parentColumns: ["id"], when: (r) => r.commentable_type === "Order" },
];

/** Every row of every table, as JSON text keyed by table (a keyless table's duplicates kept). */
async function readAll(client: pg.Client): Promise<Map<string, Row[]>> {
  const all = new Map<string, Row[]>();
  for (const table of TABLES) all.set(table, (await client.query<{ r: Row }>(`SELECT to_jsonb(t) AS r FROM ${table} t`)).rows.map((x) => x.r));
  return all;
}

const tuple = (row: Row, columns: readonly string[]) => JSON.stringify(columns.map((c) => row[c]));
const hasNull = (row: Row, columns: readonly string[]) => columns.some((c) => row[c] === null);

/**
 * The rows a subset keeps, by the README's rules, computed over rows in memory: the roots' rows;
 * then (children) rows of enabled tables referencing rows in that set, to a fixpoint; then the
 * parents of every kept row, to a fixpoint. Tables connected to no root (by any relation) whole.
 */
function expectedSubset(rows: Map<string, Row[]>, roots: Record<string, (row: Row) => boolean>, children: readonly string[], relations: readonly Relation[]): Map<string, Row[]> {
  const kept = new Map<string, Set<Row>>(TABLES.map((t) => [t, new Set(rows.get(t)!.filter((r) => roots[t]?.(r) ?? false))]));
  const grow = (from: (rel: Relation) => string, to: (rel: Relation) => string, fromColumns: (rel: Relation) => readonly string[], toColumns: (rel: Relation) => readonly string[], only: (rel: Relation) => boolean) => {
    for (let changed = true; changed; ) {
      changed = false;
      for (const rel of relations.filter(only)) {
        const fromChild = from(rel) === rel.child;
        const values = new Set([...kept.get(from(rel))!].filter((r) => !hasNull(r, fromColumns(rel)) && (!fromChild || (rel.when?.(r) ?? true))).map((r) => tuple(r, fromColumns(rel))));
        for (const row of rows.get(to(rel))!) {
          if (kept.get(to(rel))!.has(row) || hasNull(row, toColumns(rel)) || (!fromChild && !(rel.when?.(row) ?? true))) continue;
          if (values.has(tuple(row, toColumns(rel)))) {
            kept.get(to(rel))!.add(row);
            changed = true;
          }
        }
      }
    }
  };
  const down = new Set(Object.keys(roots));
  for (let changed = true; changed; ) {
    changed = false;
    for (const rel of relations) {
      if (!down.has(rel.parent) || !children.includes(rel.child) || down.has(rel.child)) continue;
      down.add(rel.child);
      changed = true;
    }
  }
  grow((r) => r.parent, (r) => r.child, (r) => r.parentColumns, (r) => r.childColumns, (r) => down.has(r.parent) && down.has(r.child) && children.includes(r.child));
  grow((r) => r.child, (r) => r.parent, (r) => r.childColumns, (r) => r.parentColumns, () => true);
  const connected = new Set(Object.keys(roots));
  for (let changed = true; changed; ) {
    changed = false;
    for (const rel of relations) {
      if (connected.has(rel.child) === connected.has(rel.parent)) continue;
      connected.add(rel.child);
      connected.add(rel.parent);
      changed = true;
    }
  }
  return new Map(TABLES.map((t) => [t, connected.has(t) ? [...kept.get(t)!] : rows.get(t)!]));
}

const canonical = (rows: readonly Row[]) => rows.map((r) => JSON.stringify(r)).sort();

describe("subset", () => {
  let pair: DatabasePair;
  let sourceRows: Map<string, Row[]>;
  const spec = (extra: Partial<SubsetSpec> & Pick<SubsetSpec, "roots">): SubsetSpec => configSchema.parse({ subset: extra }).subset!;

  /** Sync the subset into the pair's target (created on the first run, refreshed after) and compare with the expectation. */
  async function syncAndCompare(subset: SubsetSpec, roots: Record<string, (row: Row) => boolean>, children: readonly string[], relations = FOREIGN_KEYS) {
    const { report, plan } = await syncPair(pair, { subset });
    assert.equal(report.committed, true, report.error);
    const expected = expectedSubset(sourceRows, roots, children, relations);
    const actual = await readAll(pair.target);
    for (const table of TABLES) assert.deepEqual(canonical(actual.get(table)!), canonical(expected.get(table)!), `rows of ${table}`);
    const invalid = await pair.target.query("SELECT conname FROM pg_constraint WHERE contype = 'f' AND NOT convalidated");
    assert.deepEqual(invalid.rows, [], "every FK on the target is validated");
    const fks = await pair.target.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace");
    assert.equal(fks.rows[0]!.n, FOREIGN_KEYS.length);
    return { report, plan, expected };
  }

  before(async () => {
    pair = await createDatabasePair("subset");
    await pair.source.query(SCHEMA);
    sourceRows = await readAll(pair.source);
  });
  after(async () => {
    await pair?.drop();
  });

  it("a chain: the root's rows and every parent up the chain; children left out; unconnected tables whole", async () => {
    const recent = (r: Row) => String(r.placed) >= "2024-09-01";
    const { plan, report, expected } = await syncAndCompare(spec({ roots: { "public.orders": "placed >= '2024-09-01'" } }), { orders: recent }, []);
    assert.ok(expected.get("orders")!.length > 10 && expected.get("orders")!.length < 400, "the root keeps some of its rows");
    assert.ok(expected.get("users")!.length < 200 && expected.get("orgs")!.length > 0);
    assert.equal(expected.get("order_items")!.length, 0);
    const summary = (name: string) => plan.actions.find((a) => a.table.name === name && (a.kind === "create" || a.kind === "refresh"));
    const orders = summary("orders");
    assert.ok(orders && (orders.kind === "create" || orders.kind === "refresh"));
    assert.equal(orders.copy.subset?.summary, "root: placed >= '2024-09-01'");
    const users = summary("users");
    assert.ok(users?.kind === "create" && users.copy.subset?.summary.includes("parents of public.orders"), JSON.stringify(users));
    const settings = summary("settings");
    assert.ok(settings?.kind === "create" && settings.copy.subset?.summary.startsWith("copied whole"));
    const step = report.steps.find((s) => s.table.name === "orders")!;
    assert.equal(step.rows, expected.get("orders")!.length);
    assert.equal(step.subset?.tableRows, 400, "the report knows the table's size (kept of total)");
  });

  it("children: true keeps the rows referencing kept rows, down through composite keys, keyless tables, a self-reference and a cycle, then their parents", async () => {
    const roots = { users: (r: Row) => String(r.created_at) >= "2024-06-20" };
    const { expected } = await syncAndCompare(spec({ roots: { users: "created_at >= '2024-06-20'" }, children: true }), roots, TABLES);
    for (const table of ["orders", "order_items", "shipments", "events", "employees", "members", "teams", "posts"]) {
      assert.ok(expected.get(table)!.length > 0, `${table} keeps rows`);
    }
    const rooted = sourceRows.get("users")!.filter(roots.users).length;
    assert.ok(expected.get("users")!.length > rooted, "parents of kept employees and members add users outside the root filter");
  });

  it("a self-reference: an employee keeps the whole manager chain up to the top", async () => {
    const { expected } = await syncAndCompare(spec({ roots: { employees: "id = 50" } }), { employees: (r) => r.id === 50 }, []);
    assert.deepEqual(expected.get("employees")!.map((r) => r.id).sort((a, b) => Number(a) - Number(b)), [1, 3, 6, 12, 25, 50]);
  });

  it("a two-table FK cycle: a team keeps its lead, the lead's team, that team's lead… until no new row appears", async () => {
    // Team 2's lead is member 7 (team 8), whose lead is member 25 (team 2): around the cycle twice.
    const { expected } = await syncAndCompare(spec({ roots: { teams: "id = 2" } }), { teams: (r) => r.id === 2 }, []);
    assert.deepEqual(expected.get("teams")!.map((r) => r.id).sort(), [2, 8]);
    assert.deepEqual(expected.get("members")!.map((r) => r.id).sort(), [25, 7]);
  });

  it("a cycle with children: down and up through teams and members", async () => {
    await syncAndCompare(spec({ roots: { teams: "id = 3" }, children: ["members", "teams"] }), { teams: (r) => r.id === 3 }, ["members", "teams"]);
  });

  it("virtual foreign keys: polymorphic comments keep the posts and orders they point at, and their parents", async () => {
    const subset = spec({ roots: { comments: "id <= 10" }, virtualForeignKeys: VIRTUAL });
    const { expected } = await syncAndCompare(subset, { comments: (r) => Number(r.id) <= 10 }, [], [...FOREIGN_KEYS, ...VIRTUAL_RELATIONS]);
    assert.equal(expected.get("posts")!.length, 5);
    assert.equal(expected.get("orders")!.length, 5);
  });

  it("a virtual foreign key's children: the comments on kept orders (only those of type Order)", async () => {
    const subset = spec({ roots: { orders: "id <= 40" }, children: ["comments"], virtualForeignKeys: VIRTUAL });
    const { expected } = await syncAndCompare(subset, { orders: (r) => Number(r.id) <= 40 }, ["comments"], [...FOREIGN_KEYS, ...VIRTUAL_RELATIONS]);
    assert.ok(expected.get("comments")!.length > 0 && expected.get("comments")!.every((r) => r.commentable_type === "Order"));
  });

  it("percent and limit: a deterministic share (hash of the key) and the first rows by key; two runs keep the same rows", async () => {
    const subset = spec({ roots: { orders: "placed >= '2024-03-01'" }, percent: 30, limit: 25 });
    // The expected root rows, in plain SQL on the source: the filter, the share by the key's hash, the first 25 by key.
    const picked = await pair.source.query<{ id: number }>(
      "SELECT id FROM orders WHERE placed >= '2024-03-01' AND abs(hashtextextended(ROW(id)::text, 0) % 10000) < 3000 ORDER BY id LIMIT 25",
    );
    const ids = new Set(picked.rows.map((r) => r.id));
    assert.equal(ids.size, 25);
    const first = await syncAndCompare(subset, { orders: (r) => ids.has(Number(r.id)) }, []);
    const second = await syncAndCompare(subset, { orders: (r) => ids.has(Number(r.id)) }, []);
    assert.deepEqual(canonical(first.expected.get("orders")!), canonical(second.expected.get("orders")!));
    const matching = sourceRows.get("orders")!.filter((r) => String(r.placed) >= "2024-03-01").length;
    assert.ok(matching * 0.3 > 25, "the limit, not the share, bounds the rows");
  });

  it("an FK declared on a partition only: a partitioned root's rows keep their users", async () => {
    const { expected } = await syncAndCompare(spec({ roots: { visits: "id <= 20" } }), { visits: (r) => Number(r.id) <= 20 }, []);
    assert.equal(expected.get("users")!.length, 20);
  });

  it("a keyless root with percent and limit: rows picked by a hash of the whole row and by row order, the same each run", async () => {
    const subset = spec({ roots: { events: "kind = 'login'" }, percent: 50, limit: 10 });
    const picked = await pair.source.query<{ r: Row }>(
      "SELECT to_jsonb(e) AS r FROM events e WHERE kind = 'login' AND abs(hashtextextended(ROW(user_id, kind)::text, 0) % 10000) < 5000 ORDER BY ROW(user_id, kind)::text LIMIT 10",
    );
    const rows = picked.rows.map((x) => x.r);
    assert.equal(rows.length, 10);
    for (let run = 0; run < 2; run += 1) {
      const { report } = await syncPair(pair, { subset });
      assert.equal(report.committed, true, report.error);
      const events = (await pair.target.query<{ r: Row }>("SELECT to_jsonb(e) AS r FROM events e")).rows.map((x) => x.r);
      assert.deepEqual(canonical(events), canonical(rows));
      const users = (await pair.target.query<{ id: number }>("SELECT id FROM users ORDER BY id")).rows.map((u) => u.id);
      assert.deepEqual(users, [...new Set(rows.map((r) => Number(r.user_id)))].sort((a, b) => a - b));
    }
  });

  it("a user where on a subset table combines with AND, and its rows' parents follow", async () => {
    const { report } = await syncPair(pair, { subset: spec({ roots: { orders: "placed >= '2024-09-01'" } }), where: { orders: "id % 2 = 0" } });
    assert.equal(report.committed, true, report.error);
    const expected = expectedSubset(sourceRows, { orders: (r) => String(r.placed) >= "2024-09-01" && Number(r.id) % 2 === 0 }, [], FOREIGN_KEYS);
    const actual = await readAll(pair.target);
    for (const table of TABLES) assert.deepEqual(canonical(actual.get(table)!), canonical(expected.get(table)!), `rows of ${table}`);
  });

  it("with transforms: the subset's rows, transformed; the subset is chosen on the source's values", async () => {
    const config = configSchema.parse({
      tables: { users: { transform: { email: { kind: "email" } } } },
      transform: { secret: "subset-secret-0123456789" },
      subset: { roots: { orders: "placed >= '2024-09-01'" } },
    });
    const { report } = await syncPair(pair, { subset: config.subset!, tables: config.tables, transform: config.transform });
    assert.equal(report.committed, true, report.error);
    const expected = expectedSubset(sourceRows, { orders: (r) => String(r.placed) >= "2024-09-01" }, [], FOREIGN_KEYS);
    const users = (await pair.target.query<{ id: number; email: string }>("SELECT id, email FROM users ORDER BY id")).rows;
    assert.deepEqual(users.map((u) => u.id), expected.get("users")!.map((r) => Number(r.id)).sort((a, b) => a - b));
    assert.ok(users.every((u) => u.email.endsWith("@example.com") && !u.email.startsWith("user")), "emails are transformed");
  });

  it("upsert into a populated target: the subset's rows are merged, the target's other rows stay", async () => {
    const full = await syncPair(pair, {});
    assert.equal(full.report.committed, true, full.report.error);
    await pair.source.query("UPDATE orgs SET name = name || ' (renamed)'");
    try {
      const { report } = await syncPair(pair, { include: ["orgs", "users"], subset: spec({ roots: { users: "id <= 5" } }), mode: "upsert" });
      assert.equal(report.committed, true, report.error);
      const orgs = (await pair.target.query<{ id: number; name: string }>("SELECT id, name FROM orgs ORDER BY id")).rows;
      const keptOrgs = new Set([1, 2, 3, 4, 5].map((id) => 1 + (id % 10)));
      assert.equal(orgs.length, 10, "no row deleted");
      for (const org of orgs) assert.equal(org.name.endsWith("(renamed)"), keptOrgs.has(org.id), `org ${org.id}`);
      assert.equal((await pair.target.query("SELECT 1 FROM users")).rowCount, 200);
      // insert-missing with the subset: every kept row is already there, so nothing changes.
      const missing = await syncPair(pair, { include: ["orgs", "users"], subset: spec({ roots: { users: "id <= 5" } }), mode: "insert-missing" });
      assert.equal(missing.report.committed, true, missing.report.error);
      assert.deepEqual(missing.report.steps.map((s) => [s.table.name, s.changes?.inserted, s.changes?.unchanged]), [["orgs", 0, 5], ["users", 0, 5]]);
    } finally {
      await pair.source.query("UPDATE orgs SET name = 'org ' || id");
    }
  });

  it("refuses delete-missing with a subset (one line naming the table); nothing is written", async () => {
    const before = (await pair.target.query<{ n: number }>("SELECT count(*)::int AS n FROM users")).rows[0]!.n;
    await assert.rejects(
      syncPair(pair, { include: ["orgs", "users"], subset: spec({ roots: { users: "id <= 5" } }), mode: "upsert", deleteMissing: true }),
      (error: Error) => /public\.users: delete-missing cannot apply to a subset table/.test(error.message) && !error.message.includes("\n"),
    );
    assert.equal((await pair.target.query<{ n: number }>("SELECT count(*)::int AS n FROM users")).rows[0]!.n, before);
    // A subset condition naming a table the target lacks: still the plan's refusal, never the condition run on the target.
    await pair.target.query("DROP TABLE settings");
    const subset = spec({ roots: { settings: "true" }, virtualForeignKeys: [{ from: "settings(k)", to: "users(email)" }] });
    await assert.rejects(
      syncPair(pair, { include: ["orgs", "users", "settings"], subset, mode: "upsert", deleteMissing: true }),
      (error: Error) => /public\.users: delete-missing cannot apply to a subset table/.test(error.message),
    );
  });

  it("refuses, before writing, an unknown root, a root filter that is not valid SQL and a virtual FK naming an unknown column", async () => {
    const before = (await pair.target.query<{ n: number }>("SELECT count(*)::int AS n FROM users")).rows[0]!.n;
    await assert.rejects(syncPair(pair, { subset: spec({ roots: { "public.nope": "true" } }) }), /subset root "public\.nope" matches no selected table/);
    await assert.rejects(syncPair(pair, { subset: spec({ roots: { users: "no_such_column > 1" } }) }), /subset root filter for public\.users is not valid SQL here: .*no_such_column/);
    await assert.rejects(
      syncPair(pair, { subset: spec({ roots: { users: "true" }, virtualForeignKeys: [{ from: "comments(nope)", to: "posts(id)" }] }) }),
      /public\.comments: subset\.virtualForeignKeys\[0\]: no column "nope" in public\.comments/,
    );
    await assert.rejects(
      syncPair(pair, { subset: spec({ roots: { users: "true" }, virtualForeignKeys: [{ from: "comments(commentable_id)", to: "posts(id)", where: "kind = 1" }] }) }),
      /subset\.virtualForeignKeys\[0\]\.where for public\.comments is not valid SQL here/,
    );
    // A where filter that is not valid SQL is named at its own table, not at a parent whose subset condition embeds it.
    await assert.rejects(syncPair(pair, { subset: spec({ roots: { users: "id < 5" }, children: true }), where: { orders: "nope > 1" } }), /^ConfigError: where filter for public\.orders is not valid SQL here/);
    assert.equal((await pair.target.query<{ n: number }>("SELECT count(*)::int AS n FROM users")).rowCount, 1);
    assert.equal((await pair.target.query<{ n: number }>("SELECT count(*)::int AS n FROM users")).rows[0]!.n, before);
  });

  it("dump and restore: the snapshot holds the subset, and restores into an empty database with every FK", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pgferry-subset-"));
    const store = createFileStore(dir);
    const config = configSchema.parse({});
    const subset = spec({ roots: { employees: "id = 50" }, children: ["employees"] });
    await dumpSnapshot({
      source: resolveEndpoint(pair.sourceUrl, "source", config),
      store,
      selection: { include: [], exclude: [], where: {} },
      subset,
      lockTimeoutSeconds: 10,
      pgferryVersion: "test",
    });
    const empty = await createDatabasePair("subset_restore");
    try {
      const { report } = await restoreSnapshot({ store, snapshot: "latest", target: resolveEndpoint(empty.targetUrl, "target", config) });
      assert.equal(report.committed, true, report.error);
      const expected = expectedSubset(sourceRows, { employees: (r) => r.id === 50 }, ["employees"], FOREIGN_KEYS);
      const client = await connectTo(empty.targetUrl);
      try {
        const actual = await readAll(client);
        for (const table of TABLES) assert.deepEqual(canonical(actual.get(table)!), canonical(expected.get(table)!), `rows of ${table}`);
        const fks = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND convalidated");
        assert.equal(fks.rows[0]!.n, FOREIGN_KEYS.length);
      } finally {
        await client.end();
      }
    } finally {
      await empty.drop();
    }
  });
});

describe("subset on a rich application schema (test/fixtures/rental-store.sql)", () => {
  let rich: DatabasePair;
  before(async () => {
    rich = await createDatabasePair("subset_rich");
    await rich.source.query(readFileSync(new URL("../fixtures/rental-store.sql", import.meta.url), "utf8"));
    await rich.source.query("ANALYZE");
  });
  after(async () => rich?.drop());

  it("a partitioned payments table (FKs to customers and rentals), deferrable FKs and citext keys: the children of the root customers, every FK valid", async () => {
    const subset = configSchema.parse({ subset: { roots: { "store.customer": "customer_id % 10 = 1" }, children: true } }).subset!;
    const { report } = await syncPair(rich, { subset });
    assert.equal(report.committed, true, report.error);
    const ids = async (client: pg.Client, sql: string) => (await client.query<{ id: string }>(sql)).rows.map((r) => String(r.id)).sort();
    const roots = "SELECT customer_id FROM store.customer WHERE customer_id % 10 = 1";
    const rentals = `SELECT rental_id FROM store.rental WHERE customer_id IN (${roots})`;
    // Nothing references a payment: it keeps exactly the payments of the root customers and of their rentals.
    assert.deepEqual(await ids(rich.target, "SELECT payment_id AS id FROM public.payment"), await ids(rich.source, `SELECT payment_id AS id FROM public.payment WHERE customer_id IN (${roots}) OR rental_id IN (${rentals})`));
    const keptRentals = await ids(rich.source, `SELECT rental_id AS id FROM store.rental WHERE rental_id IN (${rentals}) OR rental_id IN (SELECT rental_id FROM public.payment WHERE customer_id IN (${roots}))`);
    assert.deepEqual(await ids(rich.target, "SELECT rental_id AS id FROM store.rental"), keptRentals);
    assert.ok(keptRentals.length > 0);
    const invalid = await rich.target.query("SELECT conname FROM pg_constraint WHERE contype = 'f' AND NOT convalidated");
    assert.deepEqual(invalid.rows, []);
    const fks = async (client: pg.Client) => (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f'")).rows[0]!.n;
    assert.equal(await fks(rich.target), await fks(rich.source));
  });
});

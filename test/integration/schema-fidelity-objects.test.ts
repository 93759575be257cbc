/**
 * Issue 14: objects a created table or view needs that pgferry did not create. User-defined
 * aggregates (with their support functions) used by a view, judged by pg_dump on the machine's
 * PostgreSQL 15, and a free-standing sequence only a function body names.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertSameSchema, dumpSchema } from "../harness/schema-dump.js";
import { assertConverged } from "../harness/assert-converged.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, machineServerUrl, type DatabasePair } from "../harness/test-databases.js";

const AGGREGATES = `
  CREATE TABLE film (id int PRIMARY KEY, title text NOT NULL, rating numeric NOT NULL);
  INSERT INTO film SELECT i, 'film ' || i, i * 1.5 FROM generate_series(1, 5) i;

  CREATE FUNCTION concat_step(acc text, item text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS
    $$ BEGIN RETURN CASE WHEN acc IS NULL THEN item ELSE acc || ', ' || item END; END $$;
  CREATE AGGREGATE group_concat(text) (SFUNC = concat_step, STYPE = text);
  COMMENT ON AGGREGATE group_concat(text) IS 'joins with commas';

  -- A final function, an initial value, a moving-aggregate variant (with an inverse) and PARALLEL.
  CREATE FUNCTION avg_step(state numeric[], x numeric) RETURNS numeric[] LANGUAGE sql IMMUTABLE AS
    'SELECT ARRAY[state[1] + x, state[2] + 1]';
  CREATE FUNCTION avg_unstep(state numeric[], x numeric) RETURNS numeric[] LANGUAGE sql IMMUTABLE AS
    'SELECT ARRAY[state[1] - x, state[2] - 1]';
  CREATE FUNCTION avg_final(state numeric[]) RETURNS numeric LANGUAGE sql IMMUTABLE AS
    'SELECT CASE WHEN state[2] = 0 THEN NULL ELSE round(state[1] / state[2], 2) END';
  CREATE AGGREGATE "My Avg"(numeric) (
    SFUNC = avg_step, STYPE = numeric[], FINALFUNC = avg_final, INITCOND = '{0,0}',
    MSFUNC = avg_step, MINVFUNC = avg_unstep, MSTYPE = numeric[], MFINALFUNC = avg_final, MINITCOND = '{0,0}',
    PARALLEL = SAFE);

  -- An ordered-set aggregate over a built-in support function.
  CREATE AGGREGATE most_common(ORDER BY anyelement) (SFUNC = ordered_set_transition, STYPE = internal, FINALFUNC = mode_final, FINALFUNC_EXTRA);

  -- A sort operator, a combine function, a shareable final function.
  CREATE AGGREGATE top_id(int) (SFUNC = int4larger, STYPE = int, SORTOP = >, COMBINEFUNC = int4larger, PARALLEL = RESTRICTED);
  CREATE FUNCTION shout(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT upper($1)';
  CREATE AGGREGATE shouted(text) (SFUNC = concat_step, STYPE = text, FINALFUNC = shout, FINALFUNC_MODIFY = SHAREABLE, SSPACE = 64);

  CREATE VIEW film_summary AS
    SELECT group_concat(title ORDER BY id) AS titles, "My Avg"(rating) AS average,
           most_common() WITHIN GROUP (ORDER BY rating > 3) AS mostly_above, top_id(id) AS top, shouted(title) AS loud
      FROM film;
  CREATE VIEW film_running AS
    SELECT id, "My Avg"(rating) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS running FROM film;
`;

describe("schema fidelity: user-defined aggregates a view uses", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("fid_agg", { source: machineServerUrl(), target: machineServerUrl() });
    await pair.source.query(AGGREGATES);
  });
  after(async () => pair?.drop());

  it("creates the aggregates and their support functions before the views, as pg_dump sees them", async () => {
    const { plan, report } = await syncPair(pair);
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps.filter((s) => s.status !== "ok" && s.status !== "skipped")));
    assert.deepEqual(plan.diagnostics.filter((d) => d.level !== "info").map((d) => d.message), []);

    const query = "SELECT * FROM film_summary UNION ALL SELECT NULL, running, NULL, id, NULL FROM film_running";
    assert.deepEqual((await pair.target.query(query)).rows, (await pair.source.query(query)).rows, "the views work on the target");

    const [source, target] = [await dumpSchema(pair.sourceUrl), await dumpSchema(pair.targetUrl)];
    const aggregates = [...source.keys()].filter((k) => k.startsWith("AGGREGATE "));
    assert.deepEqual(aggregates.sort(), [
      "AGGREGATE My Avg(numeric); Schema: public",
      "AGGREGATE group_concat(text); Schema: public",
      "AGGREGATE most_common(anyelement); Schema: public",
      "AGGREGATE shouted(text); Schema: public",
      "AGGREGATE top_id(integer); Schema: public",
    ]);
    for (const key of [...aggregates, "COMMENT AGGREGATE group_concat(text); Schema: public"]) {
      assert.equal(target.get(key), source.get(key), key);
    }
    await assertConverged(pair);
  });
});

// The GitLab pattern: a trigger assigns ids from a sequence that nothing owns and no default names.
const TRIGGER_IDS = `
  CREATE SCHEMA ci;
  CREATE SEQUENCE public.items_id_seq START 100;
  CREATE SEQUENCE ci."Builds Seq" INCREMENT 5;
  CREATE TABLE items (id bigint PRIMARY KEY, build_id bigint, name text NOT NULL);
  CREATE FUNCTION assign_item_id() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.id := nextval('public.items_id_seq');
      NEW.build_id := nextval('"Builds Seq"'::regclass);
      RETURN NEW;
    END $$ SET search_path = ci, public;
  CREATE TRIGGER items_assign_id BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION assign_item_id();
  INSERT INTO items (name) SELECT 'item ' || i FROM generate_series(1, 3) i;
`;

describe("schema fidelity: a free-standing sequence only a function body names", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("fid_seq", { source: machineServerUrl(), target: machineServerUrl() });
    await pair.source.query(TRIGGER_IDS);
  });
  after(async () => pair?.drop());

  it("is created with the function and continues where the source's stopped", async () => {
    const { report } = await syncPair(pair);
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps.filter((s) => s.status !== "ok" && s.status !== "skipped")));
    await assertConverged(pair);
    const inserted = await pair.target.query("INSERT INTO items (name) VALUES ('on the target') RETURNING id::int, build_id::int");
    assert.deepEqual(inserted.rows, [{ id: 103, build_id: 16 }], "the trigger's sequences go on after the source's last values");

    const [source, target] = [await dumpSchema(pair.sourceUrl), await dumpSchema(pair.targetUrl)];
    for (const key of ["SEQUENCE items_id_seq; Schema: public", "SEQUENCE Builds Seq; Schema: ci"]) assert.equal(target.get(key), source.get(key), key);
  });
});

// Types and functions built from each other: a domain whose CHECK calls a function, a function
// taking that domain, a function returning a table's rows (pg_restore orders them by dependency).
const INTERLOCKED = `
  CREATE FUNCTION is_valid_email(value text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT value LIKE '%_@_%' $$;
  CREATE DOMAIN email AS text CHECK (is_valid_email(VALUE));
  CREATE TYPE tier AS ENUM ('free', 'paid');
  CREATE FUNCTION email_domain(address email) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT split_part(address, '@', 2) $$;
  CREATE FUNCTION default_tier() RETURNS tier LANGUAGE sql IMMUTABLE AS $$ SELECT 'free'::tier $$;
  CREATE TABLE customer (id int PRIMARY KEY, address text NOT NULL, plan text NOT NULL DEFAULT default_tier()::text,
                         CHECK (email_domain(address::email) <> ''));
  INSERT INTO customer VALUES (1, 'a@example.com', 'paid'), (2, 'b@example.org', DEFAULT);
  CREATE FUNCTION paying(c customer) RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT c.plan = 'paid' $$;
  CREATE FUNCTION customers_of(domain_name text) RETURNS SETOF customer LANGUAGE sql STABLE AS
    $$ SELECT * FROM customer WHERE email_domain(address::email) = domain_name $$;
  CREATE VIEW paying_customers AS SELECT c.id, paying(c) AS paying, (SELECT count(*) FROM customers_of('example.com')) AS at_example FROM customer c;
`;

describe("schema fidelity: types and functions built from each other", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("fid_deps", { source: machineServerUrl(), target: machineServerUrl() });
    await pair.source.query(INTERLOCKED);
  });
  after(async () => pair?.drop());

  it("creates a domain after the function its CHECK calls, and a function after the table whose rows it returns", async () => {
    const { report } = await syncPair(pair);
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps.filter((s) => s.status !== "ok" && s.status !== "skipped")));
    await assertConverged(pair);
    const query = "SELECT * FROM paying_customers ORDER BY id";
    assert.deepEqual((await pair.target.query(query)).rows, (await pair.source.query(query)).rows, "the view works on the target");
    await assertSameSchema(pair.sourceUrl, pair.targetUrl);
  });
});

// Range types over a built-in and over a domain, with a user subtype_diff, an operator class
// and a collation that are not the subtype's defaults; used by columns and an exclusion constraint.
const RANGES = `
  CREATE EXTENSION IF NOT EXISTS btree_gist;
  CREATE FUNCTION time_diff(a time, b time) RETURNS float8 LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT extract(epoch FROM a - b) $$;
  CREATE TYPE timerange AS RANGE (SUBTYPE = time, SUBTYPE_DIFF = time_diff);
  COMMENT ON TYPE timerange IS 'opening hours';
  CREATE DOMAIN score AS numeric CHECK (VALUE >= 0);
  CREATE TYPE scorerange AS RANGE (SUBTYPE = score);
  CREATE TYPE namerange AS RANGE (SUBTYPE = text, COLLATION = "C", SUBTYPE_OPCLASS = text_pattern_ops);
  CREATE TABLE shop (id int PRIMARY KEY, hours timerange NOT NULL, scores scorerange, names namerange,
                     EXCLUDE USING gist (id WITH =, hours WITH &&));
  INSERT INTO shop VALUES (1, '[09:00,17:00)', '[1,5]', '[a,m)'), (2, '[10:00,12:00)', NULL, '[n,z]');
`;

describe("schema fidelity: range types", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("fid_range", { source: machineServerUrl(), target: machineServerUrl() });
    await pair.source.query(RANGES);
  });
  after(async () => pair?.drop());

  it("creates them (with their subtype_diff function, subtype domain, operator class and collation) as pg_dump sees them", async () => {
    const { plan, report } = await syncPair(pair);
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps.filter((s) => s.status !== "ok" && s.status !== "skipped")));
    await assertConverged(pair);
    assert.deepEqual(plan.diagnostics.filter((d) => d.level !== "info").map((d) => d.message), []);
    const query = "SELECT id, hours::text, scores::text, names::text, hours @> '11:00'::time AS open FROM shop ORDER BY id";
    assert.deepEqual((await pair.target.query(query)).rows, (await pair.source.query(query)).rows);
    await assertSameSchema(pair.sourceUrl, pair.targetUrl);
  });
});

// A materialized view's index keeps what ALTER sets on it (AdventureWorks clusters its matviews).
const MATVIEW_INDEX = `
  CREATE TABLE region (id int PRIMARY KEY, country text NOT NULL, name text NOT NULL);
  INSERT INTO region SELECT i, 'c' || (i % 3), 'r' || i FROM generate_series(1, 9) i;
  CREATE MATERIALIZED VIEW region_names AS SELECT id, country, name FROM region;
  CREATE UNIQUE INDEX region_names_key ON region_names (country, id);
  ALTER MATERIALIZED VIEW region_names CLUSTER ON region_names_key;
  CREATE INDEX region_names_lower ON region_names (lower(name));
  ALTER INDEX region_names_lower ALTER COLUMN 1 SET STATISTICS 500;
`;

describe("schema fidelity: a materialized view's index properties", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("fid_mvidx", { source: machineServerUrl(), target: machineServerUrl() });
    await pair.source.query(MATVIEW_INDEX);
  });
  after(async () => pair?.drop());

  it("keeps CLUSTER ON and the statistics target of its indexes, as pg_dump sees them", async () => {
    const { report } = await syncPair(pair);
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps.filter((s) => s.status !== "ok" && s.status !== "skipped")));
    await assertConverged(pair);
    const source = await assertSameSchema(pair.sourceUrl, pair.targetUrl);
    assert.match(source.get("INDEX region_names_key; Schema: public") ?? "", /CLUSTER ON region_names_key/);
  });
});

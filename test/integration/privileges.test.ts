/**
 * --privileges carries owners, grants (tables, columns, sequences, schemas, functions, types) and
 * default privileges. Judged by Debian's pg_dump WITHOUT --no-owner/--no-privileges on the
 * machine's PostgreSQL 15 (roles are cluster-wide: both databases share them), and across the
 * embedded servers with a role map. Roles are uniquely named per run and dropped afterwards.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type pg from "pg";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { runDiff } from "../../src/execute/run-diff.js";
import type { DriftItem } from "../../src/model/schema-diff.js";
import type { DdlStatement } from "../../src/model/ddl-statement.js";
import { renderDdl } from "../../src/ddl/render-ddl.js";
import { dumpSchema, privilegedDumpDifferences } from "../harness/schema-dump.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, dropRole, machineServerUrl, serverUrls, withUser, type DatabasePair } from "../harness/test-databases.js";

const suffix = randomBytes(3).toString("hex");
const OWNER = `pf_owner_${suffix}`;
const READER = `pf_reader_${suffix}`;
const WRITER = `pf_writer_${suffix}`;
const PLAIN = `pf_plain_${suffix}`;

/** A schema with owners and grants of every kind --privileges carries. */
const SOURCE_SCHEMA = `
  CREATE SCHEMA app AUTHORIZATION ${OWNER};
  GRANT USAGE ON SCHEMA app TO ${READER};
  SET ROLE ${OWNER};
  CREATE TYPE app.mood AS ENUM ('ok', 'meh');
  CREATE DOMAIN app.label AS text CHECK (VALUE <> '');
  CREATE FUNCTION app.normalized(t text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(t)';
  REVOKE EXECUTE ON FUNCTION app.normalized(text) FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION app.normalized(text) TO ${READER};
  REVOKE USAGE ON TYPE app.mood FROM PUBLIC;
  GRANT USAGE ON TYPE app.mood TO ${WRITER};
  CREATE TABLE app.items (id serial PRIMARY KEY, name app.label NOT NULL, mood app.mood, secret text,
                          name_key text GENERATED ALWAYS AS (app.normalized(name)) STORED);
  GRANT SELECT ON app.items TO ${READER};
  GRANT INSERT, UPDATE ON app.items TO ${WRITER} WITH GRANT OPTION;
  REVOKE TRUNCATE ON app.items FROM ${OWNER};
  GRANT UPDATE (secret) ON app.items TO ${READER};
  GRANT USAGE ON SEQUENCE app.items_id_seq TO ${WRITER};
  CREATE AGGREGATE app.total(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0');
  REVOKE EXECUTE ON FUNCTION app.total(int) FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION app.total(int) TO ${READER};
  CREATE VIEW app.item_total AS SELECT app.total(id) AS total FROM app.items;
  CREATE VIEW app.item_names AS SELECT id, name FROM app.items;
  GRANT SELECT ON app.item_names TO PUBLIC;
  ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO ${READER};
  ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT EXECUTE ON FUNCTIONS TO ${WRITER};
  RESET ROLE;
  INSERT INTO app.items (name, mood, secret) VALUES ('One', 'ok', 's1'), ('Two', 'meh', 's2');
  CREATE TABLE public.existing (id int PRIMARY KEY, note text);
  ALTER TABLE public.existing OWNER TO ${OWNER};
  GRANT SELECT ON public.existing TO ${WRITER};
  INSERT INTO public.existing VALUES (1, 'a');`;

async function diffPrivileges(pair: DatabasePair, roles: Record<string, string> = {}): Promise<DriftItem[]> {
  const config = configSchema.parse({});
  const diff = await runDiff({
    source: resolveEndpoint(pair.sourceUrl, "source", config),
    target: resolveEndpoint(pair.targetUrl, "target", config),
    ignoreSchemas: ["pgferry"],
    privileges: { roles },
  });
  return [...diff.items];
}

const statementKinds = (kinds: readonly { kind: string }[]) => kinds.filter((s) => ["set-owner", "grant", "revoke", "grant-default", "revoke-default"].includes(s.kind));

describe("--privileges on one server: owners and grants as pg_dump sees them", () => {
  let pair: DatabasePair;
  before(async () => {
    const admin = await createDatabasePair("privs_roles", { source: machineServerUrl(), target: machineServerUrl() });
    // Roles are cluster-wide: create them once, through any database of the server.
    await admin.source.query(`CREATE ROLE ${OWNER}; CREATE ROLE ${READER}; CREATE ROLE ${WRITER}; CREATE ROLE ${PLAIN} LOGIN`);
    await admin.drop();
    pair = await createDatabasePair("privs", { source: machineServerUrl(), target: machineServerUrl() });
    await pair.source.query(SOURCE_SCHEMA);
    // The target already has public.existing, owned by the connecting role, with another grant.
    await pair.target.query(`CREATE TABLE public.existing (id int PRIMARY KEY, note text); GRANT DELETE ON public.existing TO ${READER}`);
  });
  after(async () => {
    await pair?.drop();
    for (const role of [OWNER, READER, WRITER, PLAIN]) await dropRole(machineServerUrl(), role);
  });

  it("after a sync with --privileges, pg_dump with owners and privileges cannot tell the sides apart", async () => {
    const { plan, report } = await syncPair(pair, { privileges: { roles: {} } });
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps));
    assert.deepEqual(plan.diagnostics.filter((d) => d.level !== "info"), []);
    assert.ok(statementKinds(plan.postData).length > 0);
    const judged = [...(await dumpSchema(pair.sourceUrl, { privileges: true })).keys()].filter((k) => k.includes("ACL")).sort();
    assert.deepEqual(judged, [
      "ACL COLUMN items.secret; Schema: app",
      "ACL FUNCTION normalized(t text); Schema: app",
      "ACL FUNCTION total(integer); Schema: app",
      "ACL SCHEMA app; Schema: -",
      "ACL SEQUENCE items_id_seq; Schema: app",
      "ACL TABLE existing; Schema: public",
      "ACL TABLE item_names; Schema: app",
      "ACL TABLE items; Schema: app",
      "ACL TYPE mood; Schema: app",
      "DEFAULT ACL DEFAULT PRIVILEGES FOR FUNCTIONS; Schema: app",
      "DEFAULT ACL DEFAULT PRIVILEGES FOR TABLES; Schema: app",
    ], "the judge sees every kind of grant the fixture makes");
    assert.deepEqual(await privilegedDumpDifferences(pair.sourceUrl, pair.targetUrl), []);
    assert.deepEqual(await diffPrivileges(pair), [], "diff --privileges sees no drift either");
  });

  it("diff --privileges shows drifted owners and grants, and a re-sync revokes the extras", async () => {
    await pair.target.query(`GRANT DELETE ON app.items TO ${READER}; REVOKE SELECT ON app.items FROM ${READER};
      ALTER TABLE public.existing OWNER TO ${WRITER}; GRANT SELECT (id) ON app.items TO ${WRITER};
      ALTER DEFAULT PRIVILEGES FOR ROLE ${OWNER} IN SCHEMA app GRANT USAGE ON SEQUENCES TO ${WRITER}`);
    const drift = (await diffPrivileges(pair)).map((i) => `${i.kind} ${i.owner.schema}.${i.owner.name}${i.name ? ` ${i.name}` : ""}: ${i.details.join("; ")}`);
    assert.deepEqual(drift, [
      `grants app.items: missing on target: SELECT to ${READER}; extra on target: DELETE from ${READER}`,
      `grants app.items id: extra on target: SELECT from ${WRITER}`,
      `owner public.existing: owner: ${OWNER} → ${WRITER}`,
      // ALTER … OWNER TO merged the new owner's own grant into its owner privileges (aclnewowner).
      `grants public.existing: missing on target: SELECT to ${WRITER}`,
      `default privileges app.sequences for role ${OWNER}: extra on target: USAGE from ${WRITER}`,
    ]);

    const { plan, report } = await syncPair(pair, { privileges: { roles: {} } });
    assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps));
    const sql = statementKinds(plan.postData).map((s) => renderDdl(s as DdlStatement));
    assert.deepEqual(sql, [
      `ALTER TABLE "public"."existing" OWNER TO "${OWNER}"`,
      `REVOKE DELETE ON TABLE "app"."items" FROM "${READER}"`,
      `GRANT SELECT ON TABLE "app"."items" TO "${READER}"`,
      `REVOKE SELECT ("id") ON TABLE "app"."items" FROM "${WRITER}"`,
      `GRANT SELECT ON TABLE "public"."existing" TO "${WRITER}"`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE "${OWNER}" IN SCHEMA "app" REVOKE USAGE ON SEQUENCES FROM "${WRITER}"`,
    ]);
    assert.deepEqual(await privilegedDumpDifferences(pair.sourceUrl, pair.targetUrl), []);
    assert.deepEqual(await diffPrivileges(pair), []);
  });

  it("refuses in the dry run, in one line, when the target role is not superuser and cannot become the owners", async () => {
    const fresh = await createDatabasePair("privs_plain", { source: machineServerUrl(), target: machineServerUrl() });
    try {
      await fresh.source.query(SOURCE_SCHEMA);
      const { plan, report } = await syncPair({ sourceUrl: fresh.sourceUrl, targetUrl: withUser(fresh.targetUrl, PLAIN, "") }, { privileges: { roles: {} }, dryRun: true });
      const errors = plan.diagnostics.filter((d) => d.level === "error").map((d) => d.message);
      assert.equal(errors.length, 1, errors.join("\n"));
      assert.match(errors[0]!, new RegExp(`^--privileges: the target role ${PLAIN} is not superuser and cannot SET ROLE to the owners of schema app \\(owner ${PLAIN} → ${OWNER}\\), table app\\.items`));
      assert.match(report.error ?? "", /nothing was written/);
    } finally {
      await fresh.drop();
    }
  });

  it("without --privileges nothing is carried: created objects belong to the target role, with no grants", async () => {
    const plain = await createDatabasePair("privs_off", { source: machineServerUrl(), target: machineServerUrl() });
    try {
      await plain.source.query(SOURCE_SCHEMA);
      const { plan, report } = await syncPair(plain);
      assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps));
      assert.deepEqual(statementKinds([...plan.preData, ...plan.postData]), []);
      const target = await dumpSchema(plain.targetUrl, { privileges: true });
      assert.deepEqual([...target.keys()].filter((k) => / ACL /.test(k) || k.startsWith("ACL ") || k.startsWith("DEFAULT ACL")), []);
      const owners = await plain.target.query(`
        SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = 'app'::regnamespace
        UNION SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'app'
        UNION SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = 'app'::regnamespace`);
      assert.deepEqual(owners.rows, [{ owner: "postgres" }]);
    } finally {
      await plain.drop();
    }
  });
});

describe("--privileges across servers", () => {
  const prod = `prod_x_${suffix}`;
  const staging = `staging_x_${suffix}`;
  const missing = `pf_missing_${suffix}`;
  after(async () => {
    await dropRole(serverUrls().source, prod);
    await dropRole(serverUrls().source, missing);
    await dropRole(serverUrls().target, staging);
  });

  it("gives the source role's objects and grants to the mapped target role", async () => {
    const pair = await createDatabasePair("privs_map");
    try {
      await pair.source.query(`CREATE ROLE ${prod}`);
      await pair.target.query(`CREATE ROLE ${staging}`);
      await pair.source.query(`CREATE TABLE public.orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, total numeric);
        ALTER TABLE public.orders OWNER TO ${prod}; GRANT SELECT ON public.orders TO PUBLIC; REVOKE DELETE ON public.orders FROM ${prod};
        INSERT INTO public.orders (total) VALUES (1), (2)`);
      // The target role's default privileges in public: one grant the source has, one it has not.
      await pair.target.query("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT ON TABLES TO PUBLIC");
      // --jobs 2: the new table loads as a shadow in a worker session, created in a load schema
      // (where public's default privileges do not apply), and is moved into place.
      const logs: string[] = [];
      const { plan, report } = await syncPair(pair, { privileges: { roles: { [prod]: staging } }, jobs: 2, onEvent: (e) => void (e.kind === "log" && logs.push(e.message)) });
      assert.ok(logs.some((l) => l.startsWith("loading 1 new table(s)")), logs.join("\n"));
      assert.equal(report.ok, true, report.error ?? JSON.stringify(report.steps));
      assert.deepEqual(plan.diagnostics.filter((d) => d.level !== "info"), []);
      const acl = await pair.target.query(`SELECT pg_get_userbyid(relowner) AS owner, relacl::text[] AS acl FROM pg_class WHERE oid = 'public.orders'::regclass`);
      assert.equal(acl.rows[0].owner, staging);
      // MAINTAIN (m) is a table privilege from PostgreSQL 17 on.
      const maintain = Number((await pair.target.query("SHOW server_version_num")).rows[0].server_version_num) >= 170000 ? "m" : "";
      assert.deepEqual([...acl.rows[0].acl].sort(), [`${staging}=arwDxt${maintain}/${staging}`, `=r/${staging}`].sort());
      const seq = await pair.target.query(`SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'public.orders_id_seq'::regclass`);
      assert.equal(seq.rows[0].owner, staging, "the identity sequence follows its table");
      assert.deepEqual(await diffPrivileges(pair, { [prod]: staging }), []);
      const unmapped = (await diffPrivileges(pair)).map((i) => `${i.kind} ${i.owner.name}: ${i.details.join("; ")}`);
      assert.ok(unmapped.includes(`owner orders: owner: ${prod} → ${staging}`), unmapped.join("\n"));
    } finally {
      await pair.drop();
    }
  });

  it("refuses, in the dry run and before writing, when a role is missing on the target: one line", async () => {
    const pair = await createDatabasePair("privs_missing");
    try {
      await pair.source.query(`CREATE ROLE ${missing}`);
      await pair.source.query(`CREATE TABLE public.notes (id int PRIMARY KEY); GRANT SELECT ON public.notes TO ${missing}; INSERT INTO public.notes VALUES (1)`);
      const dry = await syncPair(pair, { privileges: { roles: {} }, dryRun: true });
      const errors = dry.plan.diagnostics.filter((d) => d.level === "error").map((d) => d.message);
      assert.deepEqual(errors, [
        `--privileges: role missing on the target: ${missing} (grantee on table public.notes); create it on the target or map it to existing roles under roles: in pgferry.yml (or --role-map SOURCE=TARGET)`,
      ]);
      assert.match(dry.report.error ?? "", /nothing was written/);
      await assert.rejects(syncPair(pair, { privileges: { roles: {} } }), /role missing on the target/);
      const tables = await pair.target.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'notes'");
      assert.equal(tables.rows[0].n, 0, "the target is untouched");
    } finally {
      await pair.drop();
    }
  });
});

export type { pg };

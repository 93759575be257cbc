/** `pgferry sync --privileges --role-map` and `pgferry diff --privileges` through the real CLI. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, dropRole, serverUrls, type DatabasePair } from "../harness/test-databases.js";

describe("pgferry sync/diff --privileges", () => {
  const suffix = randomBytes(3).toString("hex");
  const prod = `prod_cli_${suffix}`;
  const staging = `staging_cli_${suffix}`;
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("privs_cli");
    await pair.source.query(`CREATE ROLE ${prod}`);
    await pair.target.query(`CREATE ROLE ${staging}`);
    await pair.source.query(`CREATE TABLE public.orders (id int PRIMARY KEY); ALTER TABLE public.orders OWNER TO ${prod};
      GRANT SELECT ON public.orders TO PUBLIC; INSERT INTO public.orders VALUES (1)`);
  });
  after(async () => {
    await pair?.drop();
    await dropRole(serverUrls().source, prod);
    await dropRole(serverUrls().target, staging);
  });

  it("refuses a malformed --role-map, and one without --privileges, in one line (exit 2)", async () => {
    const bad = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--privileges", "--role-map", prod, "--dry-run"]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.deepEqual(errorLines(bad.stderr), [`pgferry: error: --role-map must look like SOURCE_ROLE=TARGET_ROLE, got "${prod}"`]);
    const alone = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--role-map", `${prod}=${staging}`, "--dry-run"]);
    assert.equal(alone.code, 2, alone.stderr);
    assert.deepEqual(errorLines(alone.stderr), ["pgferry: error: --role-map works with --privileges only"]);
  });

  it("syncs owners and grants through the role map; diff --privileges agrees, and without the map shows the owner", async () => {
    const dry = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--privileges", "--role-map", `${prod}=${staging}`, "--dry-run"]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`ALTER TABLE "public"\\."orders" OWNER TO "${staging}"`));
    const run = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, "--privileges", "--role-map", `${prod}=${staging}`, "--yes"]);
    assert.equal(run.code, 0, run.stderr);
    const owner = await pair.target.query("SELECT pg_get_userbyid(relowner) AS owner, has_table_privilege('public', 'public.orders', 'SELECT') AS public_reads FROM pg_class WHERE oid = 'public.orders'::regclass");
    assert.deepEqual(owner.rows, [{ owner: staging, public_reads: true }]);

    const same = await runCliProcess(["diff", pair.sourceUrl, pair.targetUrl, "--privileges", "--role-map", `${prod}=${staging}`]);
    assert.equal(same.code, 0, same.stdout + same.stderr);
    const drift = await runCliProcess(["diff", pair.sourceUrl, pair.targetUrl, "--privileges"]);
    assert.equal(drift.code, 1, drift.stderr);
    assert.match(drift.stdout, new RegExp(`owner +public\\.orders +owner: ${prod} → ${staging}`));
  });
});

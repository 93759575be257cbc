/**
 * The session's single-statement calls use the extended protocol with the unnamed statement:
 * several statements in one string are refused by the server, and nothing is left prepared
 * (which also keeps pgferry working behind PgBouncer in transaction mode).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect } from "../../src/pg/connect.js";
import type { SqlSession } from "../../src/pg/session.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

describe("session protocol", () => {
  let pair: DatabasePair;
  let session: SqlSession;
  before(async () => {
    pair = await createDatabasePair("protocol");
    await pair.target.query("CREATE TABLE t (id int)");
    session = await connect(pair.targetUrl, { role: "target" });
  });
  after(async () => {
    await session?.close();
    await pair?.drop();
  });

  it("leaves no prepared statement behind", async () => {
    for (let i = 0; i < 3; i += 1) await session.querySingle("SELECT $1::int AS n", [i]);
    await session.execute("INSERT INTO t VALUES ($1)", [1]);
    const [row] = await session.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements");
    assert.equal(row!.n, 0);
  });

  it("refuses several statements in one string, in querySingle and execute alike", async () => {
    await assert.rejects(session.querySingle("SELECT 1; DROP TABLE t"), /cannot insert multiple commands into a prepared statement/);
    await assert.rejects(session.execute("INSERT INTO t VALUES (2); DROP TABLE t"), /cannot insert multiple commands into a prepared statement/);
    const [row] = await session.query<{ t: string | null }>("SELECT to_regclass('public.t')::text AS t");
    assert.equal(row!.t, "t");
  });
});

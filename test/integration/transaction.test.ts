/** withTransaction on real servers: commit, rollback with the original error, and a connection lost mid-transaction. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect } from "../../src/pg/connect.js";
import type { SqlSession } from "../../src/pg/session.js";
import { withTransaction } from "../../src/pg/transaction.js";
import { assertNoPgferrySessions, createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

describe("withTransaction", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("transaction");
    await pair.target.query("CREATE TABLE t (id int PRIMARY KEY)");
  });
  after(async () => pair?.drop());

  async function withSession<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    const session = await connect(pair.targetUrl, { role: "target" });
    try {
      return await work(session);
    } finally {
      await session.close();
    }
  }
  const ids = async () => (await pair.target.query<{ id: number }>("SELECT id FROM t ORDER BY id")).rows.map((r) => r.id);

  it("commits the work and resolves to its result", async () => {
    const result = await withSession((s) => withTransaction(s, async (tx) => tx.execute("INSERT INTO t VALUES (1), (2)")));
    assert.equal(result, 2);
    assert.deepEqual(await ids(), [1, 2]);
  });

  it("rolls back when the work fails and rethrows the work's own error; the session is usable after", async () => {
    const failure = new Error("the work failed");
    await withSession(async (session) => {
      await assert.rejects(
        withTransaction(session, async (tx) => {
          await tx.execute("INSERT INTO t VALUES (3)");
          throw failure;
        }),
        (e: unknown) => e === failure,
      );
      // Not left inside an aborted transaction: the next statement autocommits.
      await session.execute("INSERT INTO t VALUES (4)");
    });
    assert.deepEqual(await ids(), [1, 2, 4]);
  });

  it("rolls back when COMMIT fails (a deferred constraint) and rethrows the server's error", async () => {
    await pair.target.query("CREATE TABLE d (id int UNIQUE DEFERRABLE INITIALLY DEFERRED)");
    await withSession(async (session) => {
      await assert.rejects(
        withTransaction(session, (tx) => tx.execute("INSERT INTO d VALUES (1), (1)")),
        (e: unknown) => (e as { code?: string }).code === "23505",
      );
      assert.deepEqual(await session.query("SELECT count(*)::int AS n FROM d"), [{ n: 0 }]);
    });
  });

  it("a connection lost inside the transaction: the work's error wins over the failed ROLLBACK, and nothing is committed", async () => {
    const rollbackErrors: unknown[] = [];
    const failure = new Error("the work noticed the lost connection");
    await withSession(async (session) => {
      await assert.rejects(
        withTransaction(
          session,
          async (tx) => {
            await tx.execute("INSERT INTO t VALUES (5)");
            await pair.target.query("SELECT pg_terminate_backend($1)", [tx.pid]);
            const deadline = Date.now() + 5000;
            while (!tx.brokenBy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
            assert.ok(tx.brokenBy, "the client never saw the server end the connection");
            throw failure;
          },
          { onRollbackError: (e) => rollbackErrors.push(e) },
        ),
        (e: unknown) => e === failure,
      );
    });
    assert.deepEqual(rollbackErrors, [], "a broken session's failed ROLLBACK is expected, not reported");
    assert.deepEqual(await ids(), [1, 2, 4]);
    await assertNoPgferrySessions(pair.target);
  });

  it("a read-only snapshot transaction refuses writes", async () => {
    await withSession(async (session) => {
      await assert.rejects(withTransaction(session, (tx) => tx.execute("INSERT INTO t VALUES (6)"), { readOnlySnapshot: true }), (e: unknown) => (e as { code?: string }).code === "25006");
    });
    await assertNoPgferrySessions(pair.target);
  });
});

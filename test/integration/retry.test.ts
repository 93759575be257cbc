/** A dropped connection while nothing has been written is retried with back-off; other errors are not. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConnectionError } from "../../src/errors.js";
import { introspectCatalog } from "../../src/introspect/introspect-catalog.js";
import { connect, withRetry } from "../../src/pg/connect.js";
import type { SqlSession } from "../../src/pg/session.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

describe("retries before the target transaction", () => {
  let pair: DatabasePair;
  /** Open a real session, optionally have the server terminate it, then run `work` on it. */
  async function withSession<T>(terminate: boolean, work: (session: SqlSession) => Promise<T>): Promise<T> {
    const session = await connect(pair.sourceUrl, { role: "source" });
    try {
      if (terminate) {
        await pair.source.query("SELECT pg_terminate_backend($1)", [session.pid]);
        // Wait until the client has read the server's FATAL message; a query sent before that
        // races the socket close and may only see "Connection terminated unexpectedly".
        const deadline = Date.now() + 5000;
        while (!session.brokenBy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        assert.ok(session.brokenBy, "the client never saw the server terminate the connection");
      }
      return await work(session);
    } finally {
      await session.close();
    }
  }
  before(async () => {
    pair = await createDatabasePair("retry");
    await pair.source.query("CREATE TABLE t (id int PRIMARY KEY)");
  });
  after(async () => pair?.drop());

  it("reads the catalog again after the server drops the connection mid-read", async () => {
    const messages: string[] = [];
    let attempts = 0;
    const catalog = await withRetry(
      // The first attempt loses its connection the way a failover or idle kill would.
      () => withSession(++attempts === 1, introspectCatalog),
      { role: "source", what: "read the source catalog", baseDelayMs: 10, onRetry: (m) => messages.push(m) },
    );
    assert.equal(attempts, 2);
    assert.deepEqual(catalog.tables.map((t) => t.name.name), ["t"]);
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /read the source catalog failed \(terminating connection due to administrator command \[SQLSTATE 57P01\]\); retrying in 10 ms \(attempt 2 of 4\)/);
  });

  it("gives up after the last attempt with a ConnectionError", async () => {
    let attempts = 0;
    await assert.rejects(
      withRetry(
        () => withSession(++attempts > 0, (session) => session.query("SELECT 1")),
        { role: "source", what: "read the source catalog", attempts: 3, baseDelayMs: 5 },
      ),
      (e: unknown) => e instanceof ConnectionError && /after 3 attempts/.test(e.message),
    );
    assert.equal(attempts, 3);
  });

  it("does not retry an error that is not about the connection", async () => {
    let attempts = 0;
    await assert.rejects(
      withRetry(
        () => withSession(++attempts < 0, (session) => session.query("SELECT * FROM no_such_table")),
        { role: "source", what: "read", baseDelayMs: 5 },
      ),
      /relation "no_such_table" does not exist/,
    );
    assert.equal(attempts, 1);
  });
});

/**
 * introspectCatalog reads the catalog with JIT off (the functions query's estimated cost is above
 * jit_above_cost on any database, and compiling it cost ~0.3 s per catalog read, twice per
 * syncRows call), and gives the session back with the user's own settings.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { introspectCatalog } from "../../src/introspect/introspect-catalog.js";
import { connect } from "../../src/pg/connect.js";
import type { SqlSession } from "../../src/pg/session.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

describe("introspectCatalog's session settings", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("introspect_settings");
    await pair.source.query("CREATE TABLE t (id int PRIMARY KEY); CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'");
  });
  after(async () => pair?.drop());

  it("reads the catalog with JIT off and restores jit, search_path and standard_conforming_strings", async () => {
    const session = await connect(pair.sourceUrl, { role: "source" });
    try {
      await session.query("SELECT set_config('jit', 'on', false), set_config('search_path', 'public, pg_catalog', false)");
      const seen: string[] = [];
      // The same session, which also notes the jit setting in force when each catalog query runs.
      const watched: SqlSession = Object.create(session, {
        query: {
          value: async (sql: string, params?: readonly unknown[]) => {
            if (!/set_config/.test(sql)) seen.push((await session.query<{ jit: string }>("SELECT current_setting('jit') AS jit"))[0]!.jit);
            return session.query(sql, params);
          },
        },
      });
      const catalog = await introspectCatalog(watched);
      assert.ok(catalog.functions.some((f) => f.name.name === "f"), "the catalog was read through the watched session");
      assert.ok(seen.length > 20, `catalog queries seen: ${seen.length}`);
      assert.deepEqual([...new Set(seen)], ["off"]);
      const [after] = await session.query<{ jit: string; path: string; strings: string }>(
        "SELECT current_setting('jit') AS jit, current_setting('search_path') AS path, current_setting('standard_conforming_strings') AS strings",
      );
      assert.deepEqual(after, { jit: "on", path: "public, pg_catalog", strings: "on" });
    } finally {
      await session.close();
    }
  });
});

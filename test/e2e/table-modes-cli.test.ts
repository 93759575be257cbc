/**
 * Issue 12, item 1 through the built CLI (`npm run build` first): a table's own mode in the plan,
 * --mode over it, and bad per-table mode settings refused with one line before anything is written.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { assertNoPgferrySessions, createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `CREATE TABLE orgs (id int PRIMARY KEY, name text);
  CREATE TABLE users (id int PRIMARY KEY, org_id int REFERENCES orgs, sub text);
  CREATE TABLE events (id int PRIMARY KEY, kind text);`;

describe("per-table modes in the CLI", () => {
  let pair: DatabasePair;
  let dir: string;
  const config = (rest: string) =>
    writeFileSync(join(dir, "pgferry.yml"), `environments:\n  prod: { url: "\${SRC}" }\n  staging: { url: "\${DST}" }\ndefaults: { from: prod, to: staging }\n${rest}`);
  const cli = (args: string[]) => runCliProcess(args, { cwd: dir, env: { SRC: pair.sourceUrl, DST: pair.targetUrl } });
  const targetRows = async () => (await pair.target.query("SELECT (SELECT count(*) FROM orgs) || '/' || (SELECT count(*) FROM users) || '/' || (SELECT count(*) FROM events) AS n")).rows[0].n as string;
  before(async () => {
    pair = await createDatabasePair("table_modes_cli");
    await pair.source.query(`${SCHEMA} INSERT INTO orgs VALUES (1, 'Acme'); INSERT INTO users VALUES (1, 1, 'prod'); INSERT INTO events VALUES (1, 'a'), (2, 'b');`);
    await pair.target.query(`${SCHEMA} INSERT INTO orgs VALUES (1, 'Old'), (7, 'staging'); INSERT INTO users VALUES (1, 1, 'staging'); INSERT INTO events VALUES (9, 'staging');`);
    dir = mkdtempSync(join(tmpdir(), "pgferry-table-modes-"));
  });
  after(async () => pair?.drop());

  it("plans each table's own mode, the referenced parent as upsert + delete-missing, and --mode over all of them", async () => {
    config("tables:\n  users: { preserve: [sub] }\n  events: { mode: insert-missing }\n");
    const plan = await cli(["sync", "--dry-run"]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /public\.orgs\s+refresh \(upsert \+ delete-missing\)/);
    assert.match(plan.stdout, /public\.users\s+refresh \(preserve\)/);
    assert.match(plan.stdout, /public\.events\s+insert-missing/);
    assert.match(plan.stdout, /info: public\.orgs: refreshed as upsert \+ delete-missing, not with TRUNCATE: public\.users is merged by key and references it through foreign key "users_org_id_fkey"/);
    const overridden = await cli(["sync", "--dry-run", "--mode", "refresh"]);
    assert.equal(overridden.code, 0, overridden.stderr);
    assert.match(overridden.stdout, /public\.events\s+refresh\s/, "--mode applies to every table");
    const run = await cli(["sync", "--yes"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((await pair.target.query("SELECT id, name FROM orgs ORDER BY id")).rows, [{ id: 1, name: "Acme" }]);
    assert.deepEqual((await pair.target.query("SELECT sub FROM users")).rows, [{ sub: "staging" }]);
    assert.deepEqual((await pair.target.query("SELECT id FROM events ORDER BY id")).rows, [{ id: 1 }, { id: 2 }, { id: 9 }]);
  });

  it("refuses deleteMissing next to another mode, an unknown mode, and a table's deleteMissing the run's insert-missing cannot serve, with one line each", async () => {
    const before = await targetRows();
    const cases: [string, RegExp][] = [
      ["tables:\n  events: { mode: insert-missing, deleteMissing: true }\n", /tables\.events.*deleteMissing works with mode: upsert only/],
      ["tables:\n  events: { mode: merge }\n", /tables\.events\.mode/],
    ];
    for (const [rest, message] of cases) {
      config(rest);
      const run = await cli(["sync", "--yes"]);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(errorLines(run.stderr).length, 1, run.stderr);
      assert.match(errorLines(run.stderr)[0]!, message);
    }
    config("sync: { mode: insert-missing }\ntables:\n  events: { deleteMissing: true }\n");
    const refused = await cli(["sync", "--yes"]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(errorLines(refused.stderr).length, 1, refused.stderr);
    assert.match(errorLines(refused.stderr)[0]!, /public\.events: tables\.<table>\.deleteMissing works with mode upsert only, and this table's mode is insert-missing/);
    assert.equal(await targetRows(), before, "nothing was written");
    await assertNoPgferrySessions(pair.target);
  });
});

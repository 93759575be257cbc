/** `pgferry sync --with-parents`: the chosen rows and their FK parents through the real CLI. */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `
  CREATE TABLE organizations (id int PRIMARY KEY, name text);
  CREATE TABLE users (id int PRIMARY KEY, org_id int REFERENCES organizations, email text);
`;

describe("pgferry sync --with-parents", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("rows_cli");
    await pair.source.query(`${SCHEMA} INSERT INTO organizations VALUES (1, 'Acme'), (2, 'Globex'); INSERT INTO users VALUES (10, 2, 'new@example.com'), (11, 1, 'other@example.com');`);
    await pair.target.query(SCHEMA);
  });
  after(async () => pair?.drop());

  it("upserts the picked user and its organization, and reports the counts as JSON", async () => {
    const args = ["sync", pair.sourceUrl, pair.targetUrl, "--tables", "users", "--where", "users:email = 'new@example.com'", "--with-parents", "--yes", "--json"];
    const run = await runCliProcess(args);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { ok: boolean; tables: { table: string; inserted: number }[] };
    assert.deepEqual(report.tables.map((t) => `${t.table}:${t.inserted}`), ["public.organizations:1", "public.users:1"]);
    assert.deepEqual((await pair.target.query("SELECT u.email, o.name FROM users u JOIN organizations o ON o.id = u.org_id")).rows, [{ email: "new@example.com", name: "Globex" }]);
  });

  it("refuses unclear input with one error line, and asks before writing", async () => {
    const cases: [string[], number, RegExp][] = [
      [["--tables", "users,organizations", "--where", "users:id = 10", "--with-parents", "--yes"], 2, /--with-parents takes one table and one filter/],
      [["--tables", "users", "--where", "organizations:id = 1", "--with-parents", "--yes"], 2, /--where must filter the --tables table, as "users:SQL"/],
      [["--tables", "users", "--where", "users:nope = 1", "--with-parents", "--yes"], 2, /where condition for public\.users is not valid SQL here/],
      [["--tables", "users", "--where", "users:id = 11", "--with-parents"], 3, /no terminal/],
    ];
    for (const [extra, code, message] of cases) {
      const run = await runCliProcess(["sync", pair.sourceUrl, pair.targetUrl, ...extra]);
      assert.equal(run.code, code, `${extra.join(" ")}: ${run.stderr}`);
      const lines = errorLines(run.stderr);
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, message);
    }
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM users")).rows[0].n, 1, "nothing else was written");
  });

  it("records each run in the history (mode rows) and runs the post-sync hooks only with --hooks", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pgferry-rows-cli-"));
    writeFileSync(
      join(dir, "pgferry.yml"),
      `environments:\n  prod: { url: "\${SRC}", protected: true }\n  staging: { url: "\${DST}" }\ndefaults: { from: prod, to: staging }\nhooks:\n  after:\n    - name: mark\n      sql: "UPDATE organizations SET name = name || ' (hooked)' WHERE id = 1"\n`,
    );
    const cli = (args: string[]) => runCliProcess(args, { cwd: dir, env: { SRC: pair.sourceUrl, DST: pair.targetUrl } });
    const plain = await cli(["sync", "--tables", "users", "--where", "users:id = 11", "--with-parents", "--yes"]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.doesNotMatch(plain.stdout + plain.stderr, /hook/);
    assert.deepEqual((await pair.target.query("SELECT name FROM organizations WHERE id = 1")).rows, [{ name: "Acme" }], "no hook without --hooks");

    const hooked = await cli(["sync", "--tables", "users", "--where", "users:id = 11", "--with-parents", "--hooks", "--yes", "--json"]);
    assert.equal(hooked.code, 0, hooked.stderr);
    const report = JSON.parse(hooked.stdout) as { ok: boolean; committed: boolean; hooks: { name: string; status: string }[] };
    assert.deepEqual([report.ok, report.committed, report.hooks.map((h) => `${h.name}:${h.status}`)], [true, true, ["mark:ok"]]);
    assert.deepEqual((await pair.target.query("SELECT name FROM organizations WHERE id = 1")).rows, [{ name: "Acme (hooked)" }]);

    const failed = await cli(["sync", "--tables", "users", "--where", "users:nope = 1", "--with-parents", "--yes"]);
    assert.equal(failed.code, 2, failed.stderr);

    const history = await cli(["history", "--json", "--limit", "3"]);
    assert.equal(history.code, 0, history.stderr);
    const { runs } = JSON.parse(history.stdout) as { runs: { status: string; mode: string; source: string; tables: string[]; rows: number; error: string | null; job: string | null }[] };
    assert.deepEqual(runs.map((r) => [r.status, r.mode, r.tables, r.rows, r.job]), [
      ["failed", "rows", [], 0, null],
      ["ok", "rows", ["public.organizations", "public.users"], 2, null],
      ["ok", "rows", ["public.organizations", "public.users"], 2, null],
    ]);
    for (const run of runs) assert.match(run.source, /^prod \(postgres:/);
    assert.match(runs[0]!.error!, /where condition for public\.users is not valid SQL here/);
    const table = await cli(["history", "--limit", "3"]);
    assert.match(table.stdout, /\brows\s+2\s+2\s+ok/);
  });
});

/**
 * Issue 15, through the built CLI with the README's second Anonymization example (addresses,
 * json paths, a js function) and its anonymize.mjs as written, on top of the first example's
 * environments: run twice with the same result, nothing original in the target, the output or a
 * snapshot, and --with-parents refused in one line instead of bypassing the js transform.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const SECRET = "e2e-transform-secret-kinds-42";

/** The Anonymization section's yaml blocks (the first: the main example) and its js block. */
function readmeBlocks(): { yaml: string[]; js: string } {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const start = readme.indexOf("### Anonymization (`transform:`)");
  const section = readme.slice(start, readme.indexOf("\n### ", start + 10));
  const yaml = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const js = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(yaml.length >= 2 && js, "the Anonymization section has its second yaml example and anonymize.mjs");
  return { yaml, js };
}

const SCHEMA = `CREATE TABLE customers (id int PRIMARY KEY, street text, city varchar(20), zip text, country text, profile jsonb, notes text);
  CREATE TABLE invoices (id int PRIMARY KEY, customer_id int REFERENCES customers, total numeric);`;
const ORIGINALS = ["Originalstrasse", "Originalcity", "D-10115", "Germany", "orig@corp.example", "+49 170", "TAXID", "4711"];

describe("addresses, json paths and a js function through the CLI (the README's second example)", () => {
  let pair: DatabasePair;
  let dir: string;
  const cli = (args: string[]) => runCliProcess(args, { cwd: dir, env: { PROD_URL: pair.sourceUrl, STAGING_URL: pair.targetUrl, PGFERRY_TRANSFORM_SECRET: SECRET } });
  const targetRows = async () => (await pair.target.query("SELECT id, street, city, zip, country, profile::text AS profile, notes FROM customers ORDER BY id")).rows;
  const assertClean = (where: string, text: string) => {
    for (const value of ORIGINALS) assert.ok(!text.includes(value), `${where} holds an original value (${value})`);
  };

  before(async () => {
    const { yaml, js } = readmeBlocks();
    const main = parseYaml(yaml[0]!) as Record<string, unknown>;
    const example = parseYaml(yaml[1]!) as Record<string, unknown>;
    dir = mkdtempSync(join(tmpdir(), "pgferry-anon-kinds-"));
    writeFileSync(join(dir, "pgferry.yml"), stringifyYaml({ environments: main["environments"], defaults: main["defaults"], ...example }));
    writeFileSync(join(dir, "anonymize.mjs"), js);
    pair = await createDatabasePair("anonymization_kinds_cli");
    await pair.source.query(`${SCHEMA}
      INSERT INTO customers SELECT g, g || ' Originalstrasse', 'Originalcity', 'D-10115', 'Germany',
        jsonb_build_object('email', 'orig' || g || '@corp.example', 'phones', jsonb_build_array('+49 170 ' || g, NULL), 'address', jsonb_build_object('street', 'Originalstrasse ' || g, 'floor', g),
                           'tax id', 'TAXID' || g, 'plan', 'gold'),
        CASE WHEN g % 5 = 0 THEN NULL ELSE 'call +49 170 4711 or mail orig' || g || '@corp.example' END
      FROM generate_series(1, 20) g;
      INSERT INTO invoices SELECT g, 1 + g % 20, g * 10 FROM generate_series(1, 40) g;`);
    await pair.target.query(SCHEMA);
  });
  after(async () => pair?.drop());

  it("syncs the example twice with the same result, nothing original in the target or the output", async () => {
    const run = await cli(["sync", "--yes", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    assertClean("sync output", `${run.stdout}${run.stderr}`);
    const first = await targetRows();
    assertClean("the target", JSON.stringify(first));
    const again = await cli(["sync", "--yes"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await targetRows(), first, "a second run writes the same values");
    const row = first[0]!;
    assert.match(row.street, /^\d{1,4} [A-Z][a-z]+ [A-Z][a-z]+$/);
    assert.match(row.zip, /^\d{5}$/);
    assert.match(row.country, /^[A-Z]{2}$/);
    const profile = JSON.parse(row.profile);
    assert.match(profile.email, /^u[0-9a-f]{24}@example\.com$/);
    assert.match(profile.phones[0], /^555-\d{3}-\d{4}$/);
    assert.equal(profile.phones[1], null);
    assert.equal(profile.address.floor, 1);
    assert.equal(profile["tax id"], "****D1");
    assert.equal(profile.plan, "gold");
    assert.equal(row.notes, "call +## ### #### or mail <email>");
    assert.equal(first[4]!.notes, null);
  });

  it("dumps only the transformed values", async () => {
    const run = await cli(["dump", "production", "--to", "file://snapshots"]);
    assert.equal(run.code, 0, run.stderr);
    const root = join(dir, "snapshots");
    const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith(".copy.gz"));
    assert.ok(files.length >= 2);
    for (const file of files) assertClean(file.name, gunzipSync(readFileSync(join(file.parentPath, file.name))).toString("utf8"));
  });

  it("refuses --with-parents in one line rather than read the js column untransformed", async () => {
    await pair.target.query("TRUNCATE invoices, customers");
    const run = await cli(["sync", "--tables", "invoices", "--where", "invoices:id <= 3", "--with-parents", "--yes"]);
    assert.equal(run.code, 2, run.stderr);
    assert.deepEqual(errorLines(run.stderr), [
      "pgferry: error: public.customers.notes has a js transform, which syncRows and --with-parents do not apply (they read rows as JSON, not through the COPY row stage): sync the table with pgferry sync, or give the column a SQL kind",
    ]);
    assert.equal((await pair.target.query("SELECT count(*)::int AS n FROM customers")).rows[0].n, 0);
  });
});

/**
 * `pgferry snapshots export-sql`: the escape hatch without pgferry. A snapshot of the rental-store
 * fixture (types, functions, views, triggers, partitions, sequences…) is written as one SQL
 * script, loaded by the machine's psql into an empty database, and compared with the source:
 * pg_dump --schema-only object by object, every table's rows, every sequence's state.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { relationChecksums, sequenceStates } from "../harness/database-state.js";
import { assertSameSchema, loadRentalStore } from "../harness/schema-dump.js";
import { errorLines, runCliProcess } from "../harness/sync-helpers.js";
import { createDatabasePair, machineServerUrl, type DatabasePair } from "../harness/test-databases.js";

const run = promisify(execFile);
const KEY = "export-sql test key, long enough";

describe("pgferry snapshots export-sql: a snapshot psql loads without pgferry", () => {
  let pair: DatabasePair;
  let dir: string;
  const CONFIG = `environments:\n  prod: { url: "\${SRC}" }\nstores:\n  backups: { url: "file://snapshots" }\ndefaults: { from: prod, store: backups }\n`;
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCliProcess(args, { cwd: dir, env: { SRC: pair.sourceUrl, ...env } });
  const psql = (file: string, url: string) => run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", file, "--dbname", url], { maxBuffer: 16 * 1024 * 1024 });

  before(async () => {
    pair = await createDatabasePair("export_sql", { source: machineServerUrl(), target: machineServerUrl() });
    dir = mkdtempSync(join(tmpdir(), "pgferry-export-sql-"));
    writeFileSync(join(dir, "pgferry.yml"), CONFIG);
    await loadRentalStore(pair.source);
  });
  after(async () => pair?.drop());

  it("an encrypted snapshot exported and loaded by psql equals the source: schema, rows and sequences", async () => {
    const dump = await cli(["dump", "--encrypt", "--json"], { PGFERRY_SNAPSHOT_KEY: KEY });
    assert.equal(dump.code, 0, dump.stderr);
    const exported = await cli(["snapshots", "export-sql", "latest", "-o", "restore.sql"], { PGFERRY_SNAPSHOT_KEY: KEY });
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stderr, /Wrote snapshot \S+ to restore\.sql: \d+ table\(s\), [\d,]+ row\(s\), \d+ statement\(s\)\. Load it with: psql/);
    const script = readFileSync(join(dir, "restore.sql"), "utf8");
    assert.match(script, /^COPY "store"\."rental" \([^)]+\) FROM STDIN;$/m);
    await psql(join(dir, "restore.sql"), pair.targetUrl);
    await assertSameSchema(pair.sourceUrl, pair.targetUrl);
    assert.deepEqual(await relationChecksums(pair.target), await relationChecksums(pair.source));
    assert.deepEqual(await sequenceStates(pair.target), await sequenceStates(pair.source));
  });

  it("to standard output, --tables narrows it; without the key, or with a corrupted file, one line, exit 1 or 2, and no file left behind", async () => {
    const some = await cli(["snapshots", "export-sql", "latest", "--tables", "public.language"], { PGFERRY_SNAPSHOT_KEY: KEY });
    assert.equal(some.code, 0, some.stderr);
    assert.match(some.stdout, /^COPY "public"\."language" /m);
    assert.doesNotMatch(some.stdout, /COPY "store"\."rental"/);

    const noKey = await cli(["snapshots", "export-sql", "latest", "-o", "nokey.sql"]);
    assert.equal(noKey.code, 2, noKey.stderr);
    assert.equal(errorLines(noKey.stderr).length, 1, noKey.stderr);
    assert.match(errorLines(noKey.stderr)[0]!, /PGFERRY_SNAPSHOT_KEY/);

    const snapshots = join(dir, "snapshots");
    const [name] = readdirSync(snapshots);
    const manifest = JSON.parse(readFileSync(join(snapshots, name!, "manifest.json"), "utf8")) as { tables: { name: string; file: string }[] };
    const file = join(snapshots, name!, manifest.tables.find((t) => t.name === "rental")!.file);
    const bytes = readFileSync(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0x01;
    writeFileSync(file, bytes);
    const corrupted = await cli(["snapshots", "export-sql", "latest", "-o", "corrupted.sql"], { PGFERRY_SNAPSHOT_KEY: KEY });
    assert.equal(corrupted.code, 1, corrupted.stderr);
    assert.equal(errorLines(corrupted.stderr).length, 1, corrupted.stderr);
    assert.match(errorLines(corrupted.stderr)[0]!, /store\.rental \(\S+\) is corrupted/);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes("corrupted") || f.includes("nokey")), [], "no script, whole or partial");
    assert.equal(existsSync(join(dir, "restore.sql")), true);
  });
});

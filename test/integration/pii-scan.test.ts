/**
 * Issue 15, Coverage: `scanPii` on a real source. Columns named like personal data, and text
 * columns whose sampled values are (emails, IPs) though their names say nothing; covered columns
 * (explicit, rule, FK-inherited, keep) are not reported; the sampled values never come out.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { configSchema } from "../../src/config/schema.js";
import { scanPii, type PiiScanOptions } from "../../src/pii/scan-pii.js";
import { assertNoPgferrySessions, createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const SCHEMA = `
  CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE, "firstName" text, phone varchar(30), email_verified boolean,
                      contact text, origin text, remark text, born date, api_key text);
  CREATE TABLE orders (id int PRIMARY KEY, user_email text REFERENCES users (email), city text, total numeric);
  CREATE TABLE events (id int, at date NOT NULL, source_addr inet, payload text) PARTITION BY RANGE (at);
  CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
`;

/** Sampled values a scan must never print: the hosts of the emails, the IPs, the remarks. */
const SAMPLED = ["hidden-host.example", "198.51.100.", "SECRET-REMARK", "Originalfirst"];

describe("pii scan (scanPii on a real source)", () => {
  let pair: DatabasePair;
  before(async () => {
    pair = await createDatabasePair("pii_scan");
    await pair.source.query(`${SCHEMA}
      INSERT INTO users SELECT g, 'u' || g || '@hidden-host.example', 'Originalfirst' || g, '+49 170 555' || g, true,
        CASE WHEN g % 10 = 0 THEN 'call me' ELSE 'p' || g || '@hidden-host.example' END,
        '198.51.100.' || g, 'SECRET-REMARK ' || g, date '1980-01-01' + g, 'k' || g FROM generate_series(1, 40) g;
      INSERT INTO orders SELECT g, 'u' || (1 + g % 40) || '@hidden-host.example', 'Berlin', g FROM generate_series(1, 80) g;
      INSERT INTO events SELECT g, date '2024-02-01' + g, ('198.51.100.' || g)::inet, 'SECRET-REMARK' FROM generate_series(1, 20) g;
    `);
  });
  after(async () => pair?.drop());

  const scan = (yaml: { tables?: unknown; transform?: unknown; include?: string[] } = {}, sampleRows = 100) => {
    const config = configSchema.parse({ tables: yaml.tables ?? {}, transform: yaml.transform ?? { rules: [] } });
    const options: PiiScanOptions = {
      source: resolveEndpoint(pair.sourceUrl, "source", config),
      selection: { include: yaml.include ?? [], exclude: [], where: {} },
      tables: config.tables,
      rules: config.transform.rules,
      sampleRows,
      lockTimeoutSeconds: 10,
    };
    return scanPii(options);
  };
  const lines = (result: Awaited<ReturnType<typeof scan>>) =>
    result.columns.map((c) => `${c.table}.${c.column}: ${c.reason === "name" ? `name ${c.category}` : `values ${c.pattern} ${c.rate}`} -> ${c.suggested}`);

  it("reports names and sampled values, never a value", async () => {
    const result = await scan();
    assert.deepEqual(lines(result), [
      "public.events.source_addr: values ipv4 1 -> null",
      "public.orders.user_email: name email -> email",
      "public.orders.city: name address -> mask",
      "public.users.email: name email -> email",
      "public.users.firstName: name name -> first_name",
      "public.users.phone: name phone -> phone",
      "public.users.contact: values email 0.9 -> email",
      "public.users.origin: values ipv4 1 -> mask",
      "public.users.born: name birth date -> noise",
      "public.users.api_key: name secret -> hash",
    ]);
    assert.equal(result.tables, 3, "the partition is read through its parent");
    const text = JSON.stringify(result);
    for (const value of SAMPLED) assert.ok(!text.includes(value), `the result holds a sampled value (${value})`);
    await assertNoPgferrySessions(pair.source);
  });

  it("leaves out covered columns: explicit, by rule, through an FK, and keep", async () => {
    const result = await scan({
      transform: { rules: [{ match: "*.phone", kind: "phone" }, { match: "*.born", kind: "keep" }] },
      tables: { users: { transform: { email: { kind: "email" }, contact: { kind: "email" }, firstName: { kind: "keep" } } }, "*": { transform: { api_key: { kind: "null" } } } },
      include: ["users", "orders"],
    });
    assert.deepEqual(lines(result), ["public.orders.city: name address -> mask", "public.users.origin: values ipv4 1 -> mask"], "orders.user_email follows users.email through its FK");
  });

  it("checks names only with 0 sample rows", async () => {
    const result = await scan({ include: ["events", "orders"] }, 0);
    assert.deepEqual(lines(result), ["public.orders.user_email: name email -> email", "public.orders.city: name address -> mask"]);
  });
});

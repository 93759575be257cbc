/**
 * Issue 15: the json and address kinds pushed into the source's SELECT, on real servers: the
 * same output in every run, a value inside a document transformed as the same value in a text
 * column, the rest of each document kept, absent paths absent, JSON and SQL nulls kept.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { configSchema } from "../../src/config/schema.js";
import { CITIES, COUNTRIES, STREET_NAMES, STREET_SUFFIXES } from "../../src/transform/address-lists.js";
import { syncPair } from "../harness/sync-helpers.js";
import { createDatabasePair, type DatabasePair } from "../harness/test-databases.js";

const SECRET = "test-secret-0123456789";
const SCHEMA = `CREATE TABLE people (id int PRIMARY KEY, email text, doc jsonb, raw json, street text, city varchar(12), zip text, country text, country_code char(2))`;
const expectedEmail = (original: string) => `u${createHmac("sha256", SECRET).update(original).digest("hex").slice(0, 24)}@example.com`;

function settings(tables: unknown) {
  const config = configSchema.parse({ tables, transform: { secret: SECRET, rules: [] } });
  return { tables: config.tables, transform: config.transform };
}

const CONFIG = {
  people: {
    transform: {
      email: { kind: "email" },
      doc: { kind: "json", paths: { "$.email": { kind: "email" }, "$.profile.phone": { kind: "phone" }, "$.tags[*]": { kind: "hash", length: 8 }, "$.items[*].name": { kind: "first_name" } } },
      raw: { kind: "json", paths: { '$["card no"]': { kind: "mask", last: 4 } } },
      street: { kind: "street" },
      city: { kind: "city" },
      zip: { kind: "zip", format: "##-###" },
      country: { kind: "country" },
      country_code: { kind: "country", code: true },
    },
  },
};

describe("json and address transforms", () => {
  let pair: DatabasePair;
  const rows = async () => (await pair.target.query("SELECT id, email, doc::text AS doc, raw::text AS raw, street, city, zip, country, country_code FROM people ORDER BY id")).rows;

  before(async () => {
    pair = await createDatabasePair("transforms_kinds");
    await pair.source.query(`${SCHEMA};
      INSERT INTO people VALUES
        (1, 'ann@corp.example', '{"email": "ann@corp.example", "profile": {"phone": "+49 170 1", "lang": "de"}, "tags": ["vip", null, 7], "items": [{"name": "Ann", "qty": 2}, {"qty": 1}], "keep": {"a": [1, 2]}}',
            '{"card no": "4111111111111111", "n": 1}', '12 Real Street', 'Berlin', '10115', 'Germany', 'DE'),
        (2, 'bob@corp.example', '{"email": null, "profile": "not an object", "tags": "not an array"}', '[1, 2]', NULL, NULL, NULL, NULL, NULL),
        (3, NULL, NULL, NULL, 'x', 'y', 'z', 'w', 'XX'),
        (4, 'ann@corp.example', '{"other": true}', '{}', '12 Real Street', 'Berlin', '10115', 'Germany', 'DE')`);
    await pair.target.query(SCHEMA);
  });
  after(async () => pair?.drop());

  it("rewrites the paths inside each document and nothing else, the same in every run, and like the same value in a text column", async () => {
    const first = await syncPair(pair, settings(CONFIG));
    assert.equal(first.report.ok, true, first.report.error);
    const once = await rows();
    const second = await syncPair(pair, settings(CONFIG));
    assert.equal(second.report.ok, true, second.report.error);
    assert.deepEqual(await rows(), once, "a second run writes the same values");
    assert.ok(!JSON.stringify(once).match(/corp\.example|\+49 170|"vip"|"Ann"|4111111111111111|Real Street|Berlin|10115/), "no original value reached the target");

    const [ann, bob, nulls, again] = once;
    const doc = JSON.parse(ann.doc);
    assert.equal(doc.email, expectedEmail("ann@corp.example"), "$.email under email is what an email column holding that address gets");
    assert.equal(doc.email, ann.email);
    assert.match(doc.profile.phone, /^555-\d{3}-\d{4}$/);
    assert.equal(doc.profile.lang, "de", "values off the paths are kept");
    assert.deepEqual(doc.keep, { a: [1, 2] });
    assert.equal(doc.tags.length, 3);
    assert.equal(doc.tags[0], createHmac("sha256", SECRET).update("vip").digest("hex").slice(0, 8));
    assert.equal(doc.tags[1], null, "a JSON null stays null");
    assert.equal(doc.tags[2], createHmac("sha256", SECRET).update("7").digest("hex").slice(0, 8), "a number is transformed as its JSON text, written as a string");
    assert.ok(doc.items[0].name !== "Ann" && /^[A-Z][a-z]+$/.test(doc.items[0].name));
    assert.deepEqual([doc.items[0].qty, doc.items[1]], [2, { qty: 1 }], "an element without the key stays without it");
    assert.deepEqual(JSON.parse(ann.raw), { "card no": "************1111", n: 1 }, "a json column, a quoted key");

    assert.deepEqual(JSON.parse(bob.doc), { email: null, profile: "not an object", tags: "not an array" }, "a path through a non-object or non-array is left alone");
    assert.equal(bob.raw, "[1, 2]");
    assert.deepEqual(
      [nulls.email, nulls.doc, nulls.raw],
      [null, null, null],
      "SQL NULL stays NULL",
    );
    assert.deepEqual(JSON.parse(again.doc), { other: true }, "absent paths stay absent");

    assert.match(ann.street, new RegExp(`^\\d{1,4} (${STREET_NAMES.join("|")}) (${STREET_SUFFIXES.join("|")})$`));
    assert.ok(CITIES.includes(ann.city));
    assert.match(ann.zip, /^\d\d-\d\d\d$/);
    assert.ok(COUNTRIES.some(([name]) => name === ann.country));
    assert.ok(COUNTRIES.some(([, code]) => code === ann.country_code));
    assert.deepEqual([again.street, again.city, again.zip, again.country, again.country_code], [ann.street, ann.city, ann.zip, ann.country, ann.country_code], "the same address gives the same parts");
    assert.deepEqual([bob.street, bob.city, bob.zip, bob.country, bob.country_code], [null, null, null, null, null]);
  });

  it("refuses a city on a column too short for every city, before writing anything", async () => {
    await pair.source.query("CREATE TABLE short_city (id int PRIMARY KEY, city varchar(5))");
    await pair.target.query("CREATE TABLE short_city (id int PRIMARY KEY, city varchar(5))");
    await assert.rejects(
      syncPair(pair, { ...settings({ short_city: { transform: { city: { kind: "city" } } } }), include: ["short_city"] }),
      /public\.short_city: column "city" \(character varying\(5\), from tables:\): kind city writes up to 11 characters, more than the column holds$/,
    );
  });
});

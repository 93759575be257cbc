/** Row values in PostgreSQL error texts are stripped; constraint, table and column names stay. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stripRowValues, withoutRowValues } from "../../src/pg/describe-pg-error.js";

describe("row values in errors", () => {
  it("strips the values of every detail shape PostgreSQL writes them in", () => {
    const cases: [string, string][] = [
      [
        'duplicate key value violates unique constraint "people_email_key" (Key (email)=(alice@x.org) already exists.) [SQLSTATE 23505]',
        'duplicate key value violates unique constraint "people_email_key" (Key (email)=(…) already exists.) [SQLSTATE 23505]',
      ],
      ['could not create unique index "u" (Key (lower(email))=(a(b)c@x.org) is duplicated.)', 'could not create unique index "u" (Key (lower(email))=(…) is duplicated.)'],
      ['violates foreign key constraint "f" (Key (user_id, org)=(42, acme) is not present in table "users".)', 'violates foreign key constraint "f" (Key (user_id, org)=(…) is not present in table "users".)'],
      ['on table "o" (Key (id)=(42) is still referenced from table "o".)', 'on table "o" (Key (id)=(…) is still referenced from table "o".)'],
      [
        'violates exclusion constraint "ex" (Key (room, during)=(1, [2020-01-01,2020-01-02)) conflicts with existing key (room, during)=(1, [2020-01-01,2020-01-03)).)',
        'violates exclusion constraint "ex" (Key (room, during)=(…) conflicts with existing key (room, during)=(…).)',
      ],
      ['violates check constraint "c" (Failing row contains (1, bob@x.org, (555) 123).) [SQLSTATE 23514]', 'violates check constraint "c" (Failing row contains (…).) [SQLSTATE 23514]'],
      ['no partition of relation "m" found for row (Partition key of the failing row contains (day) = (2020-01-01).)', 'no partition of relation "m" found for row (Partition key of the failing row contains (day) = (…).)'],
      ['invalid input syntax for type uuid: "alice@x.org" [SQLSTATE 22P02]', 'invalid input syntax for type uuid: "…" [SQLSTATE 22P02]'],
      ['invalid input value for enum mood: "grumpy"', 'invalid input value for enum mood: "…"'],
      ['value "99999999999" is out of range for type integer', 'value "…" is out of range for type integer'],
      ['invalid input syntax for type json (Token "alice" is invalid.)', 'invalid input syntax for type json (Token "…" is invalid.)'],
      ['relation "users" does not exist [SQLSTATE 42P01]', 'relation "users" does not exist [SQLSTATE 42P01]'],
    ];
    for (const [text, expected] of cases) assert.equal(stripRowValues(text), expected);
    assert.equal(stripRowValues(cases[0]![1]), cases[0]![1], "idempotent");
  });

  it("walks JSON-like values, leaving other types alone", () => {
    const at = new Date(0);
    const value = { error: "x (Key (a)=(1) already exists.)", n: 3, at, list: [{ reason: "Failing row contains (1, z)." }, null] };
    assert.deepEqual(withoutRowValues(value), { error: "x (Key (a)=(…) already exists.)", n: 3, at, list: [{ reason: "Failing row contains (…)." }, null] });
  });
});

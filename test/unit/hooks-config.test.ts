/** Hook, schedule and remap-file input: parsed strictly, every mistake one clear message. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfigText } from "../../src/config/load-config.js";
import { redactText } from "../../src/config/redact.js";
import { ConfigError } from "../../src/errors.js";
import { describeHooks, planHooks } from "../../src/hooks/hook-spec.js";
import { parseRemapPairs } from "../../src/hooks/remap-pairs.js";
import { validateCron } from "../../src/ops/scheduler.js";

const parse = (text: string) => parseConfigText(text, "pgferry.yml", {});
const columns = { match: "email", set: "cognito_sub", attribute: "sub" };

describe("hooks config", () => {
  it("plans each hook kind with a name, in order", () => {
    const config = parse(`
environments:
  staging: { url: "postgres://u:pw@h/db", redis: "redis://:redispw@cache:6379/2" }
hooks:
  after:
    - redis: { flush: 2 }
    - name: drop dashboards
      redis: { url: "redis://other:6379", keys: ["dashboard:*"] }
    - sql: "UPDATE users SET api_key = NULL"
    - command: { run: "npx prisma migrate deploy", timeout: 600 }
    - remap: { table: users, match: email, set: cognito_sub, from: users.csv }
`);
    const hooks = planHooks(config.hooks.after, config.environments.staging?.redis);
    assert.deepEqual(hooks.map((h) => [h.kind, h.name]), [
      ["redis", "redis flush db 2"],
      ["redis", "drop dashboards"],
      ["sql", "sql (1 statement)"],
      ["command", "command #4"],
      ["remap", "remap users.cognito_sub by email"],
    ]);
    assert.equal(hooks[0]?.kind === "redis" && hooks[0].url, "redis://:redispw@cache:6379/2");
    // The Redis password from the config is a registered secret.
    assert.equal(redactText("AUTH redispw failed"), "AUTH **** failed");
  });

  it("a command hook's name never comes from its text (a ${VAR} there may be a secret): command #N or its name", () => {
    const config = parseConfigText(
      'hooks:\n  after:\n    - sql: "SELECT 1"\n    - command: "curl -H \'Authorization: ${HOOK_AUTH}\' https://ci/deploy"\n    - name: deploy\n      command: { run: "./deploy ${HOOK_AUTH}" }\n',
      "pgferry.yml",
      { HOOK_AUTH: "Bearer abc123" },
    );
    const hooks = planHooks(config.hooks.after, undefined);
    assert.deepEqual(hooks.map((h) => h.name), ["sql (1 statement)", "command #2", "deploy"]);
    assert.doesNotMatch(describeHooks(hooks).join("\n"), /abc123|curl/);
  });

  it("rejects hooks that are ambiguous or incomplete", () => {
    assert.throws(() => parse("hooks:\n  after:\n    - redis: { url: 'redis://h', flush: 1, keys: ['a*'] }\n"), /give either flush: <db> or keys/);
    assert.throws(() => parse("hooks:\n  after:\n    - sql: 'SELECT 1'\n      command: 'true'\n"), /hooks\.after\.0/);
    assert.throws(() => parse("hooks:\n  after:\n    - redis: { url: 'http://h', flush: 1 }\n"), /redis:\/\/ or rediss:\/\/ URL/);
    assert.throws(() => planHooks(parse("hooks:\n  after:\n    - redis: { flush: 0 }\n").hooks.after, undefined), /the redis hook has no url and the target environment has no redis setting/);
  });

  it("a redis hook runs on one database: flush: N, else the URL's, else 0; a URL naming another database is refused", () => {
    const config = parse(`
environments:
  staging: { url: "postgres://u:pw@h/db", redis: "redis://cache:6379/7" }
  nodb: { url: "postgres://u:pw@h/db", redis: "redis://cache:6379" }
hooks:
  after:
    - redis: { keys: ["dashboard:*"] }
    - redis: { url: "redis://other:6379/3", keys: ["a*"] }
    - redis: { url: "redis://other:6379", keys: ["a*"] }
    - redis: { url: "redis://other:6379/", flush: 5 }
    - redis: { url: "redis://other:6379/5", flush: 5 }
`);
    const hooks = planHooks(config.hooks.after, config.environments.staging?.redis);
    assert.deepEqual(hooks.map((h) => h.kind === "redis" && h.db), [7, 3, 0, 5, 5]);
    assert.deepEqual(describeHooks(hooks).slice(0, 2), ["1. redis delete keys dashboard:* (redis, db 7)", "2. redis delete keys a* (redis, db 3)"]);

    const refused = (yaml: string, redis: string | undefined, message: RegExp) =>
      assert.throws(() => planHooks(parse(yaml).hooks.after, redis), (e: Error) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.match(e.message, message);
        assert.doesNotMatch(e.message, /\n|s3cret/);
        return true;
      });
    // The target environment's URL names db 7, the hook asks to flush db 5.
    refused("hooks:\n  after:\n    - redis: { flush: 5 }\n", "redis://:s3cret@cache:6379/7", /^hooks\.after\[0\]: flush: 5 contradicts database 7 in the redis URL redis:\/\/:\*\*\*\*@cache:6379\/7/);
    refused("hooks:\n  after:\n    - redis: { url: 'redis://cache/7', flush: 5 }\n", undefined, /^hooks\.after\[0\]: flush: 5 contradicts database 7 in the redis URL redis:\/\/cache\/7/);
    refused("hooks:\n  after:\n    - redis: { url: 'redis://cache/x7', keys: ['a*'] }\n", undefined, /^hooks\.after\[0\]: the redis URL redis:\/\/cache\/x7 must end in \/<database number> or name no database/);
  });

  it("validates cron expressions and time zones", () => {
    validateCron("ok", "*/5 * * * *");
    validateCron("seconds", "*/10 * * * * *", "Europe/Berlin");
    assert.throws(() => validateCron("nightly", "61 * * * *"), /schedules\.nightly: invalid cron expression "61 \* \* \* \*"/);
    assert.throws(() => validateCron("nightly", "every day"), /invalid cron expression "every day"/);
    assert.throws(() => validateCron("tz", "0 3 * * *", "Mars/Olympus"), /or time zone "Mars\/Olympus"/);
  });
});

describe("remap pairs", () => {
  it("reads CSV with a header, trimming and lower-casing emails", () => {
    const pairs = parseRemapPairs('\uFEFFEmail,cognito_sub,name\n" Ada@X.com ",s1,"Ada, L."\nbob@x.com,s2,Bob\n', "csv", columns, "f.csv");
    assert.deepEqual(pairs, [{ email: "ada@x.com", value: "s1" }, { email: "bob@x.com", value: "s2" }]);
  });
  it("reads a JSON array, an email map and a Cognito export", () => {
    assert.deepEqual(parseRemapPairs('[{"email":"a@x","value":"1"}]', "json", columns, "f"), [{ email: "a@x", value: "1" }]);
    assert.deepEqual(parseRemapPairs('{"A@x":"1","b@x":2}', "json", columns, "f"), [{ email: "a@x", value: "1" }, { email: "b@x", value: "2" }]);
    const cognito = { Users: [{ Attributes: [{ Name: "email", Value: "c@x" }, { Name: "sub", Value: "uuid-1" }] }] };
    assert.deepEqual(parseRemapPairs(JSON.stringify(cognito), "json", columns, "f"), [{ email: "c@x", value: "uuid-1" }]);
  });
  it("refuses malformed input and duplicate emails with the entry numbers", () => {
    assert.throws(() => parseRemapPairs("email,sub\na@x,1\nA@X,2\n", "csv", columns, "f.csv"), /f\.csv: duplicate email a@x \(entries 1 and 2\)/);
    assert.throws(() => parseRemapPairs('email,sub\n"a@x,1\n', "csv", columns, "f.csv"), /f\.csv: not valid CSV/);
    assert.throws(() => parseRemapPairs("mail,id\na@x,1\n", "csv", columns, "f.csv"), /needs an email column \(email or email\) and a value column \(cognito_sub or value or sub\); it has mail, id/);
    assert.throws(() => parseRemapPairs("email,sub\n", "csv", columns, "f.csv"), /no rows under the CSV header/);
    assert.throws(() => parseRemapPairs("{oops", "json", columns, "f.json"), /f\.json: not valid JSON/);
    assert.throws(() => parseRemapPairs('[{"email":"a@x","value":""}]', "json", columns, "f"), /entry 1 \(a@x\) has no value/);
    assert.throws(() => parseRemapPairs('[{"email":"","value":"1"}]', "json", columns, "f"), /entry 1 has no email/);
    assert.throws(() => parseRemapPairs('{"a@x":{"nested":1}}', "json", columns, "f"), /the value must be text, not an object/);
    assert.throws(() => parseRemapPairs("42", "json", columns, "f"), /expected a JSON array of objects/);
  });
});

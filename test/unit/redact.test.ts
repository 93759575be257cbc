/** Every secret from every source is registered at config load, and redaction holds for odd passwords. */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadConfig, parseConfigText } from "../../src/config/load-config.js";
import { redactText, redactUrl } from "../../src/config/redact.js";

const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseConfigText(text, "pgferry.yml", env);

describe("redaction of odd passwords", () => {
  it("a URL that does not parse, with whitespace in its password, prints no part of the password", () => {
    const shown = redactUrl("postgres://app:my secret pw@db.internal:99999/x");
    assert.equal(shown, "postgres://app:****@db.internal:99999/x");
    // And it is registered: the same password elsewhere is hidden too.
    assert.equal(redactText("login with my secret pw failed"), "login with **** failed");
  });

  it("an unencoded @ in a password hides all of it, in a URL that does not parse and in free text", () => {
    assert.equal(redactUrl("postgres://app:p@ss@w0rd@db:bad/x"), "postgres://app:****@db:bad/x");
    const text = redactText("could not connect to postgres://bob:top@secret@db:5432/x: refused");
    assert.equal(text, "could not connect to postgres://bob:****@db:5432/x: refused");
  });

  it("a password with % in a config URL is registered (it is not valid percent-encoding)", () => {
    parse("environments:\n  a:\n    url: postgres://app:pa%zzword@db/x\n");
    assert.equal(redactText("echo pa%zzword"), "echo ****");
  });

  it("PGPASSWORD (and AWS secrets) from the environment are registered, with or without a config file", () => {
    parse("", { PGPASSWORD: "pg-env-secret-1" });
    assert.equal(redactText("the hook printed pg-env-secret-1"), "the hook printed ****");
    loadConfig(undefined, mkdtempSync(join(tmpdir(), "pgferry-noconf-")), { PGPASSWORD: "pg-env-secret-2", AWS_SECRET_ACCESS_KEY: "aws-env-secret-3" });
    assert.equal(redactText("pg-env-secret-2 / aws-env-secret-3"), "**** / ****");
  });

  it("${VAR} values in secret-bearing fields, or from secret-looking variables, are registered; others are not", () => {
    parse(
      `stores:
  s3: { url: "s3://bucket/p", endpoint: "https://minio:\${MINIO_PW}@s3.internal" }
hooks:
  after:
    - redis: { url: "redis://cache/3", keys: ["\${PURGE_PREFIX}"] }
    - command: "deploy --token \${DEPLOY_TOKEN} --dir \${APP_DIR}"
`,
      { MINIO_PW: "minio-pw-4", PURGE_PREFIX: "tenant-77-*", DEPLOY_TOKEN: "deploy-tok-5", APP_DIR: "/srv/app" },
    );
    assert.equal(redactText("minio-pw-4 tenant-77-* deploy-tok-5 /srv/app"), "**** **** **** /srv/app");
  });

  it("1-2 character secrets are hidden where they stand as a password, not in every word", () => {
    parse("environments:\n  a:\n    host: h\n    database: d\n    password: x7\n  b:\n    url: postgres://u:Q@h/d\n");
    assert.equal(redactText("x7"), "****", "a line that is only the secret");
    assert.equal(redactText("  Q  "), "  ****  ");
    assert.equal(redactText("PGPASSWORD=x7 psql"), "PGPASSWORD=**** psql");
    assert.equal(redactText('{"password":"x7","user":"u"}'), '{"password":"****","user":"u"}');
    assert.equal(redactText("postgres://u:x7@h/d"), "postgres://u:****@h/d");
    assert.equal(redactText("box7 has 17 rows: Quick"), "box7 has 17 rows: Quick", "not every occurrence of the letters");
  });

  it("key=value secrets are hidden whether registered or not", () => {
    assert.equal(redactText("host=db password=unregistered-9 user=app"), "host=db password=**** user=app");
    assert.equal(redactText("SECRET_TOKEN='a b c' next"), "SECRET_TOKEN=**** next");
  });
});

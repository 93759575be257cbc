import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, parseConfigText } from "../../src/config/load-config.js";
import { redactText, redactUrl } from "../../src/config/redact.js";
import { environmentUrl, resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { ConfigError } from "../../src/errors.js";

const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseConfigText(text, "pgferry.yml", env);

describe("config", () => {
  it("interpolates ${VAR} and ${VAR:-default} in values, not in structure", () => {
    const config = parse("environments:\n  prod:\n    url: postgres://app:${PW}@${HOST:-db}/app\n", { PW: "x: [y]" });
    assert.equal(config.environments.prod?.url, "postgres://app:x: [y]@db/app");
  });
  it("names an unset variable and where it is used, when the value is read", () => {
    const config = parse("environments:\n  prod:\n    url: postgres://${NOPE}/x\n");
    assert.throws(() => config.environments.prod?.url, /^UnsetVariableError: pgferry.yml: environment variable NOPE is not set \(used at environments\.prod\.url\)$/);
  });
  it("rejects unknown keys, with their path", () => {
    assert.throws(() => parse("environments:\n  prod:\n    url: postgres://h/d\n    protect: true\n"), /unknown key protect in environments\.prod/);
    assert.throws(() => parse("sync:\n  tabels: [a]\n"), /unknown key tabels in sync/);
  });
  it("reports YAML syntax errors with a position", () => {
    assert.throws(() => parse("a: [\n"), (e: unknown) => e instanceof ConfigError && /YAML syntax error at line \d+, column \d+/.test(e.message));
    assert.throws(() => parse("a: 1\na: 2\n"), /YAML syntax error/);
  });
  it("a config path that is a directory is a ConfigError naming the path, on one line", () => {
    const dir = mkdtempSync(join(tmpdir(), "pgferry-config-"));
    assert.throws(
      () => loadConfig(dir, "/", {}),
      (e: unknown) => e instanceof ConfigError && e.message === `config file ${dir} is a directory, not a file`,
    );
    assert.throws(() => loadConfig(join(dir, "missing.yml"), "/", {}), (e: unknown) => e instanceof ConfigError && e.message === `config file ${join(dir, "missing.yml")} does not exist`);
  });
  it("requires url or host/database", () => {
    assert.throws(() => parse("environments:\n  x:\n    protected: true\n"), /give either url or host\/database/);
  });
  it("builds URLs from parts, encoding special characters", () => {
    const url = environmentUrl({ host: "db.internal", port: 6432, user: "app user", password: "p@ss:w/rd", database: "app", protected: false });
    assert.equal(url, "postgres://app%20user:p%40ss%3Aw%2Frd@db.internal:6432/app");
  });
  it("builds URLs for IPv6 hosts and socket directories instead of falling back to localhost", () => {
    const v6 = environmentUrl({ host: "2001:db8::1", port: 5433, user: "u", password: "pw", database: "app", protected: false });
    assert.equal(v6, "postgres://u:pw@[2001:db8::1]:5433/app");
    const socket = environmentUrl({ host: "/var/run/postgresql", user: "u", password: "pw", database: "app", protected: false });
    assert.equal(socket, "postgres://u:pw@localhost/app?host=%2Fvar%2Frun%2Fpostgresql");
    assert.throws(() => environmentUrl({ host: "bad host name", database: "app", protected: false }), /host "bad host name" is not a valid host name/);
  });
  it("never keeps the YAML parser's error (it quotes the line, password included) as the cause", () => {
    try {
      parse("environments:\n  prod:\n    password: @hunter2secret\n");
      assert.fail("expected a ConfigError");
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.cause, undefined);
      assert.ok(!error.message.includes("hunter2secret"), error.message);
    }
  });
  it("resolves names and URLs; protected applies to a URL of a protected environment", () => {
    const config = parse("environments:\n  prod:\n    url: postgres://u:secret@prod.example:5432/app\n    protected: true\ndefaults:\n  from: prod\n");
    const source = resolveEndpoint(undefined, "source", config);
    assert.equal(source.name, "prod");
    assert.equal(source.label, "prod (postgres://u:****@prod.example:5432/app)");
    assert.equal(resolveEndpoint("postgresql://other:pw@prod.example/app", "target", config).protected, true);
    assert.equal(resolveEndpoint("postgres://u:pw@prod.example/other", "target", config).protected, false);
    assert.equal(resolveEndpoint("postgres://u:pw@PROD.example.:5432/app", "target", config).protected, true, "case and trailing dot");
    const local = parse("environments:\n  db:\n    url: postgres://u@localhost/app\n    protected: true\n");
    assert.equal(resolveEndpoint("postgres://u@[::1]/app", "target", local).protected, true, "loopback spellings");
    assert.equal(resolveEndpoint("postgres://u@x/app?host=localhost", "target", local).protected, true, "?host= wins over the URL host");
    assert.throws(() => resolveEndpoint(undefined, "target", config), /no target given/);
    assert.throws(() => resolveEndpoint("staging", "target", config), /unknown environment "staging" \(known: prod\)/);
  });
});

describe("redaction", () => {
  it("hides URL passwords and secret-looking query parameters", () => {
    assert.equal(redactUrl("postgres://u:hunter22@h:5432/d?sslpassword=abc&sslmode=require"), "postgres://u:****@h:5432/d?sslpassword=****&sslmode=require");
    assert.equal(redactUrl("postgres://u@h/d"), "postgres://u@h/d");
  });
  it("hides passwords inside any text, and secrets seen before", () => {
    assert.equal(redactText("failed: postgres://app:s3cr3t-pw@db/x and more"), "failed: postgres://app:****@db/x and more");
    parse("environments:\n  a:\n    host: h\n    database: d\n    password: Pa55-from-parts\n");
    assert.equal(redactText('auth failed for "Pa55-from-parts"'), 'auth failed for "****"');
  });
});

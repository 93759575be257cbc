/** An unset ${VAR} fails only what reads its value; the file's structure is still checked whole. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfigText } from "../../src/config/load-config.js";
import { redactText } from "../../src/config/redact.js";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { resolveHooks, resolveRestoreOptions, resolveSyncOptions } from "../../src/config/resolve-sync-options.js";
import { ConfigError, SafetyError, UnsetVariableError } from "../../src/errors.js";
import { assertWritableTarget } from "../../src/execute/target-protection.js";
import { openStore } from "../../src/storage/open-store.js";

const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseConfigText(text, "pgferry.yml", env);
const unsetError = (variable: string, path: string) => (e: unknown) =>
  e instanceof UnsetVariableError && e instanceof ConfigError && e.message === `pgferry.yml: environment variable ${variable} is not set (used at ${path})`;

const STORES = `
environments:
  dev:
    url: postgres://u@127.0.0.1/dev
stores:
  backups:
    url: s3://backups/pg
    endpoint: \${S3_ENDPOINT}
    accessKeyId: \${S3_KEY}
    secretAccessKey: \${S3_SECRET}
  local:
    url: file:///tmp/pgferry-unset-test
  elsewhere:
    url: \${ELSEWHERE_URL}
`;

describe("config: unset ${VAR}", () => {
  it("loads; the values that do not name it are read as usual", () => {
    const config = parse(STORES);
    assert.equal(config.environments.dev?.url, "postgres://u@127.0.0.1/dev");
    assert.equal(config.stores.backups?.url, "s3://backups/pg");
    assert.deepEqual(Object.keys(config.stores), ["backups", "local", "elsewhere"]);
  });

  it("reading a value that names it throws one ConfigError naming the variable and the path", () => {
    const config = parse(STORES);
    assert.throws(() => config.stores.backups?.accessKeyId, unsetError("S3_KEY", "stores.backups.accessKeyId"));
    // The value's own check (an http(s):// endpoint, an s3:// or file:// URL) waits for a value.
    assert.throws(() => config.stores.backups?.endpoint, unsetError("S3_ENDPOINT", "stores.backups.endpoint"));
    assert.throws(() => config.stores.elsewhere?.url, unsetError("ELSEWHERE_URL", "stores.elsewhere.url"));
  });

  it("a store that uses it fails when opened; other stores open", async () => {
    const config = parse(STORES);
    await assert.rejects(openStore("backups", config, "/"), unsetError("S3_KEY", "stores.backups.accessKeyId"));
    assert.equal((await openStore("local", config, "/")).name, "local");
    assert.equal((await openStore("file:///tmp/x", config, "/")).name, null);
  });

  it("the structure is still checked whole: a typo or a bad value elsewhere fails at load", () => {
    assert.throws(() => parse(`${STORES}    regoin: eu\n`), /unknown key regoin in stores\.elsewhere/);
    assert.throws(() => parse(`${STORES}  bad:\n    url: ftp://x\n`), /stores\.bad\.url: url must be s3:\/\/BUCKET\/PREFIX or file:\/\/PATH/);
    assert.throws(() => parse("environments:\n  x:\n    url: ${X_URL}\n    port: ${X_PORT}\n    protected: yes-please\n"), /environments\.x\.protected/);
  });

  it("a value set to an empty string counts as unset; a :-fallback does not", () => {
    const config = parse("stores:\n  a:\n    url: ${A_URL}\n  b:\n    url: ${B_URL:-file:///tmp/b}\n", { A_URL: "" });
    assert.throws(() => config.stores.a?.url, unsetError("A_URL", "stores.a.url"));
    assert.equal(config.stores.b?.url, "file:///tmp/b");
  });

  it("the config stays frozen, and set variables are still registered as secrets", () => {
    const config = parse(`${STORES}  other:\n    url: s3://other\n    accessKeyId: AKIA\n    secretAccessKey: \${OTHER_SECRET}\n`, { OTHER_SECRET: "s3cr3t-value-42" });
    assert.ok(Object.isFrozen(config.stores) && Object.isFrozen(config.stores.backups));
    assert.throws(() => Object.assign(config.stores.backups!, { accessKeyId: "x" }), TypeError);
    assert.equal(redactText("key s3cr3t-value-42"), "key ****");
  });

  it("an environment with an unset password fails where it is used, and only there", () => {
    const config = parse(
      "environments:\n  prod:\n    host: prod.db.internal\n    database: app\n    user: app\n    password: ${PROD_PW}\n    protected: true\n  dev:\n    url: postgres://u@127.0.0.1/dev\n",
    );
    assert.throws(() => resolveEndpoint("prod", "source", config), unsetError("PROD_PW", "environments.prod.password"));
    const dev = resolveEndpoint("dev", "target", config);
    assert.doesNotThrow(() => assertWritableTarget(dev));
    // Its address is known: a URL leading to it is still recognised as protected.
    const direct = resolveEndpoint("postgres://other:pw@prod.db.internal/app", "target", config);
    assert.throws(() => assertWritableTarget(direct), SafetyError);
    // With a database named, an unset user does not hide the address either.
    const noUser = parse("environments:\n  prod:\n    host: prod.db.internal\n    database: app\n    user: ${PROD_USER}\n    protected: true\n");
    assert.throws(() => assertWritableTarget(resolveEndpoint("postgres://x@prod.db.internal/app", "target", noUser)), SafetyError);
  });

  it("a protected environment whose address is unset refuses writes (it cannot be told apart), not reads", () => {
    const config = parse("environments:\n  prod:\n    url: ${PROD_URL}\n    protected: true\n  dev:\n    url: postgres://u@127.0.0.1/dev\n");
    const dev = resolveEndpoint("dev", "target", config);
    assert.throws(
      () => assertWritableTarget(dev),
      (e: unknown) => e instanceof UnsetVariableError && /environment variable PROD_URL is not set \(used at environments\.prod\.url\): pgferry cannot tell whether the target is the protected environment "prod"$/.test(e.message),
    );
    assert.equal(resolveEndpoint("dev", "source", config).url, "postgres://u@127.0.0.1/dev");
  });

  it("a hook's unset variable fails when the hooks are planned, not with hooks turned off", () => {
    const config = parse("environments:\n  dev:\n    url: postgres://u@127.0.0.1/dev\n    redis: ${DEV_REDIS}\nhooks:\n  after:\n    - command: deploy --token ${DEPLOY_TOKEN}\n");
    const dev = resolveEndpoint("dev", "target", config);
    assert.deepEqual(resolveHooks(config, dev, false), []);
    assert.throws(() => resolveHooks(config, dev, true), unsetError("DEPLOY_TOKEN", "hooks.after.0.command"));
    assert.equal(resolveSyncOptions(config, { hooks: false }, { source: dev, target: dev }).hooks.length, 0);
  });

  it("an environment's unset redis is read only by a redis hook without its own url", () => {
    const text = (hook: string) => `environments:\n  dev:\n    url: postgres://u@127.0.0.1/dev\n    redis: \${DEV_REDIS}\nhooks:\n  after:\n    - ${hook}\n`;
    const sqlOnly = parse(text("sql: SELECT 1"));
    assert.equal(resolveHooks(sqlOnly, resolveEndpoint("dev", "target", sqlOnly), true).length, 1);
    const redis = parse(text("redis: { flush: 0 }"));
    assert.throws(() => resolveHooks(redis, resolveEndpoint("dev", "target", redis), true), unsetError("DEV_REDIS", "environments.dev.redis"));
    // A redis url of the hook's own is checked by its pattern only once known.
    const own = parse(text("redis: { url: '${HOOK_REDIS}', flush: 0 }"));
    assert.throws(() => resolveHooks(own, resolveEndpoint("dev", "target", own), true), unsetError("HOOK_REDIS", "hooks.after.0.redis.url"));
  });

  it("an unset history schema fails when the run's options are resolved, before anything is written (not after the commit)", () => {
    const config = parse("environments:\n  dev:\n    url: postgres://u@127.0.0.1/dev\nhistory:\n  schema: ${HISTORY_SCHEMA}\n");
    const dev = resolveEndpoint("dev", "target", config);
    assert.throws(() => resolveRestoreOptions(config, {}, dev), unsetError("HISTORY_SCHEMA", "history.schema"));
    assert.throws(() => resolveSyncOptions(config, {}, { source: dev, target: dev }), unsetError("HISTORY_SCHEMA", "history.schema"));
  });
});

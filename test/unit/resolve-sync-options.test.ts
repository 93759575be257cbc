/** pgferry.yml + flags + defaults merged once (config/resolve-sync-options): pure, frozen. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfigText } from "../../src/config/load-config.js";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { parseWhereFlags, resolveRestoreOptions, resolveSyncOptions, scheduleJobFlags } from "../../src/config/resolve-sync-options.js";
import { ConfigError } from "../../src/errors.js";

const BASE = `environments:
  prod: { url: "postgres://app@prod.example.com/app", protected: true }
  staging: { url: "postgres://app@staging.example.com/app", redis: "redis://cache.example.com:6379/3" }
defaults: { from: prod, to: staging }
`;
const parse = (extra = "") => parseConfigText(`${BASE}${extra}`, "pgferry.yml", {});
const endpoints = (config: ReturnType<typeof parse>) => ({ source: resolveEndpoint(undefined, "source", config), target: resolveEndpoint(undefined, "target", config) });

describe("resolveSyncOptions", () => {
  it("fills every setting from the defaults when neither pgferry.yml nor the flags set it", () => {
    const config = parse();
    const resolved = resolveSyncOptions(config, {}, endpoints(config));
    assert.equal(resolved.source.name, "prod");
    assert.equal(resolved.target.name, "staging");
    assert.deepEqual(resolved.selection, { include: [], exclude: [], excludeQuietly: ['"pgferry".*'], where: {}, defaultWhere: {} });
    assert.equal(resolved.cascade, false);
    assert.deepEqual(resolved.drift, { addColumns: false, create: true, strict: false });
    assert.equal(resolved.mode, "refresh");
    assert.equal(resolved.deleteMissing, false);
    assert.equal(resolved.jobs, 1);
    assert.equal(resolved.dryRun, false);
    assert.equal(resolved.lockTimeoutSeconds, 60);
    assert.deepEqual(resolved.hooks, []);
    assert.deepEqual(resolved.history, { schema: "pgferry" });
  });

  it("takes pgferry.yml's sync settings, and flags over them", () => {
    const config = parse(`sync:
  tables: [users, orders]
  exclude: [audit_*]
  where: { users: "id < 100", orders: "total > 0" }
  jobs: 4
  lockTimeout: 5
  cascade: true
  addColumns: true
  create: false
  strict: true
  mode: upsert
  deleteMissing: true
groups:
  billing: [invoices, payments]
history: { schema: ops }
`);
    const fromConfig = resolveSyncOptions(config, {}, endpoints(config));
    assert.deepEqual(fromConfig.selection, { include: ["users", "orders"], exclude: ["audit_*"], excludeQuietly: ['"ops".*'], where: {}, defaultWhere: { users: "id < 100", orders: "total > 0" } });
    assert.deepEqual(
      [fromConfig.jobs, fromConfig.lockTimeoutSeconds, fromConfig.cascade, fromConfig.drift, fromConfig.mode, fromConfig.deleteMissing, fromConfig.history],
      [4, 5, true, { addColumns: true, create: false, strict: true }, "upsert", true, { schema: "ops" }],
    );

    const flagged = resolveSyncOptions(
      config,
      { group: ["billing"], tables: ["customers"], exclude: ["tmp_*"], where: parseWhereFlags(["users:id = 1"]), jobs: 2, lockTimeout: 0, cascade: false, addColumns: false, strict: false, mode: "refresh", deleteMissing: false, dryRun: true },
      endpoints(config),
    );
    assert.deepEqual(flagged.selection.include, ["customers", "invoices", "payments"], "--tables and --group replace the configured list");
    assert.deepEqual(flagged.selection.exclude, ["audit_*", "tmp_*"], "--exclude adds to it");
    assert.deepEqual([flagged.selection.where, flagged.selection.defaultWhere], [{ users: "id = 1" }, { users: "id < 100", orders: "total > 0" }], "--where is kept apart from sync.where (it replaces a table's condition when the plan assigns them)");
    assert.deepEqual(
      [flagged.jobs, flagged.lockTimeoutSeconds, flagged.cascade, flagged.drift, flagged.mode, flagged.deleteMissing, flagged.dryRun],
      [2, 0, false, { addColumns: false, create: false, strict: false }, "refresh", false, true],
      "a flag set to 0 or false wins over the config; create stays as configured",
    );
  });

  it("plans pgferry.yml's hooks for the target's Redis, or none when turned off", () => {
    const config = parse(`hooks:\n  after:\n    - redis: { keys: ["session:*"] }\n    - sql: "ANALYZE"\n`);
    const resolved = resolveSyncOptions(config, {}, endpoints(config));
    assert.deepEqual(resolved.hooks.map((h) => [h.kind, h.name]), [["redis", "redis delete keys session:*"], ["sql", "sql (1 statement)"]]);
    assert.equal(resolved.hooks[0]!.kind === "redis" && resolved.hooks[0]!.db, 3, "the staging environment's redis URL");
    assert.deepEqual(resolveSyncOptions(config, { hooks: false }, endpoints(config)).hooks, []);
  });

  it("returns a deeply frozen object and leaves the config as it was", () => {
    const config = parse(`sync: { exclude: [a] }\n`);
    const resolved = resolveSyncOptions(config, { exclude: ["b"], where: { t: "x = 1" } }, endpoints(config));
    for (const part of [resolved, resolved.selection, resolved.selection.exclude, resolved.selection.where, resolved.drift, resolved.hooks]) assert.ok(Object.isFrozen(part));
    assert.throws(() => (resolved.selection.exclude as string[]).push("c"), TypeError);
    assert.deepEqual(config.sync.exclude, ["a"]);
  });

  it("names an unknown group", () => {
    const config = parse(`groups: { billing: [invoices] }\n`);
    assert.throws(() => resolveSyncOptions(config, { group: ["nope"] }, endpoints(config)), (e: unknown) => e instanceof ConfigError && /unknown group "nope" \(known: billing\)/.test(e.message));
  });

  it("a scheduled job's where keeps a quoted table name that holds a colon", () => {
    // The job's where used to be joined into TABLE:SQL and split at the first colon: "odd / name":id > 1.
    const config = parse(`schedules:\n  nightly:\n    cron: "0 3 * * *"\n    where: { '"odd:name"': "id > 1" }\n    hooks: false\n    mode: upsert\n`);
    const resolved = resolveSyncOptions(config, scheduleJobFlags(config.schedules.nightly!), endpoints(config));
    assert.deepEqual(resolved.selection.where, { '"odd:name"': "id > 1" });
    assert.equal(resolved.mode, "upsert");
  });
});

describe("parseWhereFlags", () => {
  it("splits TABLE:SQL at the first colon outside double quotes", () => {
    assert.deepEqual(parseWhereFlags(["users: created_at > now() - interval '1 day'", '"odd:name":id::text = \'1\'', "orders:a = 1"]), {
      users: "created_at > now() - interval '1 day'",
      '"odd:name"': "id::text = '1'",
      orders: "a = 1",
    });
  });

  it("refuses values that are not TABLE:SQL", () => {
    for (const bad of ["users", ":id = 1", "users:", '"unclosed:id = 1']) {
      assert.throws(() => parseWhereFlags([bad]), (e: unknown) => e instanceof ConfigError && /--where must look like TABLE:SQL/.test(e.message), bad);
    }
  });
});

describe("resolveRestoreOptions", () => {
  it("takes its choices from the flags, and the lock timeout, table settings, hooks and history from pgferry.yml", () => {
    const config = parse(`sync: { mode: upsert, cascade: true, create: false, lockTimeout: 7 }\ntables: { users: { preserve: [cognito_sub] } }\nhooks:\n  after:\n    - sql: "ANALYZE"\n`);
    const target = resolveEndpoint(undefined, "target", config);
    const plain = resolveRestoreOptions(config, {}, target);
    assert.deepEqual(
      [plain.mode, plain.cascade, plain.drift, plain.lockTimeoutSeconds, plain.tables, plain.dryRun],
      ["refresh", false, { addColumns: false, create: true, strict: false }, 7, [], false],
      "a snapshot is restored as it was taken, whatever sync: says",
    );
    assert.deepEqual(plain.tableSettings, { users: { preserve: ["cognito_sub"] } });
    assert.deepEqual(plain.hooks.map((h) => h.name), ["sql (1 statement)"]);
    assert.ok(Object.isFrozen(plain) && Object.isFrozen(plain.drift));
    const flagged = resolveRestoreOptions(config, { tables: ["users"], mode: "insert-missing", cascade: true, create: false, strict: true, hooks: false, dryRun: true }, target);
    assert.deepEqual(
      [flagged.tables, flagged.mode, flagged.cascade, flagged.drift, flagged.hooks, flagged.dryRun],
      [["users"], "insert-missing", true, { addColumns: false, create: false, strict: true }, [], true],
    );
  });
});

describe("per-table mode and deleteMissing (tables.<pattern>.mode)", () => {
  const TABLES = `sync: { mode: refresh }
tables:
  events: { mode: upsert, deleteMissing: true }
  audit_log: { mode: insert-missing, preserve: [note] }
`;

  it("keeps the tables' own modes when the run gives none, so they win over sync.mode", () => {
    const config = parse(TABLES);
    const resolved = resolveSyncOptions(config, {}, endpoints(config));
    assert.equal(resolved.mode, "refresh");
    assert.deepEqual(resolved.tables, { events: { mode: "upsert", deleteMissing: true }, audit_log: { mode: "insert-missing", preserve: ["note"] } });
    const job = resolveSyncOptions(config, scheduleJobFlags({ cron: "* * * * *" }), endpoints(config));
    assert.deepEqual(job.tables, resolved.tables, "a job without mode: leaves the tables' modes alone");
  });

  it("a mode given for the run (--mode, a job's mode:) applies to every table; --delete-missing replaces the tables' deleteMissing", () => {
    const config = parse(TABLES);
    const flagged = resolveSyncOptions(config, { mode: "upsert" }, endpoints(config));
    assert.equal(flagged.mode, "upsert");
    assert.deepEqual(flagged.tables, { events: {}, audit_log: { preserve: ["note"] } }, "preserve stays: it is not a mode");
    const job = resolveSyncOptions(config, scheduleJobFlags({ cron: "* * * * *", mode: "insert-missing" }), endpoints(config));
    assert.deepEqual(job.tables, { events: {}, audit_log: { preserve: ["note"] } });
    const onlyDelete = resolveSyncOptions(config, { deleteMissing: false }, endpoints(config));
    assert.deepEqual(onlyDelete.tables, { events: { mode: "upsert" }, audit_log: { mode: "insert-missing", preserve: ["note"] } });
    const restore = resolveRestoreOptions(config, { mode: "refresh" }, endpoints(config).target);
    assert.deepEqual(restore.tableSettings, { events: {}, audit_log: { preserve: ["note"] } });
    assert.deepEqual(resolveRestoreOptions(config, {}, endpoints(config).target).tableSettings, config.tables);
  });

  it("refuses deleteMissing next to another mode than upsert, and an unknown mode, naming the table", () => {
    assert.throws(() => parse("tables:\n  events: { mode: insert-missing, deleteMissing: true }\n"), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /tables\.events.*deleteMissing works with mode: upsert only/);
      return true;
    });
    assert.throws(() => parse("tables:\n  events: { mode: merge }\n"), /tables\.events\.mode/);
  });
});

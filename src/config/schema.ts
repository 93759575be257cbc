/** The shape of pgferry.yml, validated by zod. Unknown keys are errors (a typo must not pass). */
import { z } from "zod";
import { transformRuleSchema, transformSpecSchema } from "../transform/transform-spec.js";

const environment = z
  .strictObject({
    url: z.string().min(1).optional(),
    host: z.string().min(1).optional(),
    port: z.coerce.number().int().min(1).max(65535).optional(),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    database: z.string().min(1).optional(),
    sslmode: z.enum(["disable", "prefer", "require", "verify-ca", "verify-full", "no-verify"]).optional(),
    protected: z.boolean().default(false),
    /** This environment's Redis (redis:// or rediss://), used by redis hooks that give no url. */
    redis: z.string().regex(/^rediss?:\/\//, "redis must be a redis:// or rediss:// URL").optional(),
  })
  .refine((env) => Boolean(env.url) !== Boolean(env.host || env.database), {
    message: "give either url or host/database, not both and not neither",
  });

const syncSettings = z.strictObject({
  tables: z.array(z.string().min(1)).optional(),
  exclude: z.array(z.string().min(1)).optional(),
  where: z.record(z.string().min(1), z.string().min(1)).optional(),
  jobs: z.number().int().min(1).max(32).optional(),
  /** Seconds to wait for a table lock on the target before failing (0 waits forever). */
  lockTimeout: z.number().min(0).optional(),
  cascade: z.boolean().optional(),
  /** Add source-only columns to existing target tables. */
  addColumns: z.boolean().optional(),
  /** Create tables missing on the target (default true). */
  create: z.boolean().optional(),
  /** Any schema drift refuses the run. */
  strict: z.boolean().optional(),
  /** How existing tables receive rows: replaced, or merged by key. */
  mode: z.enum(["refresh", "upsert", "insert-missing"]).optional(),
  /** With upsert: delete target rows whose key the source no longer has. */
  deleteMissing: z.boolean().optional(),
  /** Carry owners, grants and default privileges (roles renamed through `roles:`). */
  privileges: z.boolean().optional(),
});

const fillValue = z.union([z.string(), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? null : String(v)));

/** Per-table settings, keyed by a table pattern as in --tables. */
const tableSettings = z
  .strictObject({
    /** How this table receives rows, over sync.mode (a run's --mode, or a scheduled job's mode, overrides it). */
    mode: z.enum(["refresh", "upsert", "insert-missing"]).optional(),
    /** With upsert: delete target rows whose key the source no longer has (over sync.deleteMissing). */
    deleteMissing: z.boolean().optional(),
    /** Values for target-only columns (NOT NULL ones without default need one). */
    fill: z.record(z.string().min(1), fillValue).optional(),
    /** The key upsert / insert-missing match on, for tables without a primary key (a unique constraint must back it). */
    key: z.array(z.string().min(1)).min(1).optional(),
    /** Columns whose target values are kept for rows that match by key (e.g. staging's own API keys). */
    preserve: z.array(z.string().min(1)).optional(),
    /** Copy the table even when row-level security hides rows from the source role (copies only what it sees). */
    allowRowSecurity: z.boolean().optional(),
    /** Anonymize columns: column → {kind, …parameters} (see `pgferry transformers`). */
    transform: z.record(z.string().min(1), transformSpecSchema).optional(),
  })
  .refine((t) => !(t.deleteMissing && t.mode !== undefined && t.mode !== "upsert"), { message: "deleteMissing works with mode: upsert only" });

/** Anonymization: the secret keyed transformers hash with, and transforms by column-name pattern. */
const transformSettings = z.strictObject({
  secret: z.string().min(16, "transform.secret must be at least 16 characters").optional(),
  rules: z.array(transformRuleSchema).default([]),
  /** Refuse a sync or dump while a PII-named column of the selection has no transform (like --strict-pii). */
  strict: z.boolean().optional(),
});

const redisHook = z
  .strictObject({
    /** Default: the target environment's `redis`. */
    url: z.string().regex(/^rediss?:\/\//, "url must be a redis:// or rediss:// URL").optional(),
    /** FLUSHDB on this database number. */
    flush: z.number().int().min(0).max(15).optional(),
    /** Delete the keys matching these patterns (SCAN + UNLINK, never KEYS). */
    keys: z.array(z.string().min(1)).min(1).optional(),
  })
  .refine((h) => (h.flush === undefined) !== (h.keys === undefined), { message: "give either flush: <db> or keys: [patterns], not both and not neither" });

const remapSource = z.union([z.string().min(1), z.strictObject({ command: z.string().min(1) })]);

const remapHook = z.strictObject({
  table: z.string().min(1),
  /** The email column of the table (matched case-insensitively). */
  match: z.string().min(1),
  /** The column that receives the identity provider's value. */
  set: z.string().min(1),
  /** A CSV or JSON file of (email, value) pairs, or a command printing such JSON. */
  from: remapSource,
  /** In an AWS Cognito `list-users` export: the attribute that holds the value (default sub). */
  attribute: z.string().min(1).optional(),
});

const commandHook = z.union([
  z.string().min(1),
  z.strictObject({ run: z.string().min(1), cwd: z.string().min(1).optional(), timeout: z.number().positive().optional() }),
]);

/** One post-sync hook: exactly one of redis, sql, command, remap; `name` labels it in reports. */
const hook = z.union([
  z.strictObject({ name: z.string().min(1).optional(), redis: redisHook }),
  z.strictObject({ name: z.string().min(1).optional(), sql: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]) }),
  z.strictObject({ name: z.string().min(1).optional(), command: commandHook }),
  z.strictObject({ name: z.string().min(1).optional(), remap: remapHook }),
]);

/** Subsetting: root filters, followed through foreign keys (and virtual ones) so every kept row keeps its parents. */
const subsetSettings = z.strictObject({
  /** Table → SQL condition on its rows (the user's own SQL, checked before the run). */
  roots: z.record(z.string().min(1), z.string().min(1)).refine((r) => Object.keys(r).length > 0, { message: "subset.roots needs at least one table" }),
  /** Keep this share of each root's matching rows, chosen by a hash of the row's key (the same rows every run). */
  percent: z.number().gt(0).max(100).optional(),
  /** At most this many rows per root, the first by key order. */
  limit: z.number().int().min(1).optional(),
  /** Also keep the rows that reference kept rows: true for every table, or a list of table patterns. */
  children: z.union([z.boolean(), z.array(z.string().min(1))]).optional(),
  /** Relations the catalog does not declare: `{from: schema.table(col), to: schema.table(col), where?: SQL on the from rows}`. */
  virtualForeignKeys: z.array(z.strictObject({ from: z.string().min(1), to: z.string().min(1), where: z.string().min(1).optional() })).optional(),
});

/** A scheduled job: a sync with its own endpoints, tables and mode, run on a cron expression. */
const scheduleJob = z.strictObject({
  cron: z.string().min(1),
  from: z.string().min(1).optional(),
  to: z.string().min(1).optional(),
  tables: z.array(z.string().min(1)).optional(),
  group: z.array(z.string().min(1)).optional(),
  exclude: z.array(z.string().min(1)).optional(),
  where: z.record(z.string().min(1), z.string().min(1)).optional(),
  mode: z.enum(["refresh", "upsert", "insert-missing"]).optional(),
  deleteMissing: z.boolean().optional(),
  cascade: z.boolean().optional(),
  /** Run hooks.after after each successful run (default true). */
  hooks: z.boolean().optional(),
  /** Extra attempts after a failed run (default 2), waiting retryDelay seconds, doubled each time. */
  retries: z.number().int().min(0).max(10).optional(),
  retryDelay: z.number().min(0).optional(),
  /** IANA time zone for the cron expression (default: the process's). */
  timezone: z.string().min(1).optional(),
  /** This job's subset, over the top-level `subset:`; false: the job copies whole tables. */
  subset: z.union([z.literal(false), subsetSettings]).optional(),
});

/** An object store: a local folder (file://PATH) or an S3-compatible bucket (s3://BUCKET/PREFIX). */
const store = z.strictObject({
  url: z.string().regex(/^(s3|file):\/\/./, "url must be s3://BUCKET/PREFIX or file://PATH"),
  /** S3-compatible servers (MinIO, R2, s3rver…); default: AWS, or AWS_ENDPOINT_URL. */
  endpoint: z.string().regex(/^https?:\/\//, "endpoint must be an http(s):// URL").optional(),
  region: z.string().min(1).optional(),
  /** Default: the standard AWS chain (AWS_ACCESS_KEY_ID…, profiles, instance roles). */
  accessKeyId: z.string().min(1).optional(),
  secretAccessKey: z.string().min(1).optional(),
  sessionToken: z.string().min(1).optional(),
  /** Path-style URLs (bucket in the path), needed by most S3-compatible servers. */
  forcePathStyle: z.boolean().optional(),
  /** `pgferry snapshots prune` removes snapshots older than this. */
  retainDays: z.number().int().min(1).optional(),
  /** `pgferry snapshots prune` keep rules: a snapshot one of them keeps stays (younger than retainDays). */
  keepLast: z.number().int().min(1).optional(),
  keepDaily: z.number().int().min(1).optional(),
  keepWeekly: z.number().int().min(1).optional(),
  keepMonthly: z.number().int().min(1).optional(),
});

export const configSchema = z.strictObject({
  environments: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, "environment names use letters, digits, _ . -"), environment).default({}),
  defaults: z.strictObject({ from: z.string().optional(), to: z.string().optional(), store: z.string().optional() }).default({}),
  sync: syncSettings.default({}),
  groups: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).default({}),
  tables: z.record(z.string().min(1), tableSettings).default({}),
  transform: transformSettings.default({ rules: [] }),
  /** Copy a referentially complete subset instead of whole tables (sync, scheduled jobs, dump). */
  subset: subsetSettings.optional(),
  hooks: z.strictObject({ after: z.array(hook).default([]) }).default({ after: [] }),
  schedules: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, "job names use letters, digits, _ . -"), scheduleJob).default({}),
  stores: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, "store names use letters, digits, _ . -"), store).default({}),
  /** Source role → target role, for --privileges (and diff --privileges). */
  roles: z.record(z.string().min(1), z.string().min(1)).default({}),
  /** The run-history table on each target: <schema>.runs. `history: false` turns it off. */
  history: z.union([z.literal(false), z.strictObject({ schema: z.string().min(1).default("pgferry") })]).default({ schema: "pgferry" }),
});

export type PgferryConfig = z.infer<typeof configSchema>;
export type EnvironmentConfig = z.infer<typeof environment>;
export type SyncSettings = z.infer<typeof syncSettings>;
export type TransformSettings = z.infer<typeof transformSettings>;
export type SubsetSettings = z.infer<typeof subsetSettings>;
export type StoreConfig = z.infer<typeof store>;
export type HookConfig = z.infer<typeof hook>;
export type ScheduleJobConfig = z.infer<typeof scheduleJob>;

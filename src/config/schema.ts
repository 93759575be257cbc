/** The shape of pgferry.yml, validated by zod. Unknown keys are errors (a typo must not pass). */
import { z } from "zod";

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
});

const fillValue = z.union([z.string(), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? null : String(v)));

/** Per-table settings, keyed by a table pattern as in --tables. */
const tableSettings = z.strictObject({
  /** Values for target-only columns (NOT NULL ones without default need one). */
  fill: z.record(z.string().min(1), fillValue).optional(),
  /** The key upsert / insert-missing match on, for tables without a primary key (a unique constraint must back it). */
  key: z.array(z.string().min(1)).min(1).optional(),
  /** Columns whose target values are kept for rows that match by key (e.g. staging's own API keys). */
  preserve: z.array(z.string().min(1)).optional(),
});

export const configSchema = z.strictObject({
  environments: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, "environment names use letters, digits, _ . -"), environment).default({}),
  defaults: z.strictObject({ from: z.string().optional(), to: z.string().optional() }).default({}),
  sync: syncSettings.default({}),
  groups: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).default({}),
  tables: z.record(z.string().min(1), tableSettings).default({}),
});

export type PgferryConfig = z.infer<typeof configSchema>;
export type EnvironmentConfig = z.infer<typeof environment>;
export type SyncSettings = z.infer<typeof syncSettings>;

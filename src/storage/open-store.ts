/**
 * The one factory that picks a store adapter: a store name from pgferry.yml (`stores:`), or a
 * URL, file://PATH or s3://BUCKET/PREFIX. S3 settings not given in the config come from the
 * standard AWS environment (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, …). The AWS SDK is
 * loaded only when an s3:// store is used.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { PgferryConfig, StoreConfig } from "../config/schema.js";
import type { PruneRule } from "../archive/list-snapshots.js";
import { ConfigError } from "../errors.js";
import { createFileStore } from "./file-store.js";
import type { ObjectStore } from "./object-store.js";

/** What an S3 adapter needs; absent fields fall back to the AWS SDK's own environment chain. */
export interface S3StoreSettings {
  readonly bucket: string;
  /** '' or ends without '/'; keys are stored as `${prefix}/${key}`. */
  readonly prefix: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  readonly forcePathStyle?: boolean;
}

export interface OpenedStore {
  readonly store: ObjectStore;
  /** The store's name in pgferry.yml, or null for a URL. */
  readonly name: string | null;
  /** The store's retention in pgferry.yml (retainDays, keepLast, keepDaily, keepWeekly, keepMonthly). */
  readonly retention: PruneRule;
}

export async function openStore(arg: string | undefined, config: PgferryConfig, cwd: string): Promise<OpenedStore> {
  const chosen = arg ?? config.defaults.store;
  if (!chosen) throw new ConfigError("no store given: pass --to/--from (a store name, file://PATH or s3://BUCKET/PREFIX) or set defaults.store");
  const named = config.stores[chosen];
  if (!named && !/^(s3|file):\/\//.test(chosen)) {
    const known = Object.keys(config.stores);
    throw new ConfigError(`unknown store "${chosen}": use a store name${known.length ? ` (known: ${known.join(", ")})` : ""}, file://PATH or s3://BUCKET/PREFIX`);
  }
  const settings: StoreConfig = named ?? { url: chosen };
  const store = await storeFor(settings, cwd);
  const retention: PruneRule = {
    ...(settings.retainDays ? { retainDays: settings.retainDays } : {}),
    ...(settings.keepLast ? { keep: settings.keepLast } : {}),
    ...(settings.keepDaily ? { keepDaily: settings.keepDaily } : {}),
    ...(settings.keepWeekly ? { keepWeekly: settings.keepWeekly } : {}),
    ...(settings.keepMonthly ? { keepMonthly: settings.keepMonthly } : {}),
  };
  return { store, name: named ? chosen : null, retention };
}

async function storeFor(settings: StoreConfig, cwd: string): Promise<ObjectStore> {
  if (settings.url.startsWith("file://")) {
    const raw = settings.url.slice("file://".length);
    // file:///abs/path and file://relative/path (relative to the working folder) both work.
    const path = raw.startsWith("/") ? fileURLToPath(`file://${raw}`) : resolve(cwd, raw);
    return createFileStore(path);
  }
  const { bucket, prefix } = parseS3Url(settings.url);
  if ((settings.accessKeyId === undefined) !== (settings.secretAccessKey === undefined)) {
    throw new ConfigError(`store ${settings.url}: give both accessKeyId and secretAccessKey, or neither (then the AWS environment is used)`);
  }
  const { createS3Store } = await import("./s3-store.js");
  return createS3Store({
    bucket,
    prefix,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.accessKeyId && settings.secretAccessKey
      ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey, ...(settings.sessionToken ? { sessionToken: settings.sessionToken } : {}) } }
      : {}),
    ...(settings.forcePathStyle !== undefined ? { forcePathStyle: settings.forcePathStyle } : {}),
  });
}

export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match) throw new ConfigError(`${url} is not a valid s3://BUCKET/PREFIX URL (bucket names use a-z, 0-9, . and -)`);
  return { bucket: match[1]!, prefix: (match[2] ?? "").replace(/^\/+|\/+$/g, "") };
}

/**
 * An S3-compatible bucket as an object store (s3://BUCKET/PREFIX), on AWS or any server that
 * speaks the S3 API (MinIO, R2, s3rver…). Uploads stream as multipart uploads, so an object of
 * any size passes through in bounded memory (partSize × queueSize per object).
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type _Object,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Readable } from "node:stream";
import { redactUrl } from "../config/redact.js";
import { StorageError } from "../errors.js";
import type { ObjectStore, StoredObject } from "./object-store.js";
import type { S3StoreSettings } from "./open-store.js";
import { httpStatusOf, errorNameOf, mapS3Error } from "./s3-errors.js";

/** S3's minimum part is 5 MiB; 8 MiB × 4 parts in flight keeps one upload under ~32 MiB of memory. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;
/** DeleteObjects takes at most 1000 keys per request. */
const DELETE_BATCH = 1000;

/** The endpoint the SDK will use besides AWS itself: the store's, else the standard environment variables. */
function configuredEndpoint(settings: S3StoreSettings): string | undefined {
  if (settings.endpoint) return settings.endpoint;
  if (process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === "true") return undefined;
  return process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined;
}

export function createS3Store(settings: S3StoreSettings): ObjectStore {
  // pgferry supports Node 20 (see package.json engines) and pins the SDK, so the SDK's multi-line
  // "future versions will need Node 22" warning only clutters every run's stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const { bucket, prefix } = settings;
  const endpoint = configuredEndpoint(settings);
  const client = new S3Client({
    region: settings.region ?? process.env.AWS_REGION ?? "us-east-1",
    // Left out when absent, so the SDK reads AWS_ENDPOINT_URL(_S3) and the profile itself.
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    // Most S3-compatible servers have no wildcard DNS for bucket.host names.
    forcePathStyle: settings.forcePathStyle ?? Boolean(endpoint),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  });
  const root = `s3://${bucket}${prefix ? `/${prefix}` : ""}`;
  const shownEndpoint = endpoint ? redactUrl(endpoint).replace(/\/$/, "") : null;
  const fullKey = (key: string) => (prefix ? `${prefix}/${key}` : key);
  const fail = (error: unknown, action: string, key?: string) =>
    mapS3Error(error, { action, bucket, root, endpoint: shownEndpoint, ...(key === undefined ? {} : { key }) });
  const toStored = (object: _Object, key: string): StoredObject => ({
    key,
    size: object.Size ?? 0,
    etag: unquote(object.ETag),
    lastModified: object.LastModified ?? new Date(0),
  });

  return {
    label: shownEndpoint ? `${root} at ${shownEndpoint}` : root,
    async put(key, body, options) {
      let bytes = 0;
      // Counted as the upload pulls the bytes, so a failed upload never reports what it did not write.
      async function* counted(): AsyncGenerator<Buffer> {
        for await (const chunk of body as AsyncIterable<Buffer | string>) {
          const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
          bytes += buffer.length;
          yield buffer;
        }
      }
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: fullKey(key), Body: Readable.from(counted()), ...(options?.contentType ? { ContentType: options.contentType } : {}) },
        partSize: PART_SIZE,
        queueSize: QUEUE_SIZE,
        leavePartsOnError: false, // abort the multipart upload, so no orphaned parts are billed
      });
      try {
        await upload.done();
      } catch (error) {
        body.destroy();
        throw fail(error, "write", key);
      }
      return bytes;
    },
    async putText(key, text) {
      try {
        const body = Buffer.from(text, "utf8");
        // An explicit length: without it the SDK warns about "a Stream of unknown length" for "".
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: fullKey(key), Body: body, ContentLength: body.length, ContentType: key.endsWith(".json") ? "application/json" : "text/plain; charset=utf-8" }),
        );
      } catch (error) {
        throw fail(error, "write", key);
      }
    },
    async get(key) {
      try {
        const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: fullKey(key) }));
        if (!(Body instanceof Readable)) throw new StorageError(`cannot read ${key} in ${root}: the SDK returned no Node stream`);
        return Body;
      } catch (error) {
        if (error instanceof StorageError) throw error;
        throw fail(error, "read", key);
      }
    },
    async getText(key) {
      try {
        const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: fullKey(key) }));
        return Body ? await Body.transformToString("utf8") : "";
      } catch (error) {
        throw fail(error, "read", key);
      }
    },
    async head(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: fullKey(key) }));
        return { key, size: head.ContentLength ?? 0, etag: unquote(head.ETag), lastModified: head.LastModified ?? new Date(0) };
      } catch (error) {
        // HEAD responses have no body, so a missing key arrives as a bare 404 "NotFound".
        if (httpStatusOf(error) === 404 || errorNameOf(error) === "NotFound") return null;
        throw fail(error, "check", key);
      }
    },
    async *list(listPrefix) {
      // With a store prefix "p", list under "p/" so that "p2/…" never matches.
      const base = prefix ? `${prefix}/` : "";
      let token: string | undefined;
      do {
        let page;
        try {
          page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${base}${listPrefix}`, ...(token ? { ContinuationToken: token } : {}) }));
        } catch (error) {
          throw fail(error, "list");
        }
        for (const object of page.Contents ?? []) {
          if (object.Key !== undefined && object.Key.startsWith(base)) yield toStored(object, object.Key.slice(base.length));
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        const batch = keys.slice(i, i + DELETE_BATCH);
        let result;
        try {
          result = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((k) => ({ Key: fullKey(k) })), Quiet: true } }));
        } catch (error) {
          throw fail(error, "delete");
        }
        const first = result.Errors?.[0];
        if (first) {
          const key = first.Key?.slice(prefix ? prefix.length + 1 : 0) ?? "?";
          throw new StorageError(`cannot delete ${key} in ${root}: ${first.Code ?? "error"}${first.Message ? `: ${first.Message}` : ""} (${result.Errors!.length} of ${batch.length} keys failed)`);
        }
      }
    },
  };
}

/** S3 quotes ETags ("abc…"); the port's etag has no quotes. */
function unquote(etag: string | undefined): string | null {
  return etag ? etag.replace(/^"|"$/g, "") : null;
}

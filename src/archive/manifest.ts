/**
 * The snapshot manifest: what a dump wrote and how to read it back. Written last, so a dump
 * that died half-way has no manifest and is no snapshot. Validated on read: a manifest from a
 * newer format, or one that is not a pgferry manifest at all, is refused before anything runs.
 */
import { z } from "zod";
import { StorageError } from "../errors.js";
import type { Catalog } from "../model/catalog.js";
import { catalogSchema } from "./catalog-schema.js";

export const MANIFEST_FORMAT = 1;
export const MANIFEST_FILE = "manifest.json";

export interface ManifestTable {
  readonly schema: string;
  readonly name: string;
  /** Key of the data file, relative to the snapshot folder. */
  readonly file: string;
  /** The columns in the file, in order (text COPY format). */
  readonly columns: readonly string[];
  readonly rows: number;
  /** COPY text bytes before compression. */
  readonly rawBytes: number;
  /** Bytes of the stored file (compressed, and encrypted when asked). */
  readonly storedBytes: number;
  /** SHA-256 (hex) of the stored file. */
  readonly sha256: string;
  /** "filtered (sha256 …)" when a where filter chose the rows; the filter's text is not kept. */
  readonly where: string | null;
  /** AES-256-GCM: per-file IV and authentication tag (base64). */
  readonly iv?: string;
  readonly authTag?: string;
}

export interface ManifestEncryption {
  readonly algorithm: "aes-256-gcm";
  /** scrypt salt (base64) for the key derived from the passphrase. */
  readonly salt: string;
  /** HMAC of a constant under the derived key: a wrong key is found before any data is read. */
  readonly keyCheck: string;
}

export interface Manifest {
  readonly format: number;
  readonly pgferryVersion: string;
  readonly createdAt: string;
  /** The environment name, or "url" for a URL given directly. */
  readonly environment: string;
  /** Redacted. */
  readonly source: string;
  readonly serverVersion: number;
  readonly serverVersionText: string;
  readonly compression: "gzip";
  readonly encryption: ManifestEncryption | null;
  readonly tables: readonly ManifestTable[];
  readonly catalog: Catalog;
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, "is not base64");

const tableSchema = z.strictObject({
  schema: z.string().min(1),
  name: z.string().min(1),
  file: z.string().regex(/^data\/[A-Za-z0-9._-]+$/, "a data file key inside the snapshot"),
  columns: z.array(z.string().min(1)),
  rows: z.number().int().min(0),
  rawBytes: z.number().int().min(0),
  storedBytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  where: z.string().nullable(),
  iv: base64.optional(),
  authTag: base64.optional(),
});

export const encryptionSchema = z.strictObject({ algorithm: z.literal("aes-256-gcm"), salt: base64, keyCheck: base64 }).nullable();

const manifestSchema = z
  .strictObject({
    format: z.number().int().min(1),
    pgferryVersion: z.string(),
    createdAt: z.string(),
    environment: z.string(),
    source: z.string(),
    serverVersion: z.number().int(),
    serverVersionText: z.string(),
    compression: z.literal("gzip"),
    encryption: encryptionSchema,
    tables: z.array(tableSchema),
    catalog: catalogSchema,
  })
  .superRefine((manifest, context) => {
    // An encrypted snapshot has an IV and a tag for every file; a plain one for none.
    manifest.tables.forEach((table, index) => {
      const withTag = table.iv !== undefined && table.authTag !== undefined;
      const withoutTag = table.iv === undefined && table.authTag === undefined;
      if (manifest.encryption ? !withTag : !withoutTag) {
        context.addIssue({ code: "custom", path: ["tables", index], message: manifest.encryption ? "an encrypted snapshot's file needs an iv and an authTag" : "a file of an unencrypted snapshot has an iv or authTag" });
      }
    });
  });

/** JSON text → data, refusing a newer format before anything else is looked at. */
export function readManifestJson(text: string, where: string): unknown {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new StorageError(`${where}: the manifest is not valid JSON (${(error as Error).message})`);
  }
  const format = (data as { format?: unknown } | null)?.format;
  if (typeof format === "number" && format > MANIFEST_FORMAT) {
    throw new StorageError(`${where}: made by a newer pgferry (snapshot format ${format}; this version reads format ${MANIFEST_FORMAT}): upgrade pgferry`);
  }
  return data;
}

/** Check parsed manifest data against the strict schema, catalog included; one line on failure. */
export function validateManifest(data: unknown, where: string): Manifest {
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StorageError(`${where}: not a valid pgferry manifest (${issue?.path.join(".") || "root"}: ${(issue?.message ?? "invalid").replace(/\s*\n\s*/g, " ")})`);
  }
  return parsed.data;
}

/**
 * Parse and check a manifest's text; `where` names it in errors. This does not authenticate
 * it: a restore goes through openManifest, which does.
 */
export function parseManifest(text: string, where: string): Manifest {
  return validateManifest(readManifestJson(text, where), where);
}

/**
 * The manifest's seal (`manifest.seal`, written just before `manifest.json`): for an encrypted
 * snapshot an HMAC of the manifest's exact bytes under the snapshot key, so a restore with the
 * key refuses a manifest edited by anyone without it; for an unencrypted one a SHA-256, which
 * finds corruption but not tampering (anyone who can write the manifest can rewrite the seal).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { ConfigError, StorageError } from "../errors.js";
import type { ObjectStore } from "../storage/object-store.js";
import { encryptionSchema, MANIFEST_FILE, readManifestJson, validateManifest, type Manifest } from "./manifest.js";
import { manifestMac, openSnapshotKey } from "./snapshot-crypto.js";

export const MANIFEST_SEAL_FILE = "manifest.seal";

const sealSchema = z.strictObject({
  algorithm: z.enum(["hmac-sha256", "sha256"]),
  value: z.string().regex(/^[0-9a-f]{64}$/),
});
type Seal = z.infer<typeof sealSchema>;

/** The seal's text for these manifest bytes: keyed when the snapshot has a key. */
export function renderManifestSeal(snapshot: string, manifest: Buffer, key: Buffer | null): string {
  const seal: Seal = key
    ? { algorithm: "hmac-sha256", value: manifestMac(key, snapshot, manifest).toString("hex") }
    : { algorithm: "sha256", value: createHash("sha256").update(manifest).digest("hex") };
  return JSON.stringify(seal);
}

export interface OpenedManifest {
  readonly manifest: Manifest;
  /** The data key of an encrypted snapshot. */
  readonly key: Buffer | null;
}

/**
 * Read, authenticate and validate a snapshot's manifest, before anything connects anywhere.
 * With a passphrase, or for an encrypted snapshot, the manifest must carry a valid HMAC seal:
 * an unencrypted manifest (which cannot be authenticated) is refused while a key is set.
 * Without a key, an unencrypted manifest is checked against its SHA-256 seal when it has one.
 */
export async function openManifest(store: ObjectStore, snapshot: string, passphrase: string | undefined, variable: string): Promise<OpenedManifest> {
  const where = `snapshot ${snapshot}`;
  const bytes = await readBytes(store, `${snapshot}/${MANIFEST_FILE}`);
  const seal = await readSeal(store, snapshot);
  const data = readManifestJson(bytes.toString("utf8"), where);
  const encryption = encryptionSchema.safeParse((data as { encryption?: unknown } | null)?.encryption);
  if (!encryption.success) return { manifest: validateManifest(data, where), key: null }; // refused there, with the reason
  if (passphrase || encryption.data !== null) {
    if (encryption.data === null) {
      throw new ConfigError(`${where} is not encrypted, but ${variable} is set: its manifest cannot be authenticated (unset ${variable} to restore it, only from a store you trust)`);
    }
    const key = openSnapshotKey(passphrase, encryption.data, variable, where);
    if (seal === "invalid" || seal?.algorithm !== "hmac-sha256") throw new StorageError(`${where}: the manifest's seal (${MANIFEST_SEAL_FILE}) is missing or not valid, so the manifest cannot be authenticated`);
    if (!sameBytes(manifestMac(key, snapshot, bytes), Buffer.from(seal.value, "hex"))) {
      throw new StorageError(`${where}: the manifest is not authentic (edited or corrupted since the dump)`);
    }
    return { manifest: validateManifest(data, where), key };
  }
  if (seal === "invalid") throw new StorageError(`${where}: the manifest's seal (${MANIFEST_SEAL_FILE}) is not valid (corrupted)`);
  if (seal !== null) {
    if (seal.algorithm !== "sha256") throw new StorageError(`${where}: the manifest's seal (${MANIFEST_SEAL_FILE}) is keyed, but the manifest is not encrypted: it was edited`);
    if (!sameBytes(createHash("sha256").update(bytes).digest(), Buffer.from(seal.value, "hex"))) {
      throw new StorageError(`${where}: the manifest is corrupted: its SHA-256 differs from ${MANIFEST_SEAL_FILE}`);
    }
  }
  return { manifest: validateManifest(data, where), key: null };
}

async function readBytes(store: ObjectStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The seal; null when there is none (an unencrypted snapshot of an older pgferry). */
async function readSeal(store: ObjectStore, snapshot: string): Promise<Seal | "invalid" | null> {
  const key = `${snapshot}/${MANIFEST_SEAL_FILE}`;
  if (!(await store.head(key))) return null;
  let data: unknown;
  try {
    data = JSON.parse(await store.getText(key));
  } catch {
    return "invalid";
  }
  const parsed = sealSchema.safeParse(data);
  return parsed.success ? parsed.data : "invalid";
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Optional encryption of snapshot data files: AES-256-GCM with a key derived (scrypt) from a
 * passphrase in an environment variable, a random IV per file, and the authentication tag kept
 * in the manifest. The manifest itself is not encrypted (it holds the schema, not the rows) but
 * authenticated: an HMAC-SHA-256 of its exact bytes under a key derived from the same key.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, scryptSync, timingSafeEqual, type CipherGCM, type DecipherGCM } from "node:crypto";
import { ConfigError } from "../errors.js";
import type { ManifestEncryption } from "./manifest.js";

export const DEFAULT_KEY_VARIABLE = "PGFERRY_SNAPSHOT_KEY";
const KEY_CHECK_TEXT = "pgferry snapshot key check v1";

export interface SnapshotKey {
  readonly key: Buffer;
  readonly encryption: ManifestEncryption;
}

function deriveKey(passphrase: string, salt: Buffer): Buffer {
  return scryptSync(passphrase, salt, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
}

function keyCheck(key: Buffer): string {
  return createHmac("sha256", key).update(KEY_CHECK_TEXT).digest("base64");
}

/** A new key for a dump; the passphrase must be long enough to be a key, not a password. */
export function newSnapshotKey(passphrase: string, variable: string): SnapshotKey {
  if (passphrase.length < 16) throw new ConfigError(`${variable} must hold at least 16 characters (a random key, e.g. openssl rand -base64 32)`);
  const salt = randomBytes(16);
  const key = deriveKey(passphrase, salt);
  return { key, encryption: { algorithm: "aes-256-gcm", salt: salt.toString("base64"), keyCheck: keyCheck(key) } };
}

/** The key of an encrypted snapshot; a wrong passphrase fails here, before any data is read. */
export function openSnapshotKey(passphrase: string | undefined, encryption: ManifestEncryption, variable: string, where: string): Buffer {
  if (!passphrase) throw new ConfigError(`${where} is encrypted: set ${variable} to its key`);
  const key = deriveKey(passphrase, Buffer.from(encryption.salt, "base64"));
  const expected = Buffer.from(encryption.keyCheck, "base64");
  const actual = Buffer.from(keyCheck(key), "base64");
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) throw new ConfigError(`${where}: wrong key in ${variable}`);
  return key;
}

export function encryptStream(key: Buffer): { cipher: CipherGCM; iv: string } {
  const iv = randomBytes(12);
  return { cipher: createCipheriv("aes-256-gcm", key, iv), iv: iv.toString("base64") };
}

export function decryptStream(key: Buffer, iv: string, authTag: string): DecipherGCM {
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
  decipher.setAuthTag(Buffer.from(authTag, "base64"));
  return decipher;
}

/**
 * HMAC-SHA-256 of a manifest's exact bytes and its snapshot's name (so a sealed manifest cannot
 * be moved under another name), under a key derived (HKDF) from the snapshot key: the data key
 * itself is never used for two purposes.
 */
export function manifestMac(key: Buffer, snapshot: string, manifest: Buffer): Buffer {
  const macKey = Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), "pgferry manifest seal v1", 32));
  return createHmac("sha256", macKey).update(`${snapshot}\u0000`).update(manifest).digest();
}

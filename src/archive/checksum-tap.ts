/** A pass-through stream that counts bytes and computes their SHA-256: what a snapshot file is checked by. */
import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

export interface ChecksumTap {
  readonly stream: Transform;
  readonly bytes: () => number;
  /** Hex digest; available once the stream has ended. */
  readonly sha256: () => string;
}

/** `check` runs when the input ends; an Error it returns fails the stream there. */
export function createChecksumTap(check?: (bytes: number, sha256: string) => Error | null): ChecksumTap {
  const hash = createHash("sha256");
  let bytes = 0;
  let digest = "";
  const stream = new Transform({
    transform(chunk: Buffer, _e: BufferEncoding, callback: TransformCallback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      digest = hash.digest("hex");
      callback(check?.(bytes, digest) ?? null);
    },
  });
  return { stream, bytes: () => bytes, sha256: () => digest };
}

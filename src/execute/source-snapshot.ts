/**
 * The source side of a run: one session that exports a REPEATABLE READ READ ONLY snapshot and
 * keeps it alive, and workers that import it, so every read sees the same instant.
 */
import { connect } from "../pg/connect.js";
import type { SqlSession } from "../pg/session.js";
import { beginExportedSnapshot, joinSnapshot } from "../pg/snapshot.js";
import { registerSecret } from "../config/redact.js";
import { deriveTransformKey, SET_TRANSFORM_KEY_SQL, type TransformKey } from "../transform/keyed-hash.js";

export interface SourceSnapshot {
  readonly owner: SqlSession;
  readonly snapshotId: string;
  /** A new session reading the same snapshot. */
  openWorker(role: string): Promise<SqlSession>;
  close(): Promise<void>;
}

export interface SourceSnapshotOptions {
  /** Seconds a source read may wait for a table lock before failing. */
  readonly lockTimeoutSeconds: number;
  readonly onRetry?: (message: string) => void;
  /**
   * The keyed transformers' secret (transform.secret): its HMAC key is set in every session of
   * the snapshot (bind parameters, never SQL text) for their SELECTs to read with current_setting().
   */
  readonly transformSecret?: string;
}

/** The key of a secret, registered for redaction: a user's `sql` transform could read it into an error. */
function transformKeyOf(secret: string | undefined): TransformKey | undefined {
  if (!secret) return undefined;
  const key = deriveTransformKey(secret);
  registerSecret(secret);
  registerSecret(key.innerHex);
  registerSecret(key.outerHex);
  return key;
}

async function setTransformKey(session: SqlSession, key: TransformKey | undefined): Promise<void> {
  if (key) await session.query(SET_TRANSFORM_KEY_SQL, [key.innerHex, key.outerHex]);
}

export async function openSourceSnapshot(url: string, options: SourceSnapshotOptions): Promise<SourceSnapshot> {
  const { onRetry, lockTimeoutSeconds } = options;
  const transformKey = transformKeyOf(options.transformSecret);
  const owner = await connect(url, { role: "source", ...(onRetry ? { onRetry } : {}) });
  const workers = new Set<SqlSession>();
  try {
    const snapshotId = await beginExportedSnapshot(owner, lockTimeoutSeconds);
    await setTransformKey(owner, transformKey);
    return {
      owner,
      snapshotId,
      async openWorker(role: string) {
        const worker = await connect(url, { role, attempts: 2, ...(onRetry ? { onRetry } : {}) });
        workers.add(worker);
        await joinSnapshot(worker, snapshotId, lockTimeoutSeconds);
        await setTransformKey(worker, transformKey);
        return worker;
      },
      async close() {
        await Promise.all([...workers].map((w) => w.close()));
        await owner.close();
      },
    };
  } catch (error) {
    await owner.close();
    throw error;
  }
}

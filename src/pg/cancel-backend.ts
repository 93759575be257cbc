/**
 * Cancel the statement another session of ours is running (pg_cancel_backend, from a short
 * session of its own): an interrupted run rolls back at once instead of waiting for an index
 * build, an FK validation or a lock wait to end. The same role may cancel its own backends.
 */
import { connect } from "./connect.js";

export async function cancelBackend(url: string, pid: number): Promise<void> {
  const session = await connect(url, { role: "target (cancelling the interrupted run's statement)", attempts: 1, connectTimeoutMs: 5000 });
  try {
    await session.query("SELECT pg_cancel_backend($1)", [pid]);
  } finally {
    await session.close();
  }
}

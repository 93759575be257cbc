/**
 * Settings for the target transaction only (SET LOCAL semantics through set_config(…, true)).
 * DateStyle and IntervalStyle match what the source sessions print, so text COPY round-trips.
 * check_function_bodies is off, as pg_restore has it: a created SQL function may name a table
 * created after it.
 */
import { millisecondsSetting, type SqlSession } from "../pg/session.js";

export interface TargetSettings {
  /** Seconds to wait for a table lock before failing; 0 waits forever. */
  readonly lockTimeoutSeconds: number;
  /** Parallel workers PostgreSQL may use per index build (btree), besides the leader; null keeps the server's setting. */
  readonly parallelIndexWorkers: number | null;
}

export async function applyTargetSettings(target: SqlSession, settings: TargetSettings): Promise<void> {
  await target.query(
    `SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', '0', true),
            set_config('idle_in_transaction_session_timeout', '0', true),
            set_config('max_parallel_maintenance_workers', COALESCE($2, current_setting('max_parallel_maintenance_workers')), true),
            set_config('maintenance_work_mem', '256MB', true),
            set_config('DateStyle', 'ISO, MDY', true), set_config('IntervalStyle', 'postgres', true),
            set_config('check_function_bodies', 'off', true)`,
    [millisecondsSetting(settings.lockTimeoutSeconds), settings.parallelIndexWorkers === null ? null : String(settings.parallelIndexWorkers)],
  );
}

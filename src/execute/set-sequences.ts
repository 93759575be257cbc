/**
 * Set target sequences to the source's positions so that they change only if the data commits.
 *
 * `setval()` is not transactional: a rolled-back run would keep the moved sequence (backwards, in
 * refresh mode, so the application's next insert hits a duplicate key). `ALTER SEQUENCE … RESTART`
 * gives the sequence a new relfilenode inside the transaction (PostgreSQL 10+), and a `setval()`
 * after it writes only to that new file: a ROLLBACK discards both. ALTER needs the sequence's
 * owner; where the target role is not, the value is set right after COMMIT instead (reported).
 */
import type { SequenceReset } from "../model/plan.js";
import { displayName } from "../model/qualified-name.js";
import { describePgError, sqlstateOf } from "../pg/describe-pg-error.js";
import type { SqlSession } from "../pg/session.js";
import { quoteQualified } from "../sql/quote.js";

/** A sequence position, decided before the sequence is restarted. */
export interface SequencePosition {
  readonly reset: SequenceReset;
  readonly value: string;
  readonly isCalled: boolean;
}

export interface SequenceOutcome {
  /** Set inside the transaction: they move with the COMMIT, or not at all. */
  readonly set: number;
  /** The target role does not own these: set them with setDeferredSequences after COMMIT. */
  readonly deferred: readonly SequencePosition[];
}

const INSUFFICIENT_PRIVILEGE = "42501";

/** Inside the caller's open transaction. */
export async function setSequences(target: SqlSession, resets: readonly SequenceReset[]): Promise<SequenceOutcome> {
  const deferred: SequencePosition[] = [];
  let set = 0;
  for (const reset of resets) {
    const position = await decidePosition(target, reset);
    await target.query("SAVEPOINT pgferry_sequence");
    try {
      await target.query(`ALTER SEQUENCE ${quoteQualified(reset.sequence)} RESTART`);
    } catch (error) {
      await target.query("ROLLBACK TO SAVEPOINT pgferry_sequence");
      if (sqlstateOf(error) !== INSUFFICIENT_PRIVILEGE) throw error;
      deferred.push(position);
      continue;
    }
    await target.query("RELEASE SAVEPOINT pgferry_sequence");
    await applyPosition(target, position);
    set += 1;
  }
  return { set, deferred };
}

/** After COMMIT, for the sequences the role could not restart; failures are returned as warnings. */
export async function setDeferredSequences(target: SqlSession, deferred: readonly SequencePosition[]): Promise<{ set: number; warnings: string[] }> {
  const warnings: string[] = [];
  let set = 0;
  for (const position of deferred) {
    try {
      await applyPosition(target, position);
      set += 1;
      warnings.push(`sequence ${displayName(position.reset.sequence)} is not owned by the target role: it was set right after COMMIT, outside the transaction`);
    } catch (error) {
      warnings.push(`sequence ${displayName(position.reset.sequence)} could not be set after COMMIT: ${describePgError(error)}`);
    }
  }
  return { set, warnings };
}

/**
 * Where the sequence goes. When the target keeps its own rows it never moves below where it is
 * (read before the restart, which would reset it).
 */
async function decidePosition(target: SqlSession, reset: SequenceReset): Promise<SequencePosition> {
  if (!reset.neverBackwards) return { reset, value: reset.value, isCalled: reset.isCalled };
  const [row] = await target.query<{ last: string | null }>("SELECT pg_sequence_last_value($1::regclass)::text AS last", [quoteQualified(reset.sequence)]);
  // NULL: never called (or unlogged after a crash); a value: that number was handed out already.
  const last = row?.last ?? null;
  if (last !== null && BigInt(last) >= BigInt(reset.value)) return { reset, value: last, isCalled: true };
  return { reset, value: reset.value, isCalled: reset.isCalled };
}

async function applyPosition(target: SqlSession, position: SequencePosition): Promise<void> {
  // The name travels as a parameter and is resolved by the regclass cast.
  await target.query("SELECT setval($1::regclass, $2::bigint, $3)", [quoteQualified(position.reset.sequence), position.value, position.isCalled]);
}

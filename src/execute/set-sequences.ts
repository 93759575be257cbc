/** Set target sequences to the source's positions, inside the caller's transaction. */
import type { SequenceReset } from "../model/plan.js";
import type { SqlSession } from "../pg/session.js";
import { quoteQualified } from "../sql/quote.js";

export async function setSequences(target: SqlSession, resets: readonly SequenceReset[]): Promise<number> {
  for (const reset of resets) {
    // The sequence's name travels as a parameter and is resolved by the regclass cast. When the
    // target keeps its own rows, its sequence never moves below where it is.
    const sql = reset.neverBackwards
      ? `SELECT setval($1::regclass, GREATEST($2::bigint, COALESCE(pg_sequence_last_value($1::regclass), $2::bigint)),
                       $3 OR COALESCE(pg_sequence_last_value($1::regclass) > $2::bigint, false))`
      : "SELECT setval($1::regclass, $2::bigint, $3)";
    await target.query(sql, [quoteQualified(reset.sequence), reset.value, reset.isCalled]);
  }
  return resets.length;
}

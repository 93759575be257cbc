/** After the copy every sequence the synced tables use, and each one created for a function's body, takes the source's value. */
import type { Catalog, Sequence, Table } from "../model/catalog.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { SequenceReset } from "../model/plan.js";
import { displayName, nameKey, type QualifiedName } from "../model/qualified-name.js";

/** A table whose rows were written, and whether the target keeps rows of its own (merge modes). */
export interface WrittenTable {
  readonly table: QualifiedName;
  readonly source: Table;
  readonly keepsTargetRows: boolean;
}

export function planSequenceResets(
  written: readonly WrittenTable[],
  source: Catalog,
  target: Catalog,
  createdKeys: ReadonlySet<string>,
  functionSequences: readonly QualifiedName[] = [],
): { resets: SequenceReset[]; diagnostics: Diagnostic[] } {
  const resets = new Map<string, SequenceReset>();
  const diagnostics: Diagnostic[] = [];
  // A sequence the run creates for a function's body is set as the created tables' ones are.
  const uses = [
    ...written.flatMap((action) => action.source.sequences.map((seqName) => ({ action, seqName, created: createdKeys.has(nameKey(action.table)) }))),
    ...functionSequences.map((seqName) => ({ action: { table: seqName, keepsTargetRows: false }, seqName, created: true })),
  ];
  for (const { action, seqName, created } of uses) {
    const sourceSeq = source.sequences.find((s) => nameKey(s.name) === nameKey(seqName));
    if (!sourceSeq) continue;
    if (!sourceSeq.readable) {
      // Its NULL last_value would read as "never used". Left unset, the target's sequence (new
      // at its start, or wherever it was) stays behind the copied values and the next insert
      // collides. Guessing from the target's max(column) would miss values handed out and
      // deleted, other tables sharing the sequence and sequences no column owns: refuse.
      diagnostics.push({
        level: "error",
        table: action.table,
        message:
          `sequence ${displayName(seqName)} is not readable by the source role, so its position cannot be carried over and the next insert on the target could reuse a copied value: ` +
          `grant the source role SELECT on the sequence`,
      });
      continue;
    }
    const targetName = created ? sourceSeq.name : findTargetSequence(sourceSeq, target)?.name;
    if (!targetName) {
      diagnostics.push({ level: "warning", table: action.table, message: `sequence ${displayName(seqName)} has no counterpart on the target: not set` });
      continue;
    }
    resets.set(nameKey(targetName), {
      sequence: targetName,
      value: sourceSeq.lastValue ?? sourceSeq.start,
      isCalled: sourceSeq.lastValue !== null,
      neverBackwards: action.keepsTargetRows,
    });
  }
  return { resets: [...resets.values()], diagnostics };
}

/** The target's sequence for the same column (identity names may differ), else the same name. */
function findTargetSequence(sourceSeq: Sequence, target: Catalog): Sequence | undefined {
  const owner = sourceSeq.ownedBy;
  const byOwner = owner
    ? target.sequences.find((s) => s.ownedBy && nameKey(s.ownedBy.table) === nameKey(owner.table) && s.ownedBy.column === owner.column)
    : undefined;
  return byOwner ?? target.sequences.find((s) => nameKey(s.name) === nameKey(sourceSeq.name));
}

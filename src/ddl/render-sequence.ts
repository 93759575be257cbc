import type { Sequence } from "../model/catalog.js";
import { quoteQualified } from "../sql/quote.js";

export function renderCreateSequence(sequence: Sequence): string {
  return `CREATE SEQUENCE ${quoteQualified(sequence.name)} AS ${sequence.dataType} ${renderSequenceOptions(sequence)}`;
}

/** The options shared by CREATE SEQUENCE and identity columns (whose data type is the column's). */
export function renderSequenceOptions(sequence: Sequence): string {
  return [
    `INCREMENT BY ${integer(sequence.increment)}`,
    `MINVALUE ${integer(sequence.min)}`,
    `MAXVALUE ${integer(sequence.max)}`,
    `START WITH ${integer(sequence.start)}`,
    `CACHE ${integer(sequence.cache)}`,
    sequence.cycle ? "CYCLE" : "NO CYCLE",
  ].join(" ");
}

function integer(value: string): string {
  if (!/^-?\d+$/.test(value)) throw new Error(`sequence option is not an integer: ${value}`);
  return value;
}

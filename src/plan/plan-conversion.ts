/**
 * How one source column's values become a target column of another type. Pure.
 *
 * Text COPY hands the target type's input function the source's text form, which is already the
 * right conversion for many drifts (int→bigint, varchar widening, enum→text, text→enum…). Where
 * that text would mean something else or nothing (a text[] literal is not JSON, `t` is not a JSON
 * boolean, `1.50` is no integer), the rows go through a staging table typed like the source and an
 * INSERT … SELECT applies `to_jsonb` or PostgreSQL's own cast.
 */
import type { Column } from "../model/catalog.js";
import type { ColumnConversion } from "../model/plan.js";

const JSON_TYPES = new Set(["json", "jsonb"]);
const INTEGER_TYPES = new Set(["smallint", "integer", "bigint"]);

export interface PlannedConversion {
  readonly conversion: ColumnConversion;
  /** The column's type in a staging table (used only when the table is staged). */
  readonly stagingType: string;
  /** Why, for the plan: e.g. `numeric → jsonb via to_jsonb`. */
  readonly explanation: string;
}

/**
 * @param sourceTypeOnTarget the source column's type also exists on the target (always true for
 *   built-in types); when false the value travels as text.
 */
export function planConversion(source: Column, target: Column, sourceTypeOnTarget: boolean): PlannedConversion {
  const arrow = `${source.type} → ${target.type}`;
  if (source.type === target.type) return { conversion: "none", stagingType: source.type, explanation: "same type" };
  const from = sourceTypeOnTarget ? source.category : "S";
  const textInput: PlannedConversion = { conversion: "text-input", stagingType: "text", explanation: `${arrow}: the text form is read by ${target.type}'s input` };
  if (JSON_TYPES.has(target.type)) {
    if (from === "S" || (sourceTypeOnTarget && JSON_TYPES.has(source.type))) {
      return { ...textInput, explanation: `${arrow}: the text is parsed as JSON` };
    }
    return { conversion: "to-jsonb", stagingType: source.type, explanation: `${arrow} via to_jsonb` };
  }
  // Every type's output is valid input for a string type; string and enum values are labels/text.
  if (target.category === "S" || from === "S" || from === "E") return textInput;
  // Integers print as integers, which every numeric type reads exactly; numeric or float into an
  // integer needs the cast (it rounds, as PostgreSQL's assignment does).
  if (from === "N" && target.category === "N" && (INTEGER_TYPES.has(source.type) || !INTEGER_TYPES.has(target.type))) return textInput;
  return { conversion: "cast", stagingType: source.type, explanation: `${arrow} via CAST` };
}

/** The SELECT expression that turns a staging column into the target column's value. */
export function conversionExpression(conversion: ColumnConversion, quotedColumn: string, targetType: string): string {
  switch (conversion) {
    case "none":
      return quotedColumn;
    case "to-jsonb":
      return targetType === "json" ? `to_jsonb(${quotedColumn})::json` : `to_jsonb(${quotedColumn})`;
    case "text-input":
    case "cast":
      return `CAST(${quotedColumn} AS ${targetType})`;
  }
}

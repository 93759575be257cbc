/**
 * --json: every exit path of a command prints exactly one object on stdout, its own fields plus
 * `ok` (true exactly when the exit code is 0), `exitCode`, and `error` (null unless the command
 * failed or refused). Row values are never in it, secrets never.
 */
import { redactText } from "../config/redact.js";
import { withoutRowValues } from "../pg/describe-pg-error.js";

export function renderJson(fields: object, exitCode: number, error: string | null): string {
  const result = { ...fields, ok: exitCode === 0, exitCode, error: error === null ? null : redactText(error.replace(/\s*\n\s*/g, " ")) };
  return `${JSON.stringify(withoutRowValues(result), null, 2)}\n`;
}

/**
 * The few error classes pgferry throws. Each has a stable `code`, names the object it is about
 * and keeps the underlying error as `cause`. The CLI prints `message` as one line.
 */
import type { QualifiedName } from "./model/qualified-name.js";

export type ErrorCode =
  | "CONFIG"
  | "SAFETY"
  | "CONNECTION"
  | "LOCKED"
  | "STORAGE";

export interface ErrorContext {
  readonly table?: QualifiedName;
  readonly sqlstate?: string;
  readonly cause?: unknown;
}

export abstract class PgferryError extends Error {
  abstract readonly code: ErrorCode;
  readonly table?: QualifiedName;
  readonly sqlstate?: string;

  constructor(message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    if (context.table) this.table = context.table;
    if (context.sqlstate) this.sqlstate = context.sqlstate;
  }
}

/** The configuration or the command line is wrong: fix the input and run again. */
export class ConfigError extends PgferryError {
  readonly code = "CONFIG" as const;
}

/**
 * A setting of pgferry.yml that names an environment variable that is not set was used. Thrown
 * when the setting is read, not when the file is loaded: a command that does not use the setting
 * runs. A ConfigError (exit code 2) that callers tell apart by its class.
 */
export class UnsetVariableError extends ConfigError {}

/** pgferry refuses to do something unsafe (protected target, same database, no confirmation). */
export class SafetyError extends PgferryError {
  readonly code = "SAFETY" as const;
}

/**
 * The user did not confirm the plan: nothing was written. A SafetyError (exit code 3) that callers
 * tell apart by its class, e.g. the job pipeline, which records no history row for it.
 */
export class CancelledError extends SafetyError {}

/** A server could not be reached, refused the login, or dropped the connection. */
export class ConnectionError extends PgferryError {
  readonly code = "CONNECTION" as const;
}

/** Another pgferry run holds the target's advisory lock. */
export class LockedError extends PgferryError {
  readonly code = "LOCKED" as const;
}

/** Reading or writing a snapshot store failed. */
export class StorageError extends PgferryError {
  readonly code = "STORAGE" as const;
}

export function isPgferryError(error: unknown): error is PgferryError {
  return error instanceof PgferryError;
}

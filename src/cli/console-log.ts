/**
 * Plain log lines on stderr (stdout stays for reports and JSON); every line is redacted, and row
 * values in errors are shown with --verbose only.
 */
import { redactText } from "../config/redact.js";
import { stripRowValues } from "../pg/describe-pg-error.js";

export interface ConsoleLog {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  /** Whether debug lines are printed (--verbose). */
  readonly verbose: boolean;
}

export function createConsoleLog(stream: { write(text: string): unknown }, verbose: boolean): ConsoleLog {
  const write = (prefix: string, message: string) => stream.write(`${prefix}${redactText(verbose ? message : stripRowValues(message))}\n`);
  return {
    info: (message) => write("pgferry: ", message),
    warn: (message) => write("pgferry: warning: ", message),
    debug: (message) => {
      if (verbose) write("pgferry: debug: ", message);
    },
    verbose,
  };
}

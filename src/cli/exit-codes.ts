/** Process exit codes, one per kind of outcome (documented in the README). */
import type { ErrorCode } from "../errors.js";

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  safety: 3,
  connection: 4,
  locked: 5,
  interrupted: 130,
} as const;

export function exitCodeFor(code: ErrorCode | undefined): number {
  switch (code) {
    case "CONFIG":
      return EXIT.usage;
    case "SAFETY":
      return EXIT.safety;
    case "CONNECTION":
      return EXIT.connection;
    case "LOCKED":
      return EXIT.locked;
    case "STORAGE":
    case undefined:
      return EXIT.failed;
  }
}

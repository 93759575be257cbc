import assert from "node:assert/strict";
import { linkSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { describePgError, sqlstateOf } from "../../src/pg/describe-pg-error.js";

/** A real Node system error with a five-letter code: Linux refuses hard links to directories (EPERM), even for root. */
function realEperm(): NodeJS.ErrnoException {
  const dir = mkdtempSync(join(tmpdir(), "pgferry-eperm-"));
  try {
    linkSync(dir, `${dir}-link`);
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  throw new Error("linking a directory succeeded");
}

describe("describePgError", () => {
  it("does not label a file-system error code as a SQLSTATE", () => {
    const error = realEperm();
    assert.equal(error.code, "EPERM");
    assert.equal(sqlstateOf(error), undefined);
    assert.doesNotMatch(describePgError(error), /SQLSTATE/);
    assert.match(describePgError(error), /^EPERM: operation not permitted, link /);
  });
});

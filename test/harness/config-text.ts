/** pgferry.yml text parsed as the CLI parses it, for unit tests of config validation. */
import assert from "node:assert/strict";
import { parseConfigText } from "../../src/config/load-config.js";

export const parseConfig = (text: string) => parseConfigText(text, "pgferry.yml", {});

/** The one-line message a config is refused with; fails the test when it is accepted. */
export function configError(text: string): string {
  try {
    parseConfig(text);
  } catch (error) {
    return (error as Error).message;
  }
  return assert.fail("the config must be refused");
}

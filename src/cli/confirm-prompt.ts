/** Ask before anything destructive; without a terminal to ask on, refuse unless --yes was given. */
import { createInterface } from "node:readline/promises";
import { SafetyError } from "../errors.js";

export function requireConfirmationPossible(yes: boolean, interactive: boolean, targetLabel: string): void {
  if (yes || interactive) return;
  throw new SafetyError(`refusing to write to ${targetLabel} without confirmation: no terminal to ask on, pass --yes`);
}

export async function askConfirmation(question: string, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<boolean> {
  const rl = createInterface({ input, output });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } catch (error) {
    // Ctrl-C or Ctrl-D at the prompt: readline rejects the question; that is a "no".
    if ((error as Error).name === "AbortError") return false;
    throw error;
  } finally {
    rl.close();
  }
}

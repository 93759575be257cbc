/** The commander program: global options and the commands. */
import { Command, CommanderError } from "commander";
import { createRequire } from "node:module";
import { redactText } from "../config/redact.js";
import { isPgferryError } from "../errors.js";
import { stripRowValues } from "../pg/describe-pg-error.js";
import type { CliContext, GlobalOptions } from "./cli-context.js";
import { DIFF_ERROR_EXIT, diffCommand } from "./commands/diff-command.js";
import { bucketSyncCommand } from "./commands/bucket-sync-command.js";
import { dumpCommand } from "./commands/dump-command.js";
import { historyCommand } from "./commands/history-command.js";
import { PII_ERROR_EXIT, piiCommand } from "./commands/pii-command.js";
import { protectCommand } from "./commands/protect-command.js";
import { remapCommand } from "./commands/remap-command.js";
import { restoreCommand } from "./commands/restore-command.js";
import { runCommand } from "./commands/run-command.js";
import { scheduleCommand } from "./commands/schedule-command.js";
import { snapshotsCommand } from "./commands/snapshots-command.js";
import { syncCommand } from "./commands/sync-command.js";
import { transformersCommand } from "./commands/transformers-command.js";
import { EXIT, exitCodeFor } from "./exit-codes.js";
import { renderJson } from "./json-output.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

export async function runCli(argv: readonly string[], outer: CliContext): Promise<number> {
  // --json promises one object on stdout whatever happens: know whether the command wrote it.
  let wroteStdout = false;
  const stdout = Object.create(outer.stdout, {
    write: { value: (...args: Parameters<NodeJS.WriteStream["write"]>) => ((wroteStdout = true), outer.stdout.write(...args)) },
  }) as NodeJS.WriteStream;
  const ctx: CliContext = { ...outer, stdout };
  let exitCode: number = EXIT.ok;
  const program = new Command("pgferry")
    .description("Carry PostgreSQL data between environments: safe, atomic, fast, verified.")
    .version(version)
    .option("-c, --config <file>", "config file (default: ./pgferry.yml when present)")
    .option("-v, --verbose", "more log lines; stack traces on errors")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  const globals = () => program.opts<GlobalOptions>();
  // A command may fix the exit code of every error it raises (diff: 2, as diff(1) does).
  let errorExit: number | undefined;
  program.addCommand(syncCommand(ctx, globals, (code) => (exitCode = code)));
  program.addCommand(diffCommand(ctx, globals, (code) => (exitCode = code)).hook("preAction", () => void (errorExit = DIFF_ERROR_EXIT)));
  program.addCommand(scheduleCommand(ctx, globals, (code) => (exitCode = code)));
  program.addCommand(runCommand(ctx, globals, (code) => (exitCode = code)));
  program.addCommand(historyCommand(ctx, globals, (code) => (exitCode = code)));
  program.addCommand(remapCommand(ctx, globals, (code) => (exitCode = code)));
  program.addCommand(protectCommand(ctx, globals, (code) => (exitCode = code)));
  program.addCommand(dumpCommand(ctx, globals, (code) => (exitCode = code)));
  program.addCommand(restoreCommand(ctx, globals, (code) => (exitCode = code)));
  program.addCommand(snapshotsCommand(ctx, globals, (code) => (exitCode = code)));
  program.addCommand(bucketSyncCommand(ctx, globals, (code) => (exitCode = code)));
  program.addCommand(transformersCommand(ctx));
  program.addCommand(piiCommand(ctx, globals, (code) => (exitCode = code)).hook("preAction", () => void (errorExit = PII_ERROR_EXIT)));
  // Commander exits the process on a usage error unless every command (subcommands too) overrides it.
  const override = (command: Command): void => {
    command.exitOverride().configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
    for (const sub of command.commands) override(sub);
  };
  for (const command of program.commands) override(command);

  const json = wantsJson(program, argv);
  let failure: string | null = null;
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0; commander already printed the message
      exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      failure = error.message.replace(/^error: /, "");
    } else {
      const verbose = Boolean(globals().verbose);
      const message = errorMessage(error);
      ctx.stderr.write(`pgferry: error: ${redactText(verbose ? message : stripRowValues(message))}\n`);
      if (verbose && error instanceof Error) ctx.stderr.write(`${redactText(error.stack ?? "")}\n${causeChain(error)}`);
      exitCode = ctx.signal.aborted ? EXIT.interrupted : errorExit !== undefined ? errorExit : isPgferryError(error) ? exitCodeFor(error.code) : EXIT.failed;
      failure = stripRowValues(message);
    }
  }
  if (json && !wroteStdout) ctx.stdout.write(renderJson({}, exitCode, exitCode === EXIT.ok ? null : (failure ?? EXIT_MEANINGS[exitCode] ?? `failed (exit code ${exitCode})`)));
  return exitCode;
}

/** What an exit code says when the command returned it without an error (a declined confirmation). */
const EXIT_MEANINGS: Readonly<Record<number, string>> = {
  [EXIT.safety]: "not confirmed: nothing was written",
  [EXIT.interrupted]: "interrupted",
};

/** --json among the arguments of a command that has it (read before parsing: a usage error happens before any action). */
function wantsJson(program: Command, argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  const args = end < 0 ? argv : argv.slice(0, end);
  if (!args.includes("--json")) return false;
  let command: Command = program;
  for (const arg of args) {
    const sub = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (sub) command = sub;
  }
  return command.options.some((option) => option.long === "--json");
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, " ");
}

function causeChain(error: Error): string {
  let text = "";
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) text += `caused by: ${redactText(cause.stack ?? cause.message)}\n`;
  return text;
}

/**
 * `pgferry remap [ENV] --table users --match email --set cognito_sub --from FILE`: re-link a
 * database's accounts to its identity provider by email. Needs no source database.
 */
import { Command } from "commander";
import { dirname } from "node:path";
import { loadConfig } from "../../config/load-config.js";
import { resolveEndpoint } from "../../config/resolve-endpoint.js";
import { ConfigError } from "../../errors.js";
import { assertWritableTarget } from "../../execute/target-protection.js";
import { describeRemap, previewRemap, runRemapHook } from "../../hooks/remap-hook.js";
import type { CliContext, GlobalOptions } from "../cli-context.js";
import { askConfirmation, requireConfirmationPossible } from "../confirm-prompt.js";
import { createConsoleLog } from "../console-log.js";
import { EXIT } from "../exit-codes.js";
import { renderJson } from "../json-output.js";

interface RemapOptions {
  readonly table?: string;
  readonly match?: string;
  readonly set?: string;
  readonly from?: string;
  readonly fromCommand?: string;
  readonly attribute?: string;
  readonly yes?: boolean;
  readonly json?: boolean;
  readonly dryRun?: boolean;
}

export function remapCommand(ctx: CliContext, globals: () => GlobalOptions, setExit: (code: number) => void): Command {
  return new Command("remap")
    .description("set a column (e.g. users.cognito_sub) from (email, value) pairs, matching emails case-insensitively")
    .argument("[env]", "the database to update: environment name or postgres:// URL (default: defaults.to); never a protected one")
    .option("--table <name>", "the table, e.g. users or public.users (default: the remap hook's in pgferry.yml)")
    .option("--match <column>", "the email column (default email)")
    .option("--set <column>", "the column to set")
    .option("--from <file>", "CSV (header with email and value columns) or JSON file of pairs")
    .option("--from-command <command>", "a command printing the pairs as JSON (e.g. aws cognito-idp list-users …)")
    .option("--attribute <name>", "in a Cognito list-users export, the attribute holding the value (default sub)")
    .option("--dry-run", "count the rows that would be matched and changed, and the unmatched emails; write nothing")
    .option("-y, --yes", "do not ask for confirmation (required when there is no terminal)")
    .option("--json", "print the counts as JSON on stdout")
    .action(async (env: string | undefined, options: RemapOptions) => {
      const { config, path } = loadConfig(globals().config, ctx.cwd, ctx.env);
      const spec = remapSpec(config.hooks.after, options);
      const target = resolveEndpoint(env, "target", config);
      // A file named on the command line is relative to the current folder; one from pgferry.yml to the config's.
      const cwd = options.from || options.fromCommand || !path ? ctx.cwd : dirname(path);
      const log = createConsoleLog(ctx.stderr, globals().verbose ?? false);
      const context = { cwd, env: ctx.env, signal: ctx.signal, onLine: (line: string) => log.info(line) };
      if (options.dryRun) {
        const counts = await previewRemap(target, spec, context);
        if (options.json) ctx.stdout.write(renderJson({ ...counts, dryRun: true }, EXIT.ok, null));
        else ctx.stdout.write(`Dry run, nothing written: ${counts.pairs} pairs: would match ${counts.matched}, would update ${counts.updated} (${spec.table}.${spec.set} in ${target.label}), unmatched ${counts.unmatched}.\n`);
        return setExit(EXIT.ok);
      }
      assertWritableTarget(target);
      if (!options.yes) {
        requireConfirmationPossible(false, Boolean(ctx.stdin.isTTY && ctx.stderr.isTTY), target.label);
        if (!(await askConfirmation(`Set ${spec.table}.${spec.set} by ${spec.match} in ${target.label}?`, ctx.stdin, ctx.stderr))) {
          setExit(EXIT.safety);
          return;
        }
      }
      const counts = await runRemapHook({ target }, spec, context);
      if (options.json) ctx.stdout.write(renderJson(counts, EXIT.ok, null));
      else ctx.stdout.write(`Committed: ${describeRemap(counts)}.\n`);
      setExit(EXIT.ok);
    });
}

type HookList = ReturnType<typeof loadConfig>["config"]["hooks"]["after"];

/** Flags over the first remap hook of pgferry.yml. */
function remapSpec(hooks: HookList, options: RemapOptions) {
  const configured = hooks.find((h) => "remap" in h);
  const base = configured && "remap" in configured ? configured.remap : undefined;
  if (options.from && options.fromCommand) throw new ConfigError("give --from or --from-command, not both");
  const table = options.table ?? base?.table;
  const set = options.set ?? base?.set;
  const fromFlag = options.from ? { file: options.from } : options.fromCommand ? { command: options.fromCommand } : undefined;
  const fromConfig = base ? (typeof base.from === "string" ? { file: base.from } : { command: base.from.command }) : undefined;
  const from = fromFlag ?? fromConfig;
  if (!table || !set || !from) throw new ConfigError("remap needs --table, --set and --from (or --from-command), or a remap hook in pgferry.yml");
  return { table, match: options.match ?? base?.match ?? "email", set, from, attribute: options.attribute ?? base?.attribute ?? "sub" };
}

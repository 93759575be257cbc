/** `pgferry diff [FROM] [TO]`: print the schema drift between two databases. Exit 0 identical, 1 different, 2 on error. */
import { Command } from "commander";
import { loadConfig } from "../../config/load-config.js";
import { resolveEndpoint } from "../../config/resolve-endpoint.js";
import { runDiff } from "../../execute/run-diff.js";
import type { CliContext, GlobalOptions } from "../cli-context.js";
import { createConsoleLog } from "../console-log.js";
import { commaList, repeatable } from "../option-parsers.js";
import { parseRoleMapFlags, resolvePrivileges } from "../../config/resolve-sync-options.js";
import { EXIT } from "../exit-codes.js";
import { renderJson } from "../json-output.js";
import { diffJson, renderDiff } from "../render-diff.js";

interface DiffCommandOptions {
  readonly tables?: string[];
  readonly exclude?: string[];
  readonly json?: boolean;
  readonly privileges?: boolean;
  readonly roleMap?: string[];
}


/** Like diff(1), any error exits 2, whatever its kind. */
export const DIFF_ERROR_EXIT = EXIT.usage;

export function diffCommand(ctx: CliContext, globals: () => GlobalOptions, setExit: (code: number) => void): Command {
  return new Command("diff")
    .description("show the schema drift between two databases (reads only; exit 0 identical, 1 different, 2 error)")
    .argument("[from]", "reference side: environment name or postgres:// URL (default: defaults.from)")
    .argument("[to]", "compared side: environment name or URL (default: defaults.to); may be protected, nothing is written")
    .option("-t, --tables <patterns>", "compare only these tables, comma-separated globs (repeatable)", commaList)
    .option("-x, --exclude <patterns>", "leave these tables out, comma-separated globs (repeatable)", commaList)
    .option("--json", "print the differences as JSON on stdout")
    .option("--privileges", "compare owners, grants and default privileges too")
    .option("--role-map <source=target>", "with --privileges: the source role's objects should belong to this target role (repeatable; over pgferry.yml roles:)", repeatable)
    .action(async (from: string | undefined, to: string | undefined, options: DiffCommandOptions) => {
      const { config } = loadConfig(globals().config, ctx.cwd, ctx.env);
      const source = resolveEndpoint(from, "source", config);
      const target = resolveEndpoint(to, "target", config);
      const log = createConsoleLog(ctx.stderr, globals().verbose ?? false);
      const diff = await runDiff({ source, target, include: options.tables ?? [], exclude: options.exclude ?? [],
        ignoreSchemas: config.history ? [config.history.schema] : [], onRetry: (m) => log.warn(m),
        privileges: resolvePrivileges(config, { privileges: options.privileges ?? false, roleMap: options.roleMap ? parseRoleMapFlags(options.roleMap) : undefined }) });
      // Exit 1 says the schemas differ: no failure, so error stays null.
      const exitCode = diff.items.length === 0 ? EXIT.ok : EXIT.failed;
      if (options.json) ctx.stdout.write(renderJson(diffJson(diff, source.label, target.label), exitCode, null));
      else ctx.stdout.write(`${renderDiff(diff, source.label, target.label)}\n`);
      setExit(exitCode);
    });
}

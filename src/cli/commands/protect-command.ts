/**
 * `pgferry protect [ENV]`: mark a database so that pgferry never writes to it, whatever URL reaches
 * it (an alias, an IP spelling, a port forward, an unprotected environment with the same URL).
 */
import { Command } from "commander";
import { loadConfig } from "../../config/load-config.js";
import { resolveEndpoint } from "../../config/resolve-endpoint.js";
import { PROTECTED_SETTING, setProtectionMarker } from "../../execute/target-protection.js";
import type { CliContext, GlobalOptions } from "../cli-context.js";
import { EXIT } from "../exit-codes.js";

export function protectCommand(ctx: CliContext, globals: () => GlobalOptions, setExit: (code: number) => void): Command {
  return new Command("protect")
    .description(`mark a database as protected (ALTER DATABASE … SET ${PROTECTED_SETTING} = on): pgferry refuses to write to it through any URL`)
    .argument("[env]", "environment name or postgres:// URL (default: defaults.from); needs the database's owner")
    .option("--off", "remove the mark")
    .action(async (env: string | undefined, options: { off?: boolean }) => {
      const { config } = loadConfig(globals().config, ctx.cwd, ctx.env);
      const endpoint = resolveEndpoint(env, "source", config);
      const database = await setProtectionMarker(endpoint, !options.off);
      ctx.stdout.write(
        options.off
          ? `Database "${database}" on ${endpoint.label} is no longer marked protected (new sessions see it; pgferry.yml's protected: still applies).\n`
          : `Database "${database}" on ${endpoint.label} is now protected: pgferry refuses to write to it, whatever URL reaches it.\n`,
      );
      setExit(EXIT.ok);
    });
}

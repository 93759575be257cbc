/** `pgferry transformers`: the transformer kinds, their parameters and flags (reads nothing). */
import { Command } from "commander";
import { describeParameters, TRANSFORMERS, type Transformer } from "../../transform/transformer-registry.js";
import type { CliContext } from "../cli-context.js";
import { renderTextTable } from "../render-table.js";

function uniqueSafe(t: Transformer): string {
  return t.uniqueSafeWhen ?? (t.injective({}) ? "yes" : "no");
}

function keyed(t: Transformer): string {
  return typeof t.keyed === "function" ? (t.keyedWhen ?? "depends") : t.keyed ? "yes" : "no";
}

function parameters(t: Transformer): string {
  const listed = describeParameters(t).map((p) => (p.required ? `${p.name} (required)` : p.default !== undefined ? `${p.name}=${JSON.stringify(p.default)}` : p.name));
  return listed.join(", ") || "-";
}

export function transformersCommand(ctx: CliContext): Command {
  return new Command("transformers")
    .description("list the anonymization transformers (transform: kinds) with their parameters")
    .option("--json", "print them as JSON on stdout")
    .action((options: { json?: boolean }) => {
      if (options.json) {
        const list = TRANSFORMERS.map((t) => ({
          kind: t.kind,
          description: t.description,
          parameters: describeParameters(t),
          keyed: typeof t.keyed === "function" ? (t.keyedWhen ?? "depends") : t.keyed,
          deterministic: t.deterministic,
          uniqueSafe: uniqueSafe(t),
          sql: !t.inNode,
        }));
        ctx.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      const rows = TRANSFORMERS.map((t) => [t.kind, parameters(t), keyed(t), uniqueSafe(t), t.description]);
      ctx.stdout.write(`${renderTextTable(["kind", "parameters", "secret", "unique-safe", "what it writes"], rows)}\n`);
    });
}

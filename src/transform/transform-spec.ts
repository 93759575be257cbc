/** How pgferry.yml names a transform: `{kind: email, keepDomain: true}`, validated against the kind's parameters. Pure. */
import { z } from "zod";
import { findTransformer, TRANSFORMER_KINDS, type Params } from "./transformer-registry.js";

export interface TransformSpec {
  readonly kind: string;
  readonly params: Params;
}

/** A `transform.rules` entry: a transform for every column whose `table.column` matches. */
export interface TransformRule extends TransformSpec {
  readonly match: string;
}

/** Validate one transform's parameters; the keys of `extra` (a rule's `match`) are split off first. */
function specSchema(extra: Readonly<Record<string, z.ZodString>>) {
  return z.looseObject({ kind: z.enum(TRANSFORMER_KINDS), ...extra }).transform((value, ctx) => {
    const { kind, ...rest } = value as Record<string, unknown> & { kind: string };
    const kept = Object.fromEntries(Object.keys(extra).map((k) => [k, rest[k]]));
    for (const k of Object.keys(extra)) delete rest[k];
    const transformer = findTransformer(kind);
    const parsed = transformer.params.safeParse(rest);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const known = Object.keys(transformer.params.shape);
      const missing = issue.path.length === 1 && rest[String(issue.path[0])] === undefined;
      const message = missing
        ? `kind ${kind} needs parameter ${String(issue.path[0])}`
        : issue.code === "unrecognized_keys"
          ? `kind ${kind} has no parameter ${issue.keys.join(", ")} (${known.length ? `parameters: ${known.join(", ")}` : "it takes none"})`
          : `kind ${kind}: ${issue.path.length ? `${issue.path.map(String).join(".")}: ` : ""}${issue.message}`;
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }
    return { ...kept, kind, params: parsed.data as Params } as Record<string, unknown> & TransformSpec;
  });
}

export const transformSpecSchema = specSchema({}).transform((s): TransformSpec => ({ kind: s.kind, params: s.params }));

export const transformRuleSchema = specSchema({ match: z.string().min(1) }).transform((s): TransformRule => ({ match: String(s["match"]), kind: s.kind, params: s.params }));

/** What a run needs of pgferry.yml's `transform:`: the rules and the secret (keyed kinds refuse to run without it). */
export interface TransformOptions {
  readonly rules: readonly TransformRule[];
  readonly secret?: string;
  /** Refuse a run while a column whose name looks like personal data has no transform (`--strict-pii`). */
  readonly strict?: boolean;
}

/** Same kind, same parameters: the same mapping of values. */
export function sameMapping(a: TransformSpec, b: TransformSpec): boolean {
  return a.kind === b.kind && JSON.stringify(sortKeys(a.params)) === JSON.stringify(sortKeys(b.params));
}

function sortKeys(params: Params): Params {
  return Object.fromEntries(Object.entries(params).sort(([a], [b]) => a.localeCompare(b)));
}

/** `kind email (keepDomain: true)` for messages. */
export function describeSpec(spec: TransformSpec): string {
  const params = Object.entries(spec.params).filter(([, v]) => v !== undefined);
  return params.length ? `${spec.kind} (${params.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ")})` : spec.kind;
}

/** The strict manifest shape of model/schema-objects.ts (see catalog-schema.ts). */
import { z } from "zod";

const text = z.string().refine((s) => !s.includes("\u0000"), "contains a NUL byte");
const identifier = text.min(1, "is empty").max(1024, "is too long");
const name = z.strictObject({ schema: identifier, name: identifier });
const nullableText = text.nullable();

const supportFunction = z.strictObject({ name, signature: text.min(1), key: nullableText, extension: nullableText, language: identifier });
const source = z.strictObject({ name, builtIn: z.boolean(), extension: nullableText });
const operatorMember = z.strictObject({ strategy: z.number().int(), operator: text.min(1), left: text.min(1), right: text.min(1), sortFamily: name.nullable() });
const functionMember = z.strictObject({ number: z.number().int(), left: text.min(1), right: text.min(1), function: supportFunction });
const operatorRef = z.strictObject({ key: text.min(1), name });
const kind = z.enum(["collation", "text search dictionary", "text search configuration", "operator", "operator family", "operator class"]);

export const schemaObjectsSchema = z.strictObject({
  collations: z.array(
    z.strictObject({
      name,
      provider: z.enum(["c", "i", "b", "d"]),
      locale: nullableText,
      collate: nullableText,
      ctype: nullableText,
      deterministic: z.boolean(),
      rules: nullableText,
      comment: nullableText,
    }),
  ),
  textSearchDictionaries: z.array(z.strictObject({ name, template: source, options: nullableText, comment: nullableText })),
  textSearchConfigurations: z.array(
    z.strictObject({ name, parser: source, mappings: z.array(z.strictObject({ token: identifier, dictionaries: z.array(name) })), comment: nullableText }),
  ),
  operators: z.array(
    z.strictObject({
      key: text.min(1),
      name,
      left: nullableText,
      right: nullableText,
      function: supportFunction,
      commutator: operatorRef.nullable(),
      negator: operatorRef.nullable(),
      restrict: supportFunction.nullable(),
      join: supportFunction.nullable(),
      hashes: z.boolean(),
      merges: z.boolean(),
      comment: nullableText,
    }),
  ),
  operatorFamilies: z.array(
    z.strictObject({ name, method: identifier, operators: z.array(operatorMember), functions: z.array(functionMember), comment: nullableText }),
  ),
  operatorClasses: z.array(
    z.strictObject({
      name,
      method: identifier,
      type: text.min(1),
      isDefault: z.boolean(),
      family: name,
      storage: nullableText,
      operators: z.array(operatorMember),
      functions: z.array(functionMember),
      comment: nullableText,
    }),
  ),
  usages: z.array(z.strictObject({ object: z.strictObject({ kind, key: text.min(1) }), user: z.strictObject({ kind: z.enum(["table", "view", "type"]), name }) })),
  icu: z.boolean(),
});

/** User collations, text search objects, operators and operator classes/families, and who uses them. */
import type { SchemaObjects } from "../model/schema-objects.js";
import type { SqlSession } from "../pg/session.js";
import { queryCollations, queryIcu } from "./query-collations.js";
import { queryObjectUsages } from "./query-object-usages.js";
import { queryOperatorClasses, queryOperatorFamilies, queryOperators } from "./query-operators.js";
import { queryTextSearchConfigurations, queryTextSearchDictionaries } from "./query-text-search.js";

export async function introspectSchemaObjects(session: SqlSession, serverVersion: number): Promise<SchemaObjects> {
  return {
    collations: await queryCollations(session, serverVersion),
    textSearchDictionaries: await queryTextSearchDictionaries(session),
    textSearchConfigurations: await queryTextSearchConfigurations(session),
    operators: await queryOperators(session),
    operatorFamilies: await queryOperatorFamilies(session),
    operatorClasses: await queryOperatorClasses(session),
    usages: await queryObjectUsages(session),
    icu: await queryIcu(session),
  };
}

/** pgferry as a library. Re-exports only; importing has no side effects. */
export { runSync, type SyncOptions, type SyncOutcome } from "./execute/run-sync.js";
export type { SyncEvent, SyncEventListener } from "./execute/events.js";
export { loadConfig, parseConfigText, type LoadedConfig } from "./config/load-config.js";
export { resolveEndpoint, type Endpoint } from "./config/resolve-endpoint.js";
export type { PgferryConfig } from "./config/schema.js";
export { redactUrl, redactText } from "./config/redact.js";
export { buildSyncPlan, type SyncPlanInput } from "./plan/build-sync-plan.js";
export type { Selection } from "./plan/select-tables.js";
export { introspectCatalog } from "./introspect/introspect-catalog.js";
export * from "./errors.js";
export type * from "./model/catalog.js";
export type * from "./model/plan.js";
export type * from "./model/result.js";
export type { Diagnostic } from "./model/diagnostic.js";
export type { DdlStatement } from "./model/ddl-statement.js";
export { qualifiedName, displayName, type QualifiedName } from "./model/qualified-name.js";

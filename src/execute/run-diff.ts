/** `pgferry diff`: read both catalogs (nothing is written, protected environments included), compare, find migration versions. */
import type { Endpoint } from "../config/resolve-endpoint.js";
import { ConfigError } from "../errors.js";
import { introspectCatalog } from "../introspect/introspect-catalog.js";
import { introspectPrivileges } from "../introspect/introspect-privileges.js";
import { diffPrivileges } from "../plan/diff-privileges.js";
import { queryMigrationVersions } from "../introspect/query-migrations.js";
import type { Catalog } from "../model/catalog.js";
import type { CatalogPrivileges } from "../model/privileges.js";
import type { SchemaDiff } from "../model/schema-diff.js";
import { diffCatalogs, majorVersion } from "../plan/diff-catalogs.js";
import { diffWholeSchemas } from "../plan/diff-scope.js";
import { matchesPattern, parseTablePattern } from "../plan/table-pattern.js";
import { connect, withRetry } from "../pg/connect.js";
import type { SqlSession } from "../pg/session.js";
import { withTransaction } from "../pg/transaction.js";

export interface DiffOptions {
  readonly source: Endpoint;
  readonly target: Endpoint;
  /** Table patterns to compare (all when empty), and to leave out. */
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  /** Schemas left out of both sides entirely (pgferry's own run history). */
  readonly ignoreSchemas?: readonly string[];
  readonly onRetry?: (message: string) => void;
  /** Compare owners, grants and default privileges too, source roles renamed through `roles`. */
  readonly privileges?: { readonly roles: Readonly<Record<string, string>> } | null;
}

export async function runDiff(options: DiffOptions): Promise<SchemaDiff> {
  const include = (options.include ?? []).map(parseTablePattern);
  const exclude = (options.exclude ?? []).map(parseTablePattern);
  const ignored = new Set(options.ignoreSchemas ?? []);
  const [source, target] = (await Promise.all([readSide(options.source, "source", options.onRetry, Boolean(options.privileges)), readSide(options.target, "target", options.onRetry, Boolean(options.privileges))])).map((side) => ({
    ...side,
    catalog: withoutSchemas(side.catalog, ignored),
  })) as [Side, Side];
  for (const pattern of include) {
    if (![...source.catalog.tables, ...target.catalog.tables].some((t) => matchesPattern(pattern, t.name))) {
      throw new ConfigError(`table pattern "${pattern.text}" matches no table on either side`);
    }
  }
  const filter = (name: Parameters<typeof matchesPattern>[1]) =>
    (include.length === 0 || include.some((p) => matchesPattern(p, name))) && !exclude.some((p) => matchesPattern(p, name));
  const [sourceMajor, targetMajor] = [majorVersion(source.catalog), majorVersion(target.catalog)];
  const notes =
    sourceMajor === targetMajor
      ? []
      : [`PostgreSQL ${sourceMajor} and ${targetMajor} deparse view and function bodies differently: only their presence and options are compared`];
  const tableFilter = include.length || exclude.length ? filter : undefined;
  const privileges =
    options.privileges && source.privileges && target.privileges
      ? diffPrivileges(withoutPrivilegeSchemas(source.privileges, ignored), withoutPrivilegeSchemas(target.privileges, ignored), options.privileges.roles, { sourceVersion: source.catalog.serverVersion, targetVersion: target.catalog.serverVersion }, tableFilter)
      : [];
  return {
    notes,
    items: [
      ...(tableFilter ? diffCatalogs(source.catalog, target.catalog, tableFilter, diffWholeSchemas(source.catalog, target.catalog, tableFilter, include.length > 0)) : diffCatalogs(source.catalog, target.catalog)),
      ...privileges,
    ],
    migrations: { source: source.migrations, target: target.migrations },
  };
}

type Side = Awaited<ReturnType<typeof readSide>>;

function withoutSchemas(catalog: Catalog, schemas: ReadonlySet<string>): Catalog {
  if (schemas.size === 0) return catalog;
  const keep = (o: { name: { schema: string } }) => !schemas.has(o.name.schema);
  return {
    ...catalog,
    tables: catalog.tables.filter(keep),
    sequences: catalog.sequences.filter(keep),
    views: catalog.views.filter(keep),
    enums: catalog.enums.filter(keep),
    domains: catalog.domains.filter(keep),
    composites: catalog.composites.filter(keep),
    functions: catalog.functions.filter(keep),
    schemas: catalog.schemas.filter((schema) => !schemas.has(schema)),
  };
}

function withoutPrivilegeSchemas(privileges: CatalogPrivileges, schemas: ReadonlySet<string>): CatalogPrivileges {
  return { ...privileges, objects: privileges.objects.filter((o) => !schemas.has(o.name.schema)), defaults: privileges.defaults.filter((d) => d.schema === null || !schemas.has(d.schema)) };
}

async function readSide(endpoint: Endpoint, role: "source" | "target", onRetry?: (message: string) => void, privileges = false) {
  const retry = onRetry ? { onRetry } : {};
  return withRetry(
    async () => {
      const session: SqlSession = await connect(endpoint.url, { role, ...retry });
      try {
        // One read-only snapshot, so the catalog and the migration table agree with each other.
        return await withTransaction(
          session,
          async () => {
            const catalog = await introspectCatalog(session);
            const migrations = await queryMigrationVersions(session, catalog);
            return { catalog, migrations, privileges: privileges ? await introspectPrivileges(session) : null };
          },
          { readOnlySnapshot: true },
        );
      } finally {
        await session.close();
      }
    },
    { role, what: `read the ${role} catalog`, ...retry },
  );
}

/** --privileges planning (plan/plan-privileges, plan/compare-acl) and its options: pure. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfigText } from "../../src/config/load-config.js";
import { parseRoleMapFlags, resolvePrivileges } from "../../src/config/resolve-sync-options.js";
import { renderDdl } from "../../src/ddl/render-ddl.js";
import { privilegeKey, type AclEntry, type CatalogPrivileges, type PrivilegedObject } from "../../src/model/privileges.js";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { createdObjectAcl } from "../../src/plan/compare-acl.js";
import { planPrivileges, type PrivilegePlanInput } from "../../src/plan/plan-privileges.js";

const ITEMS = qualifiedName("app", "items");
const own = (role: string, privileges: string[]): AclEntry[] => privileges.map((privilege) => ({ grantee: role, privilege, grantable: false }));
const TABLE_ALL = ["INSERT", "SELECT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"];

function table(owner: string, acl: AclEntry[]): PrivilegedObject {
  return { kind: "table", name: ITEMS, key: privilegeKey("table", ITEMS), owner, acl, columns: [] };
}

function side(overrides: Partial<CatalogPrivileges>): CatalogPrivileges {
  return { currentRole: "postgres", superuser: true, databaseOwner: "postgres", roles: ["postgres"], settableRoles: ["postgres"], objects: [], defaults: [], ...overrides };
}

function input(source: CatalogPrivileges, target: CatalogPrivileges, extra: Partial<PrivilegePlanInput> = {}): PrivilegePlanInput {
  return {
    source,
    target,
    sourceVersion: 160000,
    targetVersion: 160000,
    roles: {},
    run: { keys: [privilegeKey("table", ITEMS)], schemas: ["app"], wholeSchemas: new Set(), columnsOf: () => null },
    ...extra,
  };
}

describe("planPrivileges", () => {
  it("in a schema synced whole, carries the grants of objects already on the target, and only of those", () => {
    const fn = (name: string, acl: AclEntry[]): PrivilegedObject => {
      const q = qualifiedName("app", name);
      return { kind: "function", name: q, signature: { identity: "integer", types: "integer" }, key: privilegeKey("function", q, "integer"), owner: "postgres", acl, columns: [] };
    };
    const source = side({
      roles: ["postgres", "reader"],
      objects: [fn("existing", [...own("postgres", ["EXECUTE"]), { grantee: "reader", privilege: "EXECUTE", grantable: false }]), fn("absent", own("postgres", ["EXECUTE"]))],
    });
    const target = side({ roles: ["postgres", "reader"], objects: [fn("existing", [{ grantee: null, privilege: "EXECUTE", grantable: false }, ...own("postgres", ["EXECUTE"])])] });
    const run = (whole: string[]) => ({ keys: [], schemas: whole, wholeSchemas: new Set(whole), columnsOf: () => null });
    assert.deepEqual(planPrivileges(input(source, target, { run: run(["app"]) })).statements.map(renderDdl), [
      'REVOKE EXECUTE ON FUNCTION "app"."existing"(integer) FROM PUBLIC',
      'GRANT EXECUTE ON FUNCTION "app"."existing"(integer) TO "reader"',
    ]);
    assert.deepEqual(planPrivileges(input(source, target, { run: run([]) })).statements, [], "a partial selection leaves them alone");
  });

  it("refuses in one line when the target role is not superuser and cannot SET ROLE to the owner", () => {
    const source = side({ objects: [table("app_owner", [...own("app_owner", TABLE_ALL), { grantee: "reader", privilege: "SELECT", grantable: false }])] });
    const target = side({ currentRole: "deployer", superuser: false, roles: ["deployer", "app_owner", "reader"], settableRoles: ["deployer"] });
    const plan = planPrivileges(input(source, target));
    assert.deepEqual(plan.diagnostics.filter((d) => d.level === "error").map((d) => d.message), [
      "--privileges: the target role deployer is not superuser and cannot SET ROLE to the owners of table app.items (owner deployer → app_owner); run as a superuser, or GRANT those roles to deployer",
    ]);
  });

  it("is allowed for a member of the new owner, and maps roles", () => {
    const source = side({ objects: [table("prod_app", [...own("prod_app", TABLE_ALL), { grantee: "prod_ro", privilege: "SELECT", grantable: true }])] });
    const target = side({ currentRole: "deployer", superuser: false, roles: ["deployer", "staging_app", "staging_ro"], settableRoles: ["deployer", "staging_app"] });
    const plan = planPrivileges(input(source, target, { roles: { prod_app: "staging_app", prod_ro: "staging_ro" } }));
    assert.deepEqual(plan.diagnostics.filter((d) => d.level === "error"), []);
    assert.deepEqual(plan.statements.map(renderDdl), [
      'ALTER TABLE "app"."items" OWNER TO "staging_app"',
      'GRANT SELECT ON TABLE "app"."items" TO "staging_ro" WITH GRANT OPTION',
    ]);
  });

  it("lists every missing role once, with the objects that need it", () => {
    const source = side({
      objects: [table("prod_app", [...own("prod_app", TABLE_ALL), { grantee: "prod_ro", privilege: "SELECT", grantable: false }])],
      defaults: [{ role: "prod_app", schema: "app", objectType: "r", acl: [{ grantee: "prod_ro", privilege: "SELECT", grantable: false }] }],
    });
    const plan = planPrivileges(input(source, side({})));
    assert.deepEqual(plan.statements, []);
    assert.deepEqual(plan.diagnostics.map((d) => d.message), [
      "--privileges: roles missing on the target: prod_app (owner of table app.items, default privileges in schema app); prod_ro (grantee on table app.items, default privileges in schema app); create them on the target or map them to existing roles under roles: in pgferry.yml (or --role-map SOURCE=TARGET)",
    ]);
  });

  it("counts on the target role's database-wide default privileges for a created object, not on its schema's", () => {
    const defaults = [
      { role: "postgres", schema: null, objectType: "r" as const, acl: [...own("postgres", TABLE_ALL), ...own("reader", ["SELECT"])] },
      { role: "postgres", schema: "app", objectType: "r" as const, acl: own("writer", ["INSERT", "UPDATE"]) },
    ];
    const source = side({ objects: [table("postgres", [...own("postgres", TABLE_ALL), ...own("reader", ["SELECT"]), ...own("writer", ["INSERT"])])], defaults });
    const target = side({ roles: ["postgres", "reader", "writer"], defaults });
    // The table does not exist on the target: the run creates it. A parallel load creates it in its
    // load schema, where app's default privileges do not apply: what the source wants of them is
    // granted, what it does not want is revoked (either is a no-op when the serial path got them).
    assert.deepEqual(planPrivileges(input(source, target)).statements.map(renderDdl), [
      'REVOKE UPDATE ON TABLE "app"."items" FROM "writer"',
      'GRANT INSERT ON TABLE "app"."items" TO "writer"',
    ]);
  });

  it("leaves MAINTAIN out for a target older than 17, and does not revoke a 17+ owner's MAINTAIN from an older source", () => {
    const newer = side({ objects: [table("postgres", own("postgres", [...TABLE_ALL, "MAINTAIN"]))] });
    assert.deepEqual(planPrivileges(input(newer, side({}), { sourceVersion: 170000, targetVersion: 150000 })).statements, []);
    const older = side({ objects: [table("postgres", own("postgres", TABLE_ALL))] });
    assert.deepEqual(planPrivileges(input(older, side({}), { sourceVersion: 150000, targetVersion: 180000 })).statements, []);
  });
});

describe("pg_database_owner on a target older than 14", () => {
  it("stands for the target database's owner", () => {
    const publicSchema = qualifiedName("public", "public");
    const schema = (owner: string, acl: AclEntry[]): PrivilegedObject => ({ kind: "schema", name: publicSchema, key: privilegeKey("schema", publicSchema), owner, acl, columns: [] });
    const source = side({ objects: [schema("pg_database_owner", [...own("pg_database_owner", ["USAGE", "CREATE"]), { grantee: null, privilege: "USAGE", grantable: false }])] });
    // PostgreSQL 12's public schema: owned by the bootstrap superuser, CREATE for PUBLIC.
    const target = side({
      databaseOwner: "app_admin",
      roles: ["postgres", "app_admin"],
      objects: [schema("postgres", [...own("postgres", ["USAGE", "CREATE"]), { grantee: null, privilege: "USAGE", grantable: false }, { grantee: null, privilege: "CREATE", grantable: false }])],
    });
    const plan = planPrivileges(input(source, target, { run: { keys: [privilegeKey("schema", publicSchema)], schemas: ["public"], wholeSchemas: new Set(), columnsOf: () => null } }));
    assert.deepEqual(plan.diagnostics.filter((d) => d.level === "error"), []);
    assert.deepEqual(plan.statements.map(renderDdl), ['ALTER SCHEMA "public" OWNER TO "app_admin"', 'REVOKE CREATE ON SCHEMA "public" FROM PUBLIC']);
  });
});

describe("createdObjectAcl", () => {
  it("replaces the built-in default by the role's database-wide default privileges and adds its schema's", () => {
    const defaults = [
      { role: "app", schema: null, objectType: "f" as const, acl: own("app", ["EXECUTE"]) },
      { role: "app", schema: "s", objectType: "f" as const, acl: own("reader", ["EXECUTE"]) },
    ];
    assert.deepEqual(createdObjectAcl("function", "app", "s", defaults, 160000), [...own("app", ["EXECUTE"]), ...own("reader", ["EXECUTE"])]);
    assert.deepEqual(createdObjectAcl("function", "app", "t", [], 160000), [...own("app", ["EXECUTE"]), { grantee: null, privilege: "EXECUTE", grantable: false }]);
  });
});

describe("--privileges options", () => {
  const config = (extra = "") => parseConfigText(`environments: {}\n${extra}`, "pgferry.yml", {});
  it("reads sync.privileges and roles: from pgferry.yml, --role-map over them", () => {
    assert.equal(resolvePrivileges(config(), {}), null);
    assert.deepEqual(resolvePrivileges(config("sync: { privileges: true }\nroles: { prod_app: staging_app, prod_ro: staging_ro }\n"), { roleMap: { prod_ro: "qa_ro" } }), {
      roles: { prod_app: "staging_app", prod_ro: "qa_ro" },
    });
    assert.deepEqual(resolvePrivileges(config(), { privileges: true, roleMap: parseRoleMapFlags(["a=b"]) }), { roles: { a: "b" } });
  });
  it("refuses a malformed --role-map, and one without --privileges", () => {
    assert.throws(() => parseRoleMapFlags(["prod_app"]), /--role-map must look like SOURCE_ROLE=TARGET_ROLE, got "prod_app"/);
    assert.throws(() => parseRoleMapFlags(["=x"]), /--role-map must look like/);
    assert.throws(() => resolvePrivileges(config(), { roleMap: { a: "b" } }), /--role-map works with --privileges only/);
  });
});

/** The subset planner (plan/plan-subset) and its config: which tables are narrowed, how the plan names each share, refusals. Pure. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfigText } from "../../src/config/load-config.js";
import { resolveEndpoint } from "../../src/config/resolve-endpoint.js";
import { resolveSyncOptions, scheduleJobFlags } from "../../src/config/resolve-sync-options.js";
import type { Constraint, Table } from "../../src/model/catalog.js";
import type { SyncPlan } from "../../src/model/plan.js";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { buildSyncPlan } from "../../src/plan/build-sync-plan.js";
import { parseColumnReference, type SubsetSpec } from "../../src/plan/subset-spec.js";
import { ALL_TABLES, catalog, col, table } from "../harness/catalog-builders.js";

const key = (name: string, columns = ["id"]): Constraint => ({
  name, kind: "primary", definition: `PRIMARY KEY (${columns.join(", ")})`, columns, references: null, referencedColumns: [], deferrable: false, initiallyDeferred: false, comment: null,
});
const references = (name: string, columns: string[], parent: string, parentColumns = ["id"]): Constraint => ({
  name, kind: "foreign", definition: `FOREIGN KEY (${columns.join(", ")}) REFERENCES public.${parent}`, columns, references: qualifiedName("public", parent), referencedColumns: parentColumns, deferrable: false, initiallyDeferred: false, comment: null,
});

// orgs ← users ← orders ← items (keyless); employees → employees; settings alone.
const TABLES: Table[] = [
  table("orgs", [col("id")], { constraints: [key("orgs_pkey")] }),
  table("users", [col("id"), col("org_id")], { constraints: [key("users_pkey"), references("users_org", ["org_id"], "orgs")] }),
  table("orders", [col("id"), col("user_id")], { constraints: [key("orders_pkey"), references("orders_user", ["user_id"], "users")] }),
  table("items", [col("order_id"), col("sku", "text")], { constraints: [references("items_order", ["order_id"], "orders")] }),
  table("employees", [col("id"), col("manager_id"), col("user_id")], { constraints: [key("employees_pkey"), references("emp_manager", ["manager_id"], "employees"), references("emp_user", ["user_id"], "users")] }),
  table("settings", [col("k", "text")], { constraints: [key("settings_pkey", ["k"])] }),
];

function plan(subset: SubsetSpec, where: Record<string, string> = {}): SyncPlan {
  return buildSyncPlan({ source: catalog(TABLES), target: catalog([]), selection: { ...ALL_TABLES, where }, cascade: false, subset });
}
const copyOf = (p: SyncPlan, name: string) => {
  const action = p.actions.find((a) => a.table.name === name);
  assert.ok(action && (action.kind === "create" || action.kind === "refresh"), name);
  return action.copy;
};
const errors = (p: SyncPlan) => p.diagnostics.filter((d) => d.level === "error").map((d) => `${d.table ? `${d.table.name}: ` : ""}${d.message}`);

describe("planSubset", () => {
  it("narrows the tables connected to a root and names each share; a table connected to none is copied whole", () => {
    const p = plan({ roots: { orders: "id < 10" }, percent: 25, limit: 5 });
    assert.deepEqual(errors(p), []);
    assert.equal(copyOf(p, "orders").subset?.summary, "root: id < 10, 25 %, first 5 by key");
    assert.equal(copyOf(p, "users").subset?.summary, "parents of public.orders, public.employees".replace(", public.employees", ""));
    assert.equal(copyOf(p, "orgs").subset?.summary, "parents of public.users");
    assert.equal(copyOf(p, "items").subset!.summary, "no rows (list it in subset.children to keep its rows that reference kept rows)");
    assert.equal(copyOf(p, "items").where, "FALSE");
    assert.equal(copyOf(p, "employees").where, "FALSE", "employees reference users but are not children: nothing needs them");
    const settings = copyOf(p, "settings");
    assert.equal(settings.where, null);
    assert.equal(settings.subset?.narrowed, false);
    assert.match(settings.subset!.summary, /^copied whole/);
    // The root's own rows: its filter, the share by a hash of the key, the first rows by key.
    assert.match(copyOf(p, "orders").where!, /hashtextextended\(ROW\("id"\)::text, 0\) % 10000\) < 2500 ORDER BY "id" LIMIT 5/);
    assert.match(copyOf(p, "users").where!, /^\(\("id"\) IN \(SELECT "user_id" FROM ONLY "public"\."orders" WHERE/);
  });

  it("children are followed down from the roots only, never from rows kept as parents", () => {
    const p = plan({ roots: { orders: "id < 10" }, children: true });
    assert.equal(copyOf(p, "items").subset?.summary, "children of public.orders");
    assert.equal(copyOf(p, "employees").where, "FALSE");
    assert.equal(copyOf(p, "employees").subset?.summary, "no rows (the rows it references are kept as parents; children are followed down from the roots only)");
  });

  it("children: a self-reference goes through one WITH RECURSIVE, down and up", () => {
    const p = plan({ roots: { users: "id = 1" }, children: ["employees"] });
    const employees = copyOf(p, "employees");
    assert.equal(employees.subset?.summary, "children of public.employees, public.users; parents of public.employees");
    // The children of kept employees (down), then their managers (up), whose seed holds the children again.
    assert.ok((employees.where!.match(/WITH RECURSIVE/g)?.length ?? 0) >= 2, employees.where!);
    assert.match(copyOf(p, "users").subset!.summary, /root: id = 1; parents of public\.employees/);
  });

  it("does not follow back up an FK whose children were kept only through it (no row to add, only a scan)", () => {
    const p = plan({ roots: { orders: "id < 10" }, children: ["items"] });
    assert.equal(copyOf(p, "items").subset?.summary, "children of public.orders");
    assert.equal(copyOf(p, "orders").subset?.summary, "root: id < 10");
    assert.ok(!copyOf(p, "orders").where!.includes('"items"'), copyOf(p, "orders").where!);
    // Children reached through two parents may reference rows neither kept: then the FK is followed back up.
    const twice = buildSyncPlan({
      source: catalog([...TABLES, table("notes", [col("id"), col("order_id"), col("user_id")], { constraints: [key("notes_pkey"), references("notes_order", ["order_id"], "orders"), references("notes_user", ["user_id"], "users")] })]),
      target: catalog([]), selection: ALL_TABLES, cascade: false, subset: { roots: { orders: "id < 10", users: "id < 3" }, children: ["notes"] },
    });
    assert.equal(copyOf(twice, "orders").subset?.summary, "root: id < 10; parents of public.notes");
  });

  it("a keyless root picks its share by the whole row and its limit by tableoid and ctid", () => {
    const where = copyOf(plan({ roots: { items: "true" }, percent: 50, limit: 3 }), "items").where!;
    assert.match(where, /ROW\("order_id", "sku"\)::text, 0\) % 10000\) < 5000/);
    assert.match(where, /\(tableoid, ctid\) IN \(SELECT tableoid, ctid FROM ONLY "public"\."items" WHERE .* ORDER BY ROW\("order_id", "sku"\)::text LIMIT 3\)/);
  });

  it("a user where combines with AND and is kept apart for the plan's display", () => {
    const p = plan({ roots: { orders: "id < 10" } }, { orders: "user_id > 2" });
    const orders = copyOf(p, "orders");
    assert.equal(orders.subset?.userWhere, "user_id > 2");
    assert.ok(orders.where!.startsWith("(user_id > 2) AND "), orders.where!);
    assert.ok(copyOf(p, "users").where!.includes("(user_id > 2)"), "parents follow only the rows the user's where keeps");
  });

  it("refuses an unknown root, virtual FKs naming unknown tables or columns, mismatched column counts; warns for an unselected end", () => {
    assert.deepEqual(errors(plan({ roots: { nope: "true" } })), ['subset root "nope" matches no selected table']);
    const virtual = (from: string, to: string) => errors(plan({ roots: { orders: "true" }, virtualForeignKeys: [{ from, to }] }));
    assert.deepEqual(virtual("items(nope)", "orders(id)"), ['items: subset.virtualForeignKeys[0]: no column "nope" in public.items']);
    assert.deepEqual(virtual("nothing(x)", "orders(id)"), ['subset.virtualForeignKeys[0].from: "nothing" names no table in the source']);
    assert.deepEqual(virtual("items(order_id, sku)", "orders(id)"), ["items: subset.virtualForeignKeys[0]: 2 column(s) reference 1"]);
    const unselected = buildSyncPlan({
      source: catalog(TABLES), target: catalog([]), selection: { ...ALL_TABLES, exclude: ["settings"] }, cascade: false,
      subset: { roots: { orders: "true" }, virtualForeignKeys: [{ from: "settings(k)", to: "orders(id)" }] },
    });
    assert.match(unselected.diagnostics.map((d) => d.message).join("\n"), /subset\.virtualForeignKeys\[0\] is not followed: public\.settings is not selected/);
  });

  it("a virtual FK is followed like a declared one, its where kept for the check before the run", () => {
    const p = plan({ roots: { settings: "k = 'a'" }, virtualForeignKeys: [{ from: "public.settings(k)", to: "public.items(sku)", where: "k <> ''" }] });
    assert.equal(copyOf(p, "items").subset?.summary, "parents of public.settings");
    assert.deepEqual(copyOf(p, "settings").subset?.checks.map((c) => c.what), ["subset root filter", "subset.virtualForeignKeys[0].where"]);
  });

  it("refuses delete-missing on a narrowed table, not on one copied whole", () => {
    // Keys NOT NULL on the target, as upsert needs; the keyless items table left out.
    const keyed = TABLES.map((t) => ({ ...t, columns: t.columns.map((c) => (["id", "k"].includes(c.name) ? { ...c, notNull: true } : c)) }));
    const selection = { ...ALL_TABLES, exclude: ["items"] };
    const p = buildSyncPlan({ source: catalog(keyed), target: catalog(keyed), selection, cascade: false, mode: "upsert", deleteMissing: true, subset: { roots: { settings: "true" } } });
    assert.deepEqual(errors(p), ["settings: delete-missing cannot apply to a subset table: rows left out of the subset are not rows the source deleted (use mode refresh, or drop deleteMissing)"]);
  });

  it("parses virtual FK ends, quoted columns included", () => {
    assert.deepEqual(parseColumnReference('public.comments(commentable_id, "Odd, ""Name""")'), { table: "public.comments", columns: ["commentable_id", 'Odd, "Name"'] });
    assert.throws(() => parseColumnReference("public.comments"), /must look like schema\.table\(column, …\)/);
  });
});

describe("subset in pgferry.yml", () => {
  const BASE = `environments:\n  prod: { url: "postgres://app@prod.example.com/app" }\n  staging: { url: "postgres://app@staging.example.com/app" }\ndefaults: { from: prod, to: staging }\n`;
  const parse = (extra: string) => parseConfigText(`${BASE}${extra}`, "pgferry.yml", {});
  const endpoints = (config: ReturnType<typeof parse>) => ({ source: resolveEndpoint(undefined, "source", config), target: resolveEndpoint(undefined, "target", config) });

  it("applies the top-level subset to a sync; a job's own subset replaces it, and subset: false turns it off; --no-subset too", () => {
    const config = parse(`subset:\n  roots: { users: "id < 10" }\n  percent: 10\nschedules:\n  own: { cron: "0 * * * *", subset: { roots: { orders: "true" }, children: true } }\n  whole: { cron: "0 * * * *", subset: false }\n  same: { cron: "0 * * * *" }\n`);
    assert.deepEqual(resolveSyncOptions(config, {}, endpoints(config)).subset, { roots: { users: "id < 10" }, percent: 10 });
    assert.equal(resolveSyncOptions(config, { subset: false }, endpoints(config)).subset, null);
    const job = (name: string) => resolveSyncOptions(config, scheduleJobFlags(config.schedules[name]!), endpoints(config)).subset;
    assert.deepEqual(job("own"), { roots: { orders: "true" }, children: true });
    assert.equal(job("whole"), null);
    assert.deepEqual(job("same"), { roots: { users: "id < 10" }, percent: 10 });
  });

  it("refuses a subset without roots, a share outside (0, 100] and unknown keys", () => {
    assert.throws(() => parse("subset:\n  roots: {}\n"), /subset\.roots needs at least one table/);
    assert.throws(() => parse("subset:\n  roots: { users: 'true' }\n  percent: 0\n"), /percent/);
    assert.throws(() => parse("subset:\n  roots: { users: 'true' }\n  percent: 101\n"), /percent/);
    assert.throws(() => parse("subset:\n  roots: { users: 'true' }\n  childs: true\n"), /childs/);
  });
});

/** The planner on hand-made catalogs: actions, column mapping, truncation and cascade, sequences. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Constraint, Sequence } from "../../src/model/catalog.js";
import { ALL_TABLES, catalog, col, fk, table } from "../harness/catalog-builders.js";
import { qualifiedName } from "../../src/model/qualified-name.js";
import { buildSyncPlan } from "../../src/plan/build-sync-plan.js";

const all = ALL_TABLES;

describe("buildSyncPlan", () => {
  it("orders a partitioned table after what its partitions' FKs reference, and breaks a cycle through them on the partition", () => {
    const payment = table("payment", [col("id"), col("rental_id")], { partitioned: true, partitioning: { key: "RANGE (id)", parent: null, bound: null } });
    const part = table("payment_1", [col("id"), col("rental_id")], {
      partitioning: { key: null, parent: qualifiedName("public", "payment"), bound: "FOR VALUES FROM (0) TO (9)" },
      constraints: [fk("payment_1_rental_fk", "rental")],
    });
    const rental = table("rental", [col("id"), col("last_payment")]);
    const both = catalog([payment, part, rental]);
    const plan = buildSyncPlan({ source: both, target: both, selection: all, cascade: false });
    const copied = plan.actions.filter((a) => a.kind === "refresh").map((a) => a.table.name);
    assert.deepEqual(copied, ["rental", "payment"]);

    // rental → payment too: a cycle whose payment side is declared on the partition.
    const cyclic = catalog([payment, part, table("rental", [col("id"), col("last_payment")], { constraints: [fk("rental_payment_fk", "payment")] })]);
    const cyclePlan = buildSyncPlan({ source: cyclic, target: cyclic, selection: all, cascade: false });
    const dropped = cyclePlan.preData.filter((s) => s.kind === "drop-constraint").map((s) => (s.kind === "drop-constraint" ? `${s.table.name}.${s.name}` : ""));
    assert.ok(dropped.length > 0 && dropped.every((d) => d === "payment_1.payment_1_rental_fk" || d === "rental.rental_payment_fk"), dropped.join(", "));
  });

  it("orders a partition selected on its own by the FKs declared on its partitioned parent, and by FKs to that parent", () => {
    const partitioned = { partitioned: true, partitioning: { key: "RANGE (id)", parent: null, bound: null } };
    const partOf = (parent: string, bound: string) => ({ partitioning: { key: null, parent: qualifiedName("public", parent), bound } });
    const payment = table("payment", [col("id"), col("x")], { ...partitioned, constraints: [fk("payment_rental_fk", "rental")] });
    const parts = [table("payment_1", [col("id"), col("x")], partOf("payment", "FOR VALUES FROM (0) TO (9)")), table("payment_2", [col("id"), col("x")], partOf("payment", "FOR VALUES FROM (9) TO (99)"))];
    // "a_note" references the partitioned payment: its rows are in the selected partitions.
    const note = table("a_note", [col("id"), col("x")], { constraints: [fk("a_note_payment_fk", "payment")] });
    const both = catalog([note, payment, ...parts, table("rental", [col("id")])]);
    const plan = buildSyncPlan({ source: both, target: both, selection: { include: ["payment_1", "payment_2", "rental", "a_note"], exclude: [], where: {} }, cascade: false });
    assert.deepEqual(plan.actions.filter((a) => a.kind === "refresh").map((a) => a.table.name), ["rental", "payment_1", "payment_2", "a_note"]);
    assert.deepEqual(plan.fkStrategy, { kind: "ordered" });

    // rental → payment too: a cycle; the parent's FK breaks two edges (one per partition) and is dropped once, where it is declared.
    const cyclic = catalog([payment, ...parts, table("rental", [col("id"), col("x")], { constraints: [fk("rental_payment_fk", "payment")] })]);
    const cyclePlan = buildSyncPlan({ source: cyclic, target: cyclic, selection: { include: ["payment_1", "payment_2", "rental"], exclude: [], where: {} }, cascade: false });
    const dropped = cyclePlan.preData.flatMap((s) => (s.kind === "drop-constraint" ? [`${s.table.name}.${s.name}`] : []));
    assert.deepEqual(dropped, ["payment.payment_rental_fk"]);
    assert.deepEqual(cyclePlan.postData.flatMap((s) => (s.kind === "add-constraint" ? [`${s.table.name}.${s.constraint.name}`] : [])), ["payment.payment_rental_fk"]);
  });

  it("counts an FK declared on a partition of a partition of the selected table", () => {
    const events = table("events", [col("id"), col("x")], { partitioned: true, partitioning: { key: "RANGE (id)", parent: null, bound: null } });
    const year = table("events_2022", [col("id"), col("x")], { partitioned: true, partitioning: { key: "RANGE (id)", parent: qualifiedName("public", "events"), bound: "FOR VALUES FROM (0) TO (9)" } });
    const month = table("events_2022_01", [col("id"), col("x")], {
      partitioning: { key: null, parent: qualifiedName("public", "events_2022"), bound: "FOR VALUES FROM (0) TO (5)" },
      constraints: [fk("events_2022_01_user_fk", "users")],
    });
    const both = catalog([events, year, month, table("users", [col("id")])]);
    const plan = buildSyncPlan({ source: both, target: both, selection: all, cascade: false });
    assert.deepEqual(plan.actions.filter((a) => a.kind === "refresh").map((a) => a.table.name), ["users", "events"]);
  });

  it("creates missing tables and refreshes existing ones, in FK order", () => {
    const source = catalog([table("child", [col("id"), col("x")], { constraints: [fk("child_x_fk", "parent")] }), table("parent", [col("id")])]);
    const target = catalog([table("parent", [col("id")])]);
    const plan = buildSyncPlan({ source, target, selection: all, cascade: false });
    assert.deepEqual(plan.actions.map((a) => `${a.kind} ${a.table.name}`), ["refresh parent", "create child"]);
    assert.deepEqual(plan.truncate.map((t) => t.table.name), ["parent"]);
    assert.ok(plan.preData.some((s) => s.kind === "create-table" && s.table.name.name === "child"));
    assert.ok(plan.postData.some((s) => s.kind === "add-constraint" && s.constraint.name === "child_x_fk"));
  });

  it("maps columns by name, leaves generated target columns out and explains drift", () => {
    const source = catalog([table("t", [col("a"), col("b", "text"), col("only_src")])]);
    const target = catalog([table("t", [col("b", "text"), col("a", "bigint"), col("g", "integer", { generated: "stored", default: "a * 2" }), col("extra", "text", { default: "'x'::text" })])]);
    const plan = buildSyncPlan({ source, target, selection: all, cascade: false });
    const action = plan.actions[0]!;
    assert.ok(action.kind === "refresh");
    assert.deepEqual(action.columns.map((c) => c.name), ["a", "b"]);
    assert.equal(action.copy.format, "text", "a type difference forces text COPY");
    assert.equal(action.copy.staged, false, "integer → bigint needs no staging table");
    const messages = plan.diagnostics.map((d) => `${d.level}: ${d.message}`);
    assert.ok(messages.includes('warning: column "only_src" (integer) exists only on the source: left out (--add-columns adds it)'));
    assert.ok(messages.includes("warning: column \"a\" is integer on the source and bigint on the target: converted (integer → bigint: the text form is read by bigint's input)"), messages.join("\n"));
    assert.ok(messages.includes('info: column "extra" exists only on the target: filled by its default'));
  });

  it("makes a target-only NOT NULL column without default an error", () => {
    const plan = buildSyncPlan({ source: catalog([table("t", [col("a")])]), target: catalog([table("t", [col("a"), col("must", "text", { notNull: true })])]), selection: all, cascade: false });
    assert.deepEqual(plan.diagnostics.filter((d) => d.level === "error").map((d) => d.message), ['target column "must" is NOT NULL without a default and does not exist on the source: configure a value (tables."public.t".fill.must) or add a default']);
  });

  it("refuses to truncate a table referenced by an unselected one unless cascading, transitively", () => {
    const tables = [table("a", [col("id")]), table("b", [col("id"), col("x")], { constraints: [fk("b_fk", "a")] }), table("c", [col("id"), col("x")], { constraints: [fk("c_fk", "b")] })];
    const selection = { include: ["a"], exclude: [], where: {} };
    const refused = buildSyncPlan({ source: catalog(tables), target: catalog(tables), selection, cascade: false });
    assert.deepEqual(refused.diagnostics.filter((d) => d.level === "error").map((d) => d.table?.name), ["b"]);
    const cascaded = buildSyncPlan({ source: catalog(tables), target: catalog(tables), selection, cascade: true });
    assert.deepEqual(cascaded.truncate.map((t) => t.table.name), ["a", "b", "c"]);
    assert.deepEqual(cascaded.actions.filter((a) => a.kind === "truncate-cascade").map((a) => a.table.name), ["b", "c"]);
  });

  it("copies partitions through their selected parent, never twice", () => {
    const parent = table("payments", [col("id")], { partitioned: true, partitioning: { key: "RANGE (id)", parent: null, bound: null } });
    const part = table("payments_1", [col("id")], { partitioning: { key: null, parent: qualifiedName("public", "payments"), bound: "FOR VALUES FROM (0) TO (100)" } });
    const plan = buildSyncPlan({ source: catalog([parent, part]), target: catalog([]), selection: { include: ["payments"], exclude: [], where: {} }, cascade: false });
    assert.deepEqual(plan.actions.map((a) => `${a.kind} ${a.table.name}`), ["create payments", "skip payments_1"]);
    const created = plan.preData.filter((s) => s.kind === "create-table").map((s) => (s.kind === "create-table" ? s.table.name.name : ""));
    assert.deepEqual(created, ["payments", "payments_1"]);
    const copy = plan.actions[0]!;
    assert.ok(copy.kind === "create" && copy.copy.viaSelect, "a partitioned table is read through SELECT");
  });

  it("resets sequences to the source's value, matching identity sequences by owner", () => {
    const seq = (name: string, last: string | null): Sequence => ({
      name: qualifiedName("public", name), dataType: "bigint", start: "1", increment: "1", min: "1", max: "9", cache: "1", cycle: false, lastValue: last,
      ownedBy: { table: qualifiedName("public", "t"), column: "id" }, identity: true, readable: true, comment: null,
    });
    const source = catalog([table("t", [col("id")], { sequences: [qualifiedName("public", "t_id_seq")] })], [seq("t_id_seq", "42")]);
    const target = catalog([table("t", [col("id")])], [seq("t_id_seq1", null)]);
    const plan = buildSyncPlan({ source, target, selection: all, cascade: false });
    assert.deepEqual(plan.sequenceResets, [{ sequence: qualifiedName("public", "t_id_seq1"), value: "42", isCalled: true, neverBackwards: false }]);
  });

  it("refuses a sequence the source role cannot read, rather than rewinding or leaving it", () => {
    const seq: Sequence = {
      name: qualifiedName("public", "t_id_seq"), dataType: "bigint", start: "1", increment: "1", min: "1", max: "9", cache: "1", cycle: false, lastValue: null,
      ownedBy: { table: qualifiedName("public", "t"), column: "id" }, identity: false, readable: false, comment: null,
    };
    const source = catalog([table("t", [col("id")], { sequences: [seq.name] })], [seq]);
    const plan = buildSyncPlan({ source, target: catalog([table("t", [col("id")])], [{ ...seq, readable: true }]), selection: all, cascade: false });
    assert.deepEqual(plan.sequenceResets, []);
    assert.ok(plan.diagnostics.some((d) => d.level === "error" && d.table?.name === "t" && /^sequence public\.t_id_seq is not readable by the source role.*grant the source role SELECT on the sequence$/.test(d.message)));
  });

  it("drops and re-adds a deferrable cycle FK whose name another constraint of the schema shares", () => {
    const deferrable = (name: string, ref: string): Constraint => ({ ...fk(name, ref), deferrable: true });
    const tables = [
      table("a", [col("id"), col("x")], { constraints: [deferrable("fk_shared", "b")] }),
      table("b", [col("id"), col("x")], { constraints: [deferrable("b_a_fk", "a")] }),
      table("c", [col("id"), col("x")], { constraints: [fk("fk_shared", "a")] }),
    ];
    const plan = buildSyncPlan({ source: catalog(tables), target: catalog(tables), selection: all, cascade: false });
    assert.ok(plan.fkStrategy.kind === "break-cycles");
    const broken = [...plan.fkStrategy.deferred.map((c) => `defer ${c.name}`), ...plan.fkStrategy.dropped.map((c) => `drop ${c.name}`)];
    assert.equal(broken.length, 1);
    assert.ok(broken[0] === "defer b_a_fk" || broken[0] === "drop fk_shared", String(broken));
    if (broken[0] === "drop fk_shared") assert.equal(plan.fkStrategy.deferred.length, 0);
  });

  it("refuses to leave out a partition of a selected parent, or to filter a partition copied through it", () => {
    const parent = table("events", [col("id")], { partitioned: true, partitioning: { key: "RANGE (id)", parent: null, bound: null } });
    const part = table("events_2019", [col("id")], { partitioning: { key: null, parent: qualifiedName("public", "events"), bound: "FOR VALUES FROM (0) TO (9)" } });
    const source = catalog([parent, part]);
    assert.throws(
      () => buildSyncPlan({ source, target: catalog([]), selection: { include: ["events"], exclude: ["events_2019"], where: {} }, cascade: false }),
      /cannot exclude partition public\.events_2019 while its parent public\.events is selected/,
    );
    const filtered = buildSyncPlan({ source, target: catalog([]), selection: { include: ["events"], exclude: [], where: { events_2019: "id > 1" } }, cascade: false });
    assert.ok(filtered.diagnostics.some((d) => d.level === "error" && /where filter on partition public\.events_2019 cannot apply/.test(d.message)));
  });

  it("counts FKs to a partition's parent when truncating the partition", () => {
    const parent = table("p", [col("id")], { partitioned: true, partitioning: { key: "RANGE (id)", parent: null, bound: null } });
    const part = table("p_1", [col("id")], { partitioning: { key: null, parent: qualifiedName("public", "p"), bound: "FOR VALUES FROM (0) TO (9)" } });
    const referencing = table("r", [col("id"), col("x")], { constraints: [fk("r_p_fk", "p")] });
    const tables = [parent, part, referencing];
    const plan = buildSyncPlan({ source: catalog(tables), target: catalog(tables), selection: { include: ["p_1"], exclude: [], where: {} }, cascade: false });
    assert.ok(plan.diagnostics.some((d) => d.level === "error" && d.table?.name === "r" && /references public\.p \(parent of public\.p_1\)/.test(d.message)));
    assert.deepEqual(plan.truncate, [{ table: qualifiedName("public", "p_1"), only: true }]);
  });

  it("warns about an exclude pattern that matches nothing", () => {
    const plan = buildSyncPlan({ source: catalog([table("t", [col("id")])]), target: catalog([]), selection: { include: [], exclude: ["audit_*"], where: {} }, cascade: false });
    assert.ok(plan.diagnostics.some((d) => d.level === "warning" && d.message === 'exclude pattern "audit_*" matches no table in the source'));
  });
});

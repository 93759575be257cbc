/** The FKs that bind a table's rows through its partition tree, and the edges the planner and syncRows order by. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Table } from "../../src/model/catalog.js";
import { nameKey, qualifiedName } from "../../src/model/qualified-name.js";
import { bindingForeignKeys, buildPartitionTree, collectFkEdges } from "../../src/plan/collect-fk-edges.js";
import { col, fk, table } from "../harness/catalog-builders.js";

const partitioned = (name: string, parent: string | null, constraints = [fk(`${name}_rental_fk`, "rental")]): Table =>
  table(name, [col("id"), col("x")], { partitioned: true, partitioning: { key: "RANGE (id)", parent: parent ? qualifiedName("public", parent) : null, bound: null }, constraints });
const partition = (name: string, parent: string, constraints = [fk(`${name}_store_fk`, "store")]): Table =>
  table(name, [col("id"), col("x")], { partitioning: { key: null, parent: qualifiedName("public", parent), bound: "FOR VALUES FROM (0) TO (9)" }, constraints });
// payment (FK → rental) ⊃ payment_2022 (partitioned, FK → rental) ⊃ payment_2022_01 (FK → store); payment ⊃ payment_2023 (FK → store)
const tables = [
  partitioned("payment", null),
  partitioned("payment_2022", "payment"),
  partition("payment_2022_01", "payment_2022"),
  partition("payment_2023", "payment"),
  table("rental", [col("id")]),
  table("store", [col("id")]),
];
const keys = (...names: string[]) => new Set(names.map((n) => nameKey(qualifiedName("public", n))));
const describeEdges = (edges: ReturnType<typeof collectFkEdges>) =>
  edges.map((e) => `${e.child.name} → ${e.parent.name} (${e.constraint}${e.declaredOn ? ` on ${e.declaredOn.name}` : ""}${e.enforced ? ", enforced" : ""})`).sort();

describe("collectFkEdges", () => {
  it("binds a table's rows by the FKs of its ancestors, itself and its partitions at any depth", () => {
    const tree = buildPartitionTree(tables);
    const bound = (name: string) => bindingForeignKeys(qualifiedName("public", name), tree).map((b) => `${b.declaredOn.name}.${b.constraint.name}`);
    assert.deepEqual(bound("payment"), ["payment.payment_rental_fk", "payment_2022.payment_2022_rental_fk", "payment_2022_01.payment_2022_01_store_fk", "payment_2023.payment_2023_store_fk"]);
    assert.deepEqual(bound("payment_2022_01"), ["payment.payment_rental_fk", "payment_2022.payment_2022_rental_fk", "payment_2022_01.payment_2022_01_store_fk"]);
    assert.deepEqual(bound("rental"), []);
  });

  it("puts each FK on the selected table its rows load through, enforced when the target has it", () => {
    const edges = collectFkEdges(tables, tables.slice(0, 3), keys("payment", "payment_2022", "payment_2022_01", "payment_2023", "rental", "store"));
    assert.deepEqual(describeEdges(edges), [
      "payment → rental (payment_2022_rental_fk on payment_2022, enforced)",
      "payment → rental (payment_rental_fk, enforced)",
      "payment → store (payment_2022_01_store_fk on payment_2022_01, enforced)",
      "payment → store (payment_2023_store_fk on payment_2023)",
    ]);
  });

  it("binds partitions selected without their parent by the parent's FKs, and orders what references the parent after them", () => {
    const note = table("note", [col("id"), col("x")], { constraints: [fk("note_payment_fk", "payment")] });
    const edges = collectFkEdges([...tables, note], [], keys("payment_2022", "payment_2023", "rental", "store", "note"));
    assert.deepEqual(describeEdges(edges), [
      "note → payment_2022 (note_payment_fk)",
      "note → payment_2023 (note_payment_fk)",
      "payment_2022 → rental (payment_2022_rental_fk)",
      "payment_2022 → rental (payment_rental_fk on payment)",
      "payment_2022 → store (payment_2022_01_store_fk on payment_2022_01)",
      "payment_2023 → rental (payment_rental_fk on payment)",
      "payment_2023 → store (payment_2023_store_fk)",
    ]);
  });
});

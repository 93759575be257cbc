/**
 * Fill any schema with a few rows per table, generically, from the catalog alone: tables in FK order
 * (a cycle leaves its nullable FK columns null), values of each column's type (domains, enums,
 * arrays, ranges, json, inet, tsvector, bytea…), FK values picked from the parent's rows, literals
 * of CHECK constraints and partition bounds offered as candidates, and a retry with new random
 * values (under a savepoint) when a row violates a key, a check or a trigger. Seeded: the same
 * schema gets the same rows.
 */
import type pg from "pg";

/** What the generator did for one table. */
export interface GeneratedTable {
  readonly table: string;
  readonly rows: number;
  /** The last error of a table that got fewer rows than asked (why it is empty or short). */
  readonly lastError?: string;
}

interface TableInfo { readonly oid: number; readonly name: string }
interface ColumnInfo {
  readonly rel: number; readonly name: string; readonly typeOid: number; readonly typmod: number; readonly typeSql: string;
  readonly notNull: boolean; readonly defaultSql: string | null; readonly identity: string; readonly generated: string;
}
interface TypeInfo {
  readonly oid: number; readonly name: string; readonly kind: string; readonly category: string; readonly elem: number;
  readonly base: number; readonly baseTypmod: number; readonly notNull: boolean; readonly rangeSubtype: number | null; readonly labels: string[] | null;
  readonly multirangeOf: number | null; readonly checks: string[];
}
interface ForeignKey { readonly rel: number; readonly parent: number; readonly columns: string[]; readonly parentColumns: string[] }

type Random = () => number;

/** mulberry32: a small seeded PRNG, so the rows are the same on every run. */
function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The string (and, for a number, number) literals of a one-column CHECK: values the column is likely allowed to hold. */
function checkLiterals(def: string, numeric: boolean): string[] {
  const out = new Set<string>();
  if (numeric) for (const m of def.matchAll(/(?<![\w.'"])(-?\d+(?:\.\d+)?)(?![\w'])/g)) out.add(m[1]!);
  else for (const m of def.matchAll(/'((?:[^']|'')*)'/g)) out.add(m[1]!.replace(/''/g, "'"));
  return [...out];
}

/** The first value of each bound of a partition (`FROM ('x')`, `IN ('a', 'b')`), for a one-column key. */
function boundLiterals(bound: string): string[] {
  const from = /FROM \(([^)]*)\)/.exec(bound);
  if (from) {
    const first = from[1]!.split(",")[0]!.trim();
    return /^(MINVALUE|MAXVALUE)$/.test(first) ? [] : [first.replace(/^'(.*)'$/s, "$1").replace(/''/g, "'")];
  }
  const list = /IN \((.*)\)/s.exec(bound);
  if (list) return [...list[1]!.matchAll(/'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)/g)].map((m) => (m[1] ?? m[2]!).replace(/''/g, "'"));
  return [];
}

async function readCatalog(client: pg.Client) {
  const tables = (await client.query<TableInfo>(`
    SELECT c.oid::int AS oid, format('%I.%I', n.nspname, c.relname) AS name
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
     ORDER BY 2`)).rows;
  const columns = (await client.query<ColumnInfo>(`
    SELECT a.attrelid::int AS rel, a.attname AS name, a.atttypid::int AS "typeOid", a.atttypmod AS typmod,
           format_type(a.atttypid, a.atttypmod) AS "typeSql", a.attnotnull AS "notNull",
           pg_get_expr(d.adbin, d.adrelid) AS "defaultSql", a.attidentity AS identity, a.attgenerated AS generated
      FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attrelid, a.attnum`, [tables.map((t) => t.oid)])).rows;
  const types = new Map((await client.query<TypeInfo>(`
    SELECT t.oid::int AS oid, t.typname AS name, t.typtype AS kind, t.typcategory AS category, t.typelem::int AS elem,
           t.typbasetype::int AS base, t.typtypmod AS "baseTypmod", t.typnotnull AS "notNull",
           r.rngsubtype::int AS "rangeSubtype", mr.rngtypid::int AS "multirangeOf",
           (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels,
           coalesce((SELECT array_agg(pg_get_constraintdef(k.oid) ORDER BY k.conname) FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c'), '{}') AS checks
      FROM pg_type t LEFT JOIN pg_range r ON r.rngtypid = t.oid LEFT JOIN pg_range mr ON mr.rngmultitypid = t.oid`)).rows.map((t) => [t.oid, t]));
  const foreignKeys = (await client.query<ForeignKey>(`
    SELECT k.conrelid::int AS rel, k.confrelid::int AS parent,
           array(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i)::text[] AS columns,
           array(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i)::text[] AS "parentColumns"
      FROM pg_constraint k WHERE k.contype = 'f' AND k.conparentid = 0 AND k.conrelid = ANY($1::oid[]) ORDER BY k.conname`, [tables.map((t) => t.oid)])).rows;
  const checks = (await client.query<{ rel: number; column: string; def: string }>(`
    SELECT k.conrelid::int AS rel, a.attname AS column, pg_get_constraintdef(k.oid) AS def
      FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey)
     WHERE k.contype = 'c' AND cardinality(k.conkey) = 1 AND k.conrelid = ANY($1::oid[]) ORDER BY k.conname`, [tables.map((t) => t.oid)])).rows;
  const bounds = (await client.query<{ rel: number; column: string; bound: string }>(`
    SELECT p.partrelid::int AS rel, a.attname AS column, pg_get_expr(c.relpartbound, c.oid) AS bound
      FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
      JOIN pg_inherits i ON i.inhparent = p.partrelid JOIN pg_class c ON c.oid = i.inhrelid
     WHERE p.partnatts = 1 AND p.partrelid = ANY($1::oid[])`, [tables.map((t) => t.oid)])).rows;
  return { tables, columns, types, foreignKeys, checks, bounds };
}

/**
 * Tables in FK order. A cycle is broken at a table whose FKs into the cycle are all nullable (they
 * stay null), else at its first table by name (its rows then fail on the NOT NULL FK and it stays empty).
 */
function orderTables(tables: readonly TableInfo[], foreignKeys: readonly ForeignKey[], columns: readonly ColumnInfo[]): TableInfo[] {
  const pending = new Map(tables.map((t) => [t.oid, t]));
  const blockers = (t: TableInfo) => foreignKeys.filter((fk) => fk.rel === t.oid && fk.parent !== t.oid && pending.has(fk.parent));
  const nullable = (fk: ForeignKey) => fk.columns.some((c) => columns.some((x) => x.rel === fk.rel && x.name === c && !x.notNull));
  const ordered: TableInfo[] = [];
  while (pending.size > 0) {
    const ready = [...pending.values()].filter((t) => blockers(t).length === 0);
    const breakable = [...pending.values()].find((t) => blockers(t).every(nullable));
    const next = ready.length > 0 ? ready : [breakable ?? [...pending.values()][0]!];
    for (const t of next) {
      ordered.push(t);
      pending.delete(t.oid);
    }
  }
  return ordered;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** A random value of a type, as text that casts back to it; null when the generator knows no value. */
function randomValue(types: Map<number, TypeInfo>, oid: number, typmod: number, random: Random, row: number, plain: boolean, depth = 0): string | null {
  const type = types.get(oid);
  if (!type || depth > 4) return null;
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  if (type.kind === "d") return randomValue(types, type.base, type.baseTypmod, random, row, plain, depth + 1);
  if (type.kind === "e") return type.labels?.length ? pick(type.labels) : null;
  if (type.kind === "r" && type.rangeSubtype) {
    const a = randomValue(types, type.rangeSubtype, -1, random, row, plain, depth + 1);
    const b = randomValue(types, type.rangeSubtype, -1, random, row, plain, depth + 1);
    if (a === null || b === null) return null;
    const numeric = /^-?[\d.]+$/.test(a) && /^-?[\d.]+$/.test(b);
    const [lo, hi] = (numeric ? Number(a) <= Number(b) : a <= b) ? [a, b] : [b, a];
    return `["${lo}","${hi}")`;
  }
  if (type.kind === "m" && type.multirangeOf) {
    const r = randomValue(types, type.multirangeOf, -1, random, row, plain, depth + 1);
    return r === null ? null : `{${r}}`;
  }
  if (type.category === "A" && type.elem) {
    const items: string[] = [];
    for (let i = int(0, 3); i > 0; i--) {
      const v = randomValue(types, type.elem, -1, random, row, plain, depth + 1);
      if (v !== null) items.push(`"${v.replace(/["\\]/g, "\\$&")}"`);
    }
    return `{${items.join(",")}}`;
  }
  const length = typmod > 4 ? typmod - 4 : 40;
  const word = () => pick(["alpha", "bravo", "delta", "echo", "kilo", "lima", "oscar", "tango", "zulu", "ünïcode"]);
  const date = () => `${int(2022, 2024)}-${pad(int(1, 12))}-${pad(int(1, 28))}`;
  const time = () => `${pad(int(0, 23))}:${pad(int(0, 59))}:${pad(int(0, 59))}`;
  switch (type.name) {
    case "bool": return random() < 0.5 ? "true" : "false";
    case "int2": return String(int(1, 300));
    case "int4": case "int8": case "oid": return String(int(1, 100000));
    case "numeric": {
      const precision = typmod > 4 ? ((typmod - 4) >> 16) & 0xffff : 8;
      const scale = typmod > 4 ? (typmod - 4) & 0xffff : 2;
      const digits = Math.min(Math.max(precision - scale, 0), 6);
      return (random() * 10 ** digits).toFixed(scale);
    }
    case "float4": case "float8": return (random() * 1000).toFixed(3);
    case "money": return (random() * 1000).toFixed(2);
    case "text": case "varchar": case "citext": case "name": case "bpchar": {
      // Plain text (letters, digits, underscores) passes the identifier-like CHECKs of many schemas.
      const text = plain ? `${word().replace(/\W/g, "")}_${row}_${Math.floor(random() * 1e9).toString(36)}` : `${word()} ${row} ${Math.floor(random() * 1e9).toString(36)}`;
      return length < 6 ? Math.floor(random() * 36 ** length).toString(36).padStart(length, "x").slice(0, length) : text.slice(0, length);
    }
    case "uuid": return Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("").replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
    case "date": return date();
    case "timestamp": return `${date()} ${time()}`;
    case "timestamptz": return `${date()} ${time()}+00`;
    case "time": return time();
    case "timetz": return `${time()}+00`;
    case "interval": return `${int(0, 90)} days ${int(0, 23)} hours`;
    case "json": case "jsonb": return JSON.stringify({ [word()]: int(0, 1000), list: [row, word()] });
    case "bytea": return `\\x${Array.from({ length: int(1, 16) }, () => int(0, 255).toString(16).padStart(2, "0")).join("")}`;
    case "inet": return `10.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
    case "cidr": return `10.${int(0, 255)}.${int(0, 255)}.0/24`;
    case "macaddr": return Array.from({ length: 6 }, () => int(16, 255).toString(16)).join(":");
    case "tsvector": return `${word()} ${word()}`;
    case "tsquery": return word();
    case "xml": return `<item n="${row}"/>`;
    case "bit": return Array.from({ length: Math.max(typmod, 1) }, () => int(0, 1)).join("");
    case "varbit": return Array.from({ length: int(1, 8) }, () => int(0, 1)).join("");
    case "point": return `(${int(0, 99)},${int(0, 99)})`;
    case "hstore": return `"${word()}"=>"${row}"`;
    case "ltree": return `${word()}.${word()}`.replace("ü", "u").replace("ï", "i");
    default:
      if (type.category === "S") return `${word()} ${row}`;
      if (type.category === "N") return String(int(1, 1000));
      return null;
  }
}

/** Insert about `rowsPerTable` rows into every user table of `client`'s database. */
export async function generateRows(client: pg.Client, options: { rowsPerTable?: number; seed?: number; attempts?: number } = {}): Promise<GeneratedTable[]> {
  const { rowsPerTable = 20, seed = 14, attempts = 10 } = options;
  const catalog = await readCatalog(client);
  const report: GeneratedTable[] = [];
  const parentRows = new Map<string, string[][]>();
  const filled = new Set<number>();
  for (const table of orderTables(catalog.tables, catalog.foreignKeys, catalog.columns)) {
    const random = seeded(hashString(table.name) ^ seed);
    const columns = catalog.columns.filter((c) => c.rel === table.oid && c.generated === "" && c.identity !== "a");
    const fks = catalog.foreignKeys.filter((fk) => fk.rel === table.oid);
    const candidates = new Map<string, string[]>();
    // An array column gets no candidates: the literals of its CHECK are patterns or elements, not arrays.
    const offer = (column: string, values: string[]) => {
      const type = catalog.types.get(columns.find((c) => c.name === column)?.typeOid ?? 0);
      if (type?.category !== "A") candidates.set(column, [...(candidates.get(column) ?? []), ...values]);
    };
    const isNumeric = (column: string) => {
      let type = catalog.types.get(columns.find((c) => c.name === column)?.typeOid ?? 0);
      while (type?.kind === "d") type = catalog.types.get(type.base);
      return type?.category === "N";
    };
    for (const c of catalog.checks.filter((k) => k.rel === table.oid)) offer(c.column, checkLiterals(c.def, isNumeric(c.column)));
    for (const b of catalog.bounds.filter((k) => k.rel === table.oid)) offer(b.column, boundLiterals(b.bound));
    for (const c of columns) {
      const type = catalog.types.get(c.typeOid);
      if (type?.kind === "d") offer(c.name, type.checks.flatMap((def) => checkLiterals(def, isNumeric(c.name))));
    }
    const parentsOf = async (fk: ForeignKey): Promise<string[][]> => {
      if (fk.parent === table.oid) return [];
      const parent = catalog.tables.find((t) => t.oid === fk.parent);
      if (!parent) return [];
      const key = `${fk.parent}:${fk.parentColumns.join(",")}`;
      // A parent not filled yet (an FK closing a cycle) has no rows to offer, and none are cached for it.
      if (!filled.has(fk.parent)) return [];
      if (!parentRows.has(key)) {
        const list = fk.parentColumns.map((c) => `t.${client.escapeIdentifier(c)}::text`).join(", ");
        const rows = await client.query({ text: `SELECT DISTINCT ${list} FROM ${parent.name} t WHERE ${fk.parentColumns.map((c) => `t.${client.escapeIdentifier(c)} IS NOT NULL`).join(" AND ")} ORDER BY ${fk.parentColumns.map((_, i) => i + 1).join(", ")}`, rowMode: "array" });
        parentRows.set(key, rows.rows as string[][]);
      }
      return parentRows.get(key)!;
    };
    const fkParents: string[][][] = [];
    for (const fk of fks) fkParents.push(await parentsOf(fk));
    await client.query("BEGIN");
    await client.query("SET CONSTRAINTS ALL IMMEDIATE");
    let rows = 0;
    let lastError: string | undefined;
    for (let row = 0; row < rowsPerTable; row++) {
      for (let attempt = 0; attempt < attempts; attempt++) {
        const values = new Map<string, string | null>();
        fks.forEach((fk, i) => {
          const parents = fkParents[i]!;
          const nullable = fk.columns.every((c) => !columns.find((x) => x.name === c)?.notNull);
          const tuple = parents.length === 0 || (nullable && random() < 0.15) ? null : parents[Math.floor(random() * parents.length)]!;
          fk.columns.forEach((c, j) => values.has(c) || values.set(c, tuple ? tuple[j]! : null));
        });
        for (const c of columns) {
          if (values.has(c.name)) continue;
          // A column with a default keeps it on the first tries (sequences, now(), '{}'); later tries
          // vary the ones that are constant, which a unique key may include.
          if (c.identity === "d" || (c.defaultSql !== null && (attempt < 2 || /nextval\(/.test(c.defaultSql)))) continue;
          const type = catalog.types.get(c.typeOid);
          const notNull = c.notNull || type?.notNull === true;
          const offered = candidates.get(c.name);
          // Later tries choose null more often: it satisfies most CHECKs over several columns.
          if (!notNull && random() < 0.1 + attempt * 0.08) values.set(c.name, null);
          else if (offered?.length && random() < 0.6) values.set(c.name, offered[Math.floor(random() * offered.length)]!);
          else values.set(c.name, randomValue(catalog.types, c.typeOid, c.typmod, random, row, attempt >= 3));
        }
        const names = [...values.keys()];
        const typeOf = (n: string) => columns.find((c) => c.name === n)!.typeSql;
        const sql = names.length === 0
          ? `INSERT INTO ${table.name} DEFAULT VALUES`
          : `INSERT INTO ${table.name} (${names.map((n) => client.escapeIdentifier(n)).join(", ")}) VALUES (${names.map((n, i) => `$${i + 1}::${typeOf(n)}`).join(", ")})`;
        await client.query("SAVEPOINT generated_row");
        try {
          await client.query(sql, names.map((n) => values.get(n)));
          await client.query("RELEASE SAVEPOINT generated_row");
          rows++;
          break;
        } catch (error) {
          await client.query("ROLLBACK TO SAVEPOINT generated_row");
          lastError = (error as Error).message;
        }
      }
    }
    await client.query("COMMIT");
    filled.add(table.oid);
    report.push(rows < rowsPerTable && lastError ? { table: table.name, rows, lastError } : { table: table.name, rows });
  }
  return report;
}

/**
 * `npm run demo`: two throwaway PostgreSQL servers from npm (17 as "production", 18 as "staging"),
 * a small realistic schema on production, a real `pgferry sync` into the empty staging, the report,
 * then clean-up. Needs nothing but Node 20 and npm.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startEmbeddedServer, type RunningServer } from "../test/harness/embedded-server.js";

const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

const PRODUCTION_SCHEMA = `
  CREATE TABLE organizations (id serial PRIMARY KEY, name text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now());
  CREATE TYPE user_role AS ENUM ('reader', 'author', 'admin');
  CREATE TABLE "User" (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id int NOT NULL REFERENCES organizations(id),
    "Email" text NOT NULL UNIQUE,
    role user_role NOT NULL DEFAULT 'reader',
    invited_by bigint REFERENCES "User"(id)
  );
  CREATE SEQUENCE book_reference_seq START 100000;
  CREATE TABLE books (
    id serial PRIMARY KEY,
    author_id bigint NOT NULL REFERENCES "User"(id),
    public_id uuid NOT NULL DEFAULT gen_random_uuid(),
    reference_no bigint NOT NULL DEFAULT nextval('book_reference_seq'),
    title text NOT NULL,
    metadata jsonb,
    tags text[],
    price numeric(10,2) CHECK (price >= 0),
    published_at timestamptz,
    cover bytea
  );
  CREATE INDEX books_author_idx ON books (author_id);
  CREATE INDEX books_tags_idx ON books USING gin (tags);
  INSERT INTO organizations (name) SELECT 'Organization ' || g FROM generate_series(1, 50) g;
  INSERT INTO "User" (organization_id, "Email", role)
    SELECT 1 + g % 50, 'user' || g || '@example.com', (ARRAY['reader','author','admin'])[1 + g % 3]::user_role FROM generate_series(1, 20000) g;
  UPDATE "User" SET invited_by = 1 + (id % 100) WHERE id > 100;
  INSERT INTO books (author_id, title, metadata, tags, price, published_at, cover)
    SELECT 1 + g % 20000, 'Book nº ' || g, jsonb_build_object('pages', 100 + g % 900, 'language', (ARRAY['en','de','fr'])[1 + g % 3]),
           ARRAY['tag' || g % 10, 'tag' || g % 7], (g % 5000) / 100.0, now() - g * interval '1 hour', decode(md5(g::text), 'hex')
      FROM generate_series(1, 100000) g;
  ANALYZE;
`;

function pgferry(args: string[], env: NodeJS.ProcessEnv, cwd: string): number {
  console.log(`\n$ pgferry ${args.join(" ")}`);
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, stdio: "inherit" });
  return result.status ?? 1;
}

async function query(url: string, sql: string): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(sql);
    return Array.isArray(result) ? [] : result.rows;
  } finally {
    await client.end();
  }
}

const counts = async (url: string) =>
  JSON.stringify((await query(url, 'SELECT (SELECT count(*) FROM organizations) AS organizations, (SELECT count(*) FROM "User") AS users, (SELECT count(*) FROM books) AS books'))[0]);

const servers: RunningServer[] = [];
const folder = mkdtempSync(join(tmpdir(), "pgferry-demo-"));
try {
  console.log("Starting two embedded PostgreSQL servers (17 = production, 18 = staging)...");
  const [production, staging] = await Promise.all([startEmbeddedServer("17"), startEmbeddedServer("18")]);
  servers.push(production!, staging!);
  console.log("Filling production: organizations, \"User\", books (jsonb, text[], numeric, timestamptz, uuid, bytea), sequences...");
  await query(production!.adminUrl, PRODUCTION_SCHEMA);

  const prodUrl = new URL(production!.adminUrl);
  const stagingUrl = new URL(staging!.adminUrl);
  const env = { DEMO_PROD_PASSWORD: prodUrl.password, DEMO_STAGING_PASSWORD: stagingUrl.password };
  writeFileSync(
    join(folder, "pgferry.yml"),
    `# Secrets come from the environment; pgferry never prints them.
environments:
  production:
    url: postgres://postgres:\${DEMO_PROD_PASSWORD}@127.0.0.1:${prodUrl.port}/postgres
    protected: true          # can never be a sync target
  staging:
    url: postgres://postgres:\${DEMO_STAGING_PASSWORD}@127.0.0.1:${stagingUrl.port}/postgres
defaults:
  from: production
  to: staging
`,
  );
  console.log(`Config written to ${join(folder, "pgferry.yml")}`);

  let code = pgferry(["sync", "--dry-run"], env, folder);
  if (code === 0) code = pgferry(["sync", "--yes"], env, folder);
  if (code === 0) {
    console.log(`\nproduction rows: ${await counts(production!.adminUrl)}`);
    console.log(`staging rows:    ${await counts(staging!.adminUrl)}`);
    console.log("\nAnd the other way round is refused, because production is protected:");
    const refused = pgferry(["sync", "staging", "production", "--yes"], env, folder);
    if (refused === 0) throw new Error("a sync into a protected environment was not refused");
  }
  process.exitCode = code;
} finally {
  await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
  rmSync(folder, { recursive: true, force: true });
  console.log("\nDemo servers stopped and removed.");
}

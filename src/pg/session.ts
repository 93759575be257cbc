/**
 * A small interface over one PostgreSQL connection: queries with bind parameters and COPY
 * streams. Everything else in pgferry talks to the database through it.
 */
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import type { Readable, Writable } from "node:stream";

export type Row = Record<string, unknown>;

export interface CopyOutStream extends Readable {
  readonly rowCount?: number;
}
export interface CopyInStream extends Writable {
  readonly rowCount?: number;
}

export interface SqlSession {
  readonly role: string;
  /** Backend process id, for pg_stat_activity and pg_terminate_backend. */
  readonly pid: number;
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Run a statement through the extended protocol, which rejects multiple statements. */
  querySingle<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Run one data-changing statement (extended protocol: never several); resolves to the number of rows it touched. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
  copyOut(sql: string): CopyOutStream;
  copyIn(sql: string): CopyInStream;
  /** The error that broke the connection while idle, if any. */
  readonly brokenBy: Error | null;
  close(): Promise<void>;
}

/** A PostgreSQL duration setting (lock_timeout, …) from seconds, as a bind-parameter value. */
export function millisecondsSetting(seconds: number): string {
  return `${Math.round(seconds * 1000)}ms`;
}

// int8 and numeric stay strings (exact); counts are cast to float8 or int in the queries.

/** node-postgres honours queryMode (8.9+), which its type definitions do not list. */
function singleStatement(sql: string, params: readonly unknown[]): pg.QueryConfig<unknown[]> {
  const config = { text: sql, values: params as unknown[], queryMode: "extended" as const };
  return config;
}

export function wrapClient(client: pg.Client, role: string, pid: number): SqlSession {
  let brokenBy: Error | null = null;
  client.on("error", (error: Error) => {
    // Keep the first error: the server's reason (e.g. 57P01) comes first, then the driver's
    // own "Connection terminated unexpectedly" when the socket closes.
    brokenBy ??= error;
  });
  return {
    role,
    pid,
    get brokenBy() {
      return brokenBy;
    },
    async query<R extends Row>(sql: string, params: readonly unknown[] = []) {
      // After the server dropped us, say why (e.g. 57P01 terminated) rather than "not queryable".
      if (brokenBy) throw brokenBy;
      const result = await client.query<R>(sql, params as unknown[]);
      return result.rows;
    },
    async querySingle<R extends Row>(sql: string, params: readonly unknown[] = []) {
      if (brokenBy) throw brokenBy;
      // The extended protocol with the unnamed statement: one statement only, nothing left behind
      // on the server (and it works behind PgBouncer in transaction mode).
      const result = await client.query<R>(singleStatement(sql, params));
      return result.rows;
    },
    async execute(sql: string, params: readonly unknown[] = []) {
      if (brokenBy) throw brokenBy;
      const result = await client.query(singleStatement(sql, params));
      return result.rowCount ?? 0;
    },
    copyOut(sql: string) {
      return client.query(copyTo(sql));
    },
    copyIn(sql: string) {
      return client.query(copyFrom(sql));
    },
    async close() {
      await client.end().catch(() => undefined);
    },
  };
}

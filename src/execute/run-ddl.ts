/** Run one planned DDL statement: each of its commands on its own, through the extended protocol. */
import { renderDdlCommands } from "../ddl/render-ddl.js";
import type { DdlStatement } from "../model/ddl-statement.js";
import type { SqlSession } from "../pg/session.js";

export async function runDdl(session: SqlSession, statement: DdlStatement): Promise<void> {
  for (const command of renderDdlCommands(statement)) await session.querySingle(command);
}

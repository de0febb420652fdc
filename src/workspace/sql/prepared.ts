/**
 * Queries kept prepared per workspace (duckdb-engine.ts): tools repeat the same ones (`SELECT 1`
 * checks, dashboards), and parsing and planning are most of a small query's cost.
 */
import type { DuckDBMaterializedResult, DuckDBPreparedStatement } from '@duckdb/node-api';
import type { Workspace } from './catalog.js';

/** The statements run through a kept prepared statement. */
export const QUERIES = new Set(['SELECT', 'WITH', 'VALUES', 'FROM']);
const PREPARED_LIMIT = 64;
/** Statements that change what a name means (a table, a view, a schema). */
export const DDL = new Set(['CREATE', 'DROP', 'ALTER']);

export function forgetPrepared(ws: Workspace): void {
  for (const p of ws.prepared?.values() ?? []) p.destroySync();
  ws.prepared?.clear();
}

/**
 * A query run through a statement prepared once per workspace, current schema and text: parsing and
 * planning are most of a small query's cost. DuckDB binds a prepared statement again when the
 * catalog changed since (a table dropped or recreated), but not when a view it reads was replaced:
 * the engine forgets them all on any DDL (DDL, forgetPrepared).
 */
export async function runPrepared(ws: Workspace, sql: string): Promise<DuckDBMaterializedResult> {
  const cache = (ws.prepared ??= new Map<string, DuckDBPreparedStatement>());
  const key = `${ws.current ?? ''}\n${sql}`;
  let p = cache.get(key);
  if (p) cache.delete(key);
  else {
    p = await ws.conn.prepare(sql);
    if (cache.size >= PREPARED_LIMIT) {
      const [oldest, q] = cache.entries().next().value!;
      cache.delete(oldest);
      q.destroySync();
    }
  }
  cache.set(key, p); // newest last: the least recently used goes first
  return p.run();
}

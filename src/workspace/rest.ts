/**
 * The Statement Execution API on the simulated warehouse. The other workspace REST APIs live in
 * rest/ by concern (identity, tokens, compute, catalog, files); rest/context.ts holds what all
 * handlers share.
 */
import { randomUUID } from 'node:crypto';
import type { Int64 } from '../contract/int64.js';
import { invalidParameter, notFound } from './errors.js';
import { asObject, liveResources, str, type RestHandler } from './rest/context.js';
import { warehouseOf } from './rest/compute.js';
import type { StatementOutcome } from './sql.js';

export type { CallContext, CallResult, RestHandler } from './rest/context.js';

/** Finished statements, for GET /api/2.0/sql/statements/{id}; bounded. */
export class StatementCache {
  private readonly map = new Map<string, { workspace_id: Int64; body: Record<string, unknown> }>();
  constructor(private readonly limit = 1000) {}
  set(id: string, workspace_id: Int64, body: Record<string, unknown>): void {
    if (this.map.size >= this.limit) this.map.delete(this.map.keys().next().value!);
    this.map.set(id, { workspace_id, body });
  }
  get(id: string, workspace_id: Int64): Record<string, unknown> | undefined {
    const e = this.map.get(id);
    return e && e.workspace_id === workspace_id ? e.body : undefined;
  }
}

// ---- SQL statements ----

const WAIT = /^(\d+)s$/;

function statementBody(id: string, o: StatementOutcome): Record<string, unknown> {
  if (o.state === 'FAILED') return { statement_id: id, status: { state: 'FAILED', error: o.error } };
  const rowCount = o.rows.length;
  return {
    statement_id: id,
    status: { state: 'SUCCEEDED' },
    manifest: {
      format: 'JSON_ARRAY',
      schema: { column_count: o.columns.length, columns: o.columns },
      total_chunk_count: rowCount > 0 ? 1 : 0,
      chunks: rowCount > 0 ? [{ chunk_index: 0, row_offset: 0, row_count: rowCount }] : [],
      total_row_count: rowCount,
      truncated: false,
    },
    result: rowCount > 0 ? { chunk_index: 0, row_offset: 0, row_count: rowCount, data_array: o.rows } : { row_count: 0 },
  };
}

export const executeStatement: RestHandler = async (c) => {
  const what = 'execute the statement';
  const b = asObject(c.body, what);
  const warehouseId = str(b, 'warehouse_id', what)!;
  const statement = str(b, 'statement', what)!;
  const catalog = str(b, 'catalog', what, false);
  const schema = str(b, 'schema', what, false);
  const wait = b.wait_timeout;
  if (wait !== undefined) {
    const m = typeof wait === 'string' ? WAIT.exec(wait) : null;
    const n = m ? Number(m[1]) : NaN;
    if (!(n === 0 || (n >= 5 && n <= 50))) throw invalidParameter(`Failed to ${what}: wait_timeout is ${JSON.stringify(wait)}. Expected "0s" or "5s" to "50s".`);
  }
  if (b.disposition !== undefined && b.disposition !== 'INLINE') throw invalidParameter(`Failed to ${what}: disposition ${JSON.stringify(b.disposition)} is not supported by the simulated warehouse. Expected "INLINE".`);
  if (b.format !== undefined && b.format !== 'JSON_ARRAY') throw invalidParameter(`Failed to ${what}: format ${JSON.stringify(b.format)} is not supported by the simulated warehouse. Expected "JSON_ARRAY".`);
  if (Array.isArray(b.parameters) && b.parameters.length > 0) throw invalidParameter(`Failed to ${what}: parameters are not supported by the simulated warehouse. Expected the values inline in the statement.`);
  if (!warehouseOf(c, warehouseId)) throw notFound(`Failed to ${what}: SQL warehouse ${warehouseId} does not exist in workspace ${c.principal.workspace_id}. Expected the warehouse id from http_path or cluster_id of the Connect request.`);
  const ws = c.state.workspaces.find((w) => w.id === c.principal.workspace_id);
  const catalogs = [...new Set([...(ws?.catalogs ?? []), ...liveResources(c.state, c.principal.workspace_id).flatMap((r) => (r.catalog_name ? [r.catalog_name] : []))])];
  const outcome = await c.engine.execute(c.principal.workspace_id, statement, { catalog, schema }, { catalogs });
  const id = `01ef${randomUUID().slice(4)}`;
  const body = statementBody(id, outcome);
  c.statements.set(id, c.principal.workspace_id, body);
  if (outcome.created) {
    const created = outcome.created;
    await c.store.update((s) => {
      const list = (s.sql_tables ??= []).filter((t) => !(t.workspace_id === c.principal.workspace_id && t.name === created.name));
      list.push({ workspace_id: c.principal.workspace_id, name: created.name, columns: created.columns, location: created.location, resources_id: c.principal.resources.id, created_at: c.now.toISOString() });
      s.sql_tables = list;
    });
  }
  return {
    status: 200,
    body,
    kind: outcome.kind,
    ok: outcome.state === 'SUCCEEDED',
    detail: statement,
    table: outcome.created ? { name: outcome.created.name, location: outcome.created.location, managed: outcome.created.managed } : undefined,
    error: outcome.error?.message,
  };
};

export const getStatement: RestHandler = (c) => {
  const id = String(c.req.params.id ?? '');
  const body = c.statements.get(id, c.principal.workspace_id);
  if (!body) throw notFound(`Failed to get statement ${id}: no such statement in this workspace (results are kept for the last 1000 statements). Expected a statement_id from POST /api/2.0/sql/statements.`);
  return { status: 200, body, kind: 'query' };
};

export const cancelStatement: RestHandler = (c) => {
  const id = String(c.req.params.id ?? '');
  if (!c.statements.get(id, c.principal.workspace_id)) throw notFound(`Failed to cancel statement ${id}: no such statement in this workspace. Expected a statement_id from POST /api/2.0/sql/statements.`);
  return { status: 200, body: {}, kind: 'query' };
};

/**
 * The Statement Execution API (POST /api/2.0/sql/statements, GET …/{id}, GET …/{id}/result/chunks/{i},
 * POST …/{id}/cancel) on the simulated warehouse, in the shapes of Databricks' REST API reference:
 * named `parameters`, `row_limit` / `byte_limit` (manifest.truncated), `wait_timeout` with
 * `on_wait_timeout` CONTINUE or CANCEL, INLINE + JSON_ARRAY results split into chunks.
 * EXTERNAL_LINKS, ARROW_STREAM and CSV are refused (see docs/decisions/0010-sql-engine.md).
 *
 * Activity: a statement counts as a query or write when it ends; reading a statement's status,
 * fetching a chunk or cancelling is a read, never a query (P200 judges only finished statements).
 */
import { randomUUID } from 'node:crypto';
import type { Int64 } from '../contract/int64.js';
import { catalogsOfWorkspace, liveResourcesOf } from '../databricks/indexes.js';
import { callerOf, recordActivity } from './activity.js';
import { invalidParameter, notFound, WorkspaceApiError } from './errors.js';
import type { CallContext, CallResult, RestHandler } from './rest/context.js';
import type { SqlParameter, StatementOutcome } from './sql.js';
import { recordTables } from './sql-tables.js';
import { principalName } from './tokens.js';

/** Rows per result chunk (Databricks splits INLINE results into chunks; the size is its choice). */
export const CHUNK_ROWS = 10_000;
const WAIT = /^(\d+)s$/;
const DEFAULT_WAIT_S = 10;

type State_ = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED' | 'CLOSED';

interface Chunk {
  chunk_index: number;
  row_offset: number;
  row_count: number;
  data_array: (string | null)[][];
}

interface Entry {
  workspace_id: Int64;
  state: State_;
  outcome?: StatementOutcome;
  chunks: Chunk[];
  truncated: boolean;
  done: Promise<void>;
}

/** Statements of the last while, for GET …/{id} and chunk fetches; bounded (the oldest go first). */
export class StatementCache {
  private readonly map = new Map<string, Entry>();
  constructor(
    private readonly limit = 1000,
    readonly chunkRows = CHUNK_ROWS,
  ) {}
  set(id: string, entry: Entry): void {
    if (this.map.size >= this.limit) this.map.delete(this.map.keys().next().value!);
    this.map.set(id, entry);
  }
  get(id: string, workspace_id: Int64): Entry | undefined {
    const e = this.map.get(id);
    return e && e.workspace_id === workspace_id ? e : undefined;
  }
}

interface Request_ {
  warehouse_id: string;
  statement: string;
  catalog?: string;
  schema?: string;
  parameters: SqlParameter[];
  row_limit?: number;
  byte_limit?: number;
  wait_s: number;
  on_wait_timeout: 'CONTINUE' | 'CANCEL';
}

const WHAT = 'execute the statement';

function limit(b: Record<string, unknown>, key: string): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw invalidParameter(`Failed to ${WHAT}: ${key} is ${JSON.stringify(v)}. Expected a non-negative integer.`);
  return n;
}

function text(b: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = b[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw invalidParameter(`Failed to ${WHAT}: ${key} is missing. Expected a non-empty string.`);
    return undefined;
  }
  if (typeof v !== 'string')
    throw invalidParameter(`Failed to ${WHAT}: ${key} is ${JSON.stringify(v)}. Expected a string.`);
  return v;
}

function parameters(v: unknown): SqlParameter[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v))
    throw invalidParameter(
      `Failed to ${WHAT}: parameters is ${JSON.stringify(v)}. Expected a list of {name, value, type}.`,
    );
  return v.map((p, i) => {
    const o = (typeof p === 'object' && p !== null ? p : {}) as Record<string, unknown>;
    if (typeof o.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.name))
      throw invalidParameter(
        `Failed to ${WHAT}: parameters[${i}].name is ${JSON.stringify(o.name)}. Expected the name of a :name marker.`,
      );
    if (o.value !== undefined && o.value !== null && typeof o.value !== 'string')
      throw invalidParameter(
        `Failed to ${WHAT}: parameters[${i}].value is ${JSON.stringify(o.value)}. Expected a string (or null).`,
      );
    if (o.type !== undefined && typeof o.type !== 'string')
      throw invalidParameter(
        `Failed to ${WHAT}: parameters[${i}].type is ${JSON.stringify(o.type)}. ` +
          'Expected a SQL type name such as INT or DATE.',
      );
    return { name: o.name, value: (o.value as string | undefined) ?? null, type: o.type as string | undefined };
  });
}

/** The request as the REST API reference documents it; anything else is a 400 naming the field. */
export function parseRequest(body: unknown): Request_ {
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body)))
    throw new WorkspaceApiError(
      'MALFORMED_REQUEST',
      `Failed to ${WHAT}: the body is not a JSON object. Expected a JSON object.`,
    );
  const b = (body ?? {}) as Record<string, unknown>;
  const wait = b.wait_timeout;
  let wait_s = DEFAULT_WAIT_S;
  if (wait !== undefined) {
    const m = typeof wait === 'string' ? WAIT.exec(wait) : null;
    wait_s = m ? Number(m[1]) : NaN;
    if (!(wait_s === 0 || (wait_s >= 5 && wait_s <= 50)))
      throw invalidParameter(
        `Failed to ${WHAT}: wait_timeout is ${JSON.stringify(wait)}. Expected "0s" or "5s" to "50s".`,
      );
  }
  const onWait = b.on_wait_timeout ?? 'CONTINUE';
  if (onWait !== 'CONTINUE' && onWait !== 'CANCEL')
    throw invalidParameter(
      `Failed to ${WHAT}: on_wait_timeout is ${JSON.stringify(onWait)}. Expected "CONTINUE" or "CANCEL".`,
    );
  const disposition = b.disposition ?? 'INLINE';
  if (disposition === 'EXTERNAL_LINKS')
    throw new WorkspaceApiError(
      'NOT_IMPLEMENTED',
      `Failed to ${WHAT}: disposition EXTERNAL_LINKS is not supported by the simulated warehouse ` +
        '(it has no cloud storage to link to). Expected "INLINE".',
    );
  if (disposition !== 'INLINE')
    throw invalidParameter(
      `Failed to ${WHAT}: disposition is ${JSON.stringify(disposition)}. Expected "INLINE" or "EXTERNAL_LINKS".`,
    );
  const format = b.format ?? 'JSON_ARRAY';
  if (format === 'ARROW_STREAM' || format === 'CSV')
    throw invalidParameter(
      `Failed to ${WHAT}: format ${format} is supported only with disposition EXTERNAL_LINKS, ` +
        'which the simulated warehouse does not support. Expected "JSON_ARRAY".',
    );
  if (format !== 'JSON_ARRAY')
    throw invalidParameter(
      `Failed to ${WHAT}: format is ${JSON.stringify(format)}. Expected "JSON_ARRAY", "ARROW_STREAM" or "CSV".`,
    );
  return {
    warehouse_id: text(b, 'warehouse_id', true)!,
    statement: text(b, 'statement', true)!,
    catalog: text(b, 'catalog', false),
    schema: text(b, 'schema', false),
    parameters: parameters(b.parameters),
    row_limit: limit(b, 'row_limit'),
    byte_limit: limit(b, 'byte_limit'),
    wait_s,
    on_wait_timeout: onWait,
  };
}

/** Rows cut to row_limit and byte_limit (bytes as the JSON of the rows), then split into chunks. */
export function chunked(
  rows: (string | null)[][],
  req: Pick<Request_, 'row_limit' | 'byte_limit'>,
  chunkRows: number,
): { chunks: Chunk[]; truncated: boolean } {
  let kept = req.row_limit === undefined ? rows : rows.slice(0, req.row_limit);
  if (req.byte_limit !== undefined) {
    let bytes = 0;
    const n = kept.findIndex((r) => (bytes += Buffer.byteLength(JSON.stringify(r))) > req.byte_limit!);
    if (n >= 0) kept = kept.slice(0, n);
  }
  const chunks: Chunk[] = [];
  for (let off = 0; off < kept.length; off += chunkRows) {
    const data_array = kept.slice(off, off + chunkRows);
    chunks.push({ chunk_index: chunks.length, row_offset: off, row_count: data_array.length, data_array });
  }
  return { chunks, truncated: kept.length < rows.length };
}

function chunkBody(id: string, chunks: Chunk[], i: number): Record<string, unknown> {
  const c = chunks[i]!;
  const next =
    i + 1 < chunks.length
      ? { next_chunk_index: i + 1, next_chunk_internal_link: `/api/2.0/sql/statements/${id}/result/chunks/${i + 1}` }
      : {};
  return {
    chunk_index: c.chunk_index,
    row_offset: c.row_offset,
    row_count: c.row_count,
    data_array: c.data_array,
    ...next,
  };
}

/** The StatementResponse of an entry: status, and once SUCCEEDED the manifest and the first chunk. */
export function statementBody(id: string, e: Entry): Record<string, unknown> {
  const o = e.outcome;
  if (e.state === 'FAILED' && o?.error) {
    return {
      statement_id: id,
      status: {
        state: 'FAILED',
        error: { error_code: o.error.error_code, message: o.error.message },
        sql_state: o.error.sql_state,
      },
    };
  }
  if (e.state !== 'SUCCEEDED' || !o) return { statement_id: id, status: { state: e.state } };
  const total = e.chunks.reduce((n, c) => n + c.row_count, 0);
  return {
    statement_id: id,
    status: { state: 'SUCCEEDED' },
    manifest: {
      format: 'JSON_ARRAY',
      schema: { column_count: o.columns.length, columns: o.columns },
      total_chunk_count: e.chunks.length,
      chunks: e.chunks.map((c) => ({ chunk_index: c.chunk_index, row_offset: c.row_offset, row_count: c.row_count })),
      total_row_count: total,
      truncated: e.truncated,
    },
    result: e.chunks.length > 0 ? chunkBody(id, e.chunks, 0) : { chunk_index: 0, row_offset: 0, row_count: 0 },
  };
}

/** What a finished statement leaves behind: its table (State.sql_tables) and the activity to record. */
async function finish(c: CallContext, req: Request_, o: StatementOutcome): Promise<CallResult> {
  await recordTables(c.store, c.principal, o, c.now);
  return {
    status: 200,
    body: undefined,
    // USE only sets a session's defaults: it is no query.
    kind: o.defaults ? 'read' : o.kind,
    catalogs: o.catalogs,
    ok: o.state === 'SUCCEEDED',
    detail: req.statement,
    table: o.created ? { name: o.created.name, location: o.created.location, managed: o.created.managed } : undefined,
    error: o.error?.message,
  };
}

/** The activity of a statement that ended after its POST was answered. */
async function record(c: CallContext, r: CallResult): Promise<void> {
  await recordActivity(
    c.store,
    {
      ...callerOf(c.principal.resources),
      method: c.req.method,
      path: c.req.path,
      status: 200,
      kind: r.kind,
      auth: c.principal.auth,
      ok: r.ok ?? false,
      detail: r.detail,
      table: r.table,
      catalogs: r.catalogs,
      error: r.error,
    },
    new Date(),
  );
}

export const executeStatement: RestHandler = async (c) => {
  const req = parseRequest(c.body);
  if (!liveResourcesOf(c.state, c.principal.workspace_id).some((r) => r.warehouse?.id === req.warehouse_id)) {
    throw notFound(
      `Failed to ${WHAT}: SQL warehouse ${req.warehouse_id} does not exist in workspace ${c.principal.workspace_id}. ` +
        'Expected the warehouse id from http_path or cluster_id of the Connect request.',
    );
  }
  const catalogs = catalogsOfWorkspace(c.state, c.principal.workspace_id);
  const id = `01ef${randomUUID().slice(4)}`;
  const entry: Entry = {
    workspace_id: c.principal.workspace_id,
    state: 'RUNNING',
    chunks: [],
    truncated: false,
    done: Promise.resolve(),
  };
  let finished: CallResult | undefined;
  entry.done = (async () => {
    const o = await c.engine.execute(
      c.principal.workspace_id,
      req.statement,
      {
        catalog: req.catalog,
        schema: req.schema,
        parameters: req.parameters,
        user: principalName(c.state, c.principal),
        now: c.now,
      },
      { catalogs },
    );
    if ((entry.state as State_) === 'CANCELED') return; // cancelled while running: the result is dropped
    entry.outcome = o;
    if (o.state === 'SUCCEEDED') Object.assign(entry, chunked(o.rows, req, c.statements.chunkRows));
    entry.state = o.state;
    finished = await finish(c, req, o);
  })();
  c.statements.set(id, entry);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>(
    (resolve) => (timer = setTimeout(() => resolve('timeout'), req.wait_s * 1000)),
  );
  const first = req.wait_s === 0 ? 'timeout' : await Promise.race([entry.done.then(() => 'done' as const), timeout]);
  clearTimeout(timer);
  if (first === 'timeout' && finished === undefined) {
    // Accepted, not yet a query: its activity is recorded when it ends.
    void entry.done.then(() => finished && record(c, finished)).catch(() => undefined);
    if (req.on_wait_timeout === 'CANCEL' && req.wait_s > 0) entry.state = 'CANCELED';
    else if (req.wait_s === 0) entry.state = 'PENDING';
    return { status: 200, body: statementBody(id, entry), kind: 'read', detail: `${entry.state}: ${req.statement}` };
  }
  return { ...finished!, body: statementBody(id, entry) };
};

function entryOf(c: CallContext, what: string): [string, Entry] {
  const id = String(c.req.params.id ?? '');
  const e = c.statements.get(id, c.principal.workspace_id);
  if (!e)
    throw notFound(
      `Failed to ${what} ${id}: no such statement in this workspace (the last 1000 statements are kept). ` +
        'Expected a statement_id from POST /api/2.0/sql/statements.',
    );
  return [id, e];
}

export const getStatement: RestHandler = (c) => {
  const [id, e] = entryOf(c, 'get statement');
  if (e.state === 'PENDING') e.state = 'RUNNING';
  return { status: 200, body: statementBody(id, e), kind: 'read' };
};

export const getStatementChunk: RestHandler = (c) => {
  const [id, e] = entryOf(c, 'get a result chunk of statement');
  const raw = String(c.req.params.index ?? '');
  const i = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (e.state !== 'SUCCEEDED')
    throw new WorkspaceApiError(
      'BAD_REQUEST',
      `Failed to get a result chunk of statement ${id}: its state is ${e.state}. Expected a SUCCEEDED statement.`,
    );
  if (!(i >= 0 && i < e.chunks.length))
    throw invalidParameter(
      `Failed to get a result chunk of statement ${id}: chunk_index ${raw} is out of range. ` +
        `Expected 0 to ${e.chunks.length - 1}.`,
    );
  return { status: 200, body: chunkBody(id, e.chunks, i), kind: 'read' };
};

export const cancelStatement: RestHandler = (c) => {
  const [, e] = entryOf(c, 'cancel statement');
  if (e.state === 'PENDING' || e.state === 'RUNNING') e.state = 'CANCELED';
  return { status: 200, body: {}, kind: 'read' };
};

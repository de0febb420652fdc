/**
 * The simulated SQL warehouse on DuckDB (see docs/decisions/0010): one in-memory DuckDB per
 * workspace, one attached in-memory database per catalog, Databricks schemas as DuckDB schemas.
 * DuckDB runs sandboxed: no file system, no extensions, configuration locked, one thread.
 * Statements of one workspace run one at a time (the connection's USE is per statement).
 */
import type { DuckDBInstance, DuckDBMaterializedResult, Json } from '@duckdb/node-api';
import type { Int64 } from '../../contract/int64.js';
import { attach, columnList, physical, schemaList, tableList, use, type Workspace } from './catalog.js';
import { commandOf, insertOverwrite } from './commands.js';
import { type ConstantAnswer, ConstantAnswers, constantKey, copyOutcome, isConstantSelect } from './constants.js';
import { afterAlter, col, done, runCommand, type Outcome } from './ddl.js';
import { databricksType, engineDdlType, render } from './datatypes.js';
import { logicalCatalog, physicalCatalog, quoteIdent, quoteString, translate, type DialectContext } from './dialect.js';
import * as E from './errors.js';
import { PARK_CELLS, ParkingLot, restoreTables } from './park.js';
import { DDL, forgetPrepared, QUERIES, runPrepared } from './prepared.js';
import { refuseSamplesWrite, SAMPLE_TRIPS } from './samples.js';
import { isP, shown, tokenize, up, type Tok } from './tokens.js';
import type {
  ColumnInfo,
  KnownTable,
  SchemaInfo,
  SqlBackend,
  SqlDefaults,
  StatementOutcome,
  TableInfo,
  WorkspaceCatalogs,
} from './types.js';

const SANDBOX = {
  enable_external_access: 'false',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  threads: '1',
  memory_limit: '256MB',
  lock_configuration: 'true',
};

/** Statements Databricks SQL has that the engine runs after translation; anything else is refused. */
const ENGINE_STATEMENTS = new Set([
  'SELECT',
  'WITH',
  'VALUES',
  'FROM',
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'DROP',
  'TRUNCATE',
  'CREATE',
  'ALTER',
  'EXPLAIN',
]);
const WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'DROP', 'TRUNCATE', 'CREATE', 'ALTER', 'COPY']);
type JsonConverter = (typeof import('@duckdb/node-api'))['JsonDuckDBValueConverter'];

/** The rows of a materialized result as JSON values, read chunk by chunk without a round trip each. */
function rowsOf(r: DuckDBMaterializedResult, json: JsonConverter): Json[][] {
  const rows: Json[][] = [];
  for (let i = 0, n = r.chunkCount; i < n; i++) for (const row of r.getChunk(i).convertRows(json)) rows.push(row);
  return rows;
}

/**
 * How many workspaces keep a DuckDB of their own open. Each costs ~2.8 MB of native memory on this machine,
 * and a Connect with the reference partner's core integration opens one in the new workspace: unbounded, a
 * serve grew ~3.4 MB a click (1.2 GB after 300). The least recently used idle one is closed past this, its
 * rows parked first (park.ts); used again, its tables are recreated from State.sql_tables with those rows.
 */
export const LIVE_WORKSPACES = 32;

export class DuckdbBackend implements SqlBackend {
  /** Open workspaces, least recently used first (a Map keeps insertion order; a use moves one to the end). */
  private readonly workspaces = new Map<Int64, Promise<Workspace>>();
  private readonly instances = new WeakMap<Workspace, DuckDBInstance>();
  /** Per workspace: its kept constant answers (constants.ts), and how many runs are queued or running. */
  private readonly constants = new Map<Int64, ConstantAnswers>();
  private readonly inFlight = new Map<Int64, number>();
  /** Closed workspaces' rows (park.ts), until they open again. */
  private readonly parking: ParkingLot;

  private constructor(
    private readonly duckdb: { create(path: string, options: Record<string, string>): Promise<DuckDBInstance> },
    private readonly known: (workspaceId: Int64) => KnownTable[],
    private readonly json: JsonConverter,
    private readonly liveLimit: number,
    parkCells: number,
  ) {
    this.parking = new ParkingLot(parkCells);
  }

  static async create(
    known: (workspaceId: Int64) => KnownTable[],
    liveLimit = LIVE_WORKSPACES,
    parkCells = PARK_CELLS,
  ): Promise<DuckdbBackend> {
    const { DuckDBInstance, JsonDuckDBValueConverter } = await import('@duckdb/node-api');
    const create = (path: string, options: Record<string, string>) => DuckDBInstance.create(path, options);
    return new DuckdbBackend({ create }, known, JsonDuckDBValueConverter, liveLimit, parkCells);
  }

  /** Resolves once every workspace being closed is (its rows parked, its DuckDB closed). */
  settled(): Promise<void> {
    return this.parking.settled();
  }

  /** How many workspaces have a DuckDB open now. */
  get liveWorkspaces(): number {
    return this.workspaces.size;
  }

  private workspace(workspaceId: Int64): Promise<Workspace> {
    let w = this.workspaces.get(workspaceId);
    if (w) {
      this.workspaces.delete(workspaceId);
      this.workspaces.set(workspaceId, w);
    } else {
      const left = this.parking.take(workspaceId);
      w = (async () => {
        const parked = await left;
        if (parked && 'keepOpen' in parked) return parked.workspace; // too much to park: it never closed
        const instance = await this.duckdb.create(':memory:', SANDBOX);
        const ws: Workspace = {
          conn: await instance.connect(),
          attached: new Set(),
          tables: new Map(),
          queue: Promise.resolve(),
        };
        await attach(ws, 'samples');
        await ws.conn.run(`CREATE SCHEMA pc_samples.nyctaxi`);
        const columns = SAMPLE_TRIPS.columns.map((c) => `${quoteIdent(c.name)} ${engineDdlType(c.type)}`);
        await ws.conn.run(`CREATE TABLE pc_samples.nyctaxi.trips (${columns.join(', ')})`);
        const values = SAMPLE_TRIPS.rows.map(
          (r) => `(${r.map((v) => (typeof v === 'number' ? String(v) : quoteString(v))).join(', ')})`,
        );
        await ws.conn.run(`INSERT INTO pc_samples.nyctaxi.trips VALUES ${values.join(', ')}`);
        for (const t of this.known(workspaceId)) await this.recreate(ws, t).catch(() => undefined);
        if (parked) await restoreTables(ws, parked.tables, parked.views);
        this.instances.set(ws, instance);
        return ws;
      })();
      this.workspaces.set(workspaceId, w);
      // A DuckDB that failed to open is not kept: the next statement tries again.
      w.catch(() => this.workspaces.get(workspaceId) === w && this.workspaces.delete(workspaceId));
    }
    return w;
  }

  /**
   * Closes the least recently used workspaces past the limit that nothing is queued on or running in
   * (counted by serial() from its call, so one being opened or waited for is never closed). If all
   * are busy, more stay open until they are not.
   */
  private closeIdle(): void {
    let over = this.workspaces.size - this.liveLimit;
    for (const [id, w] of this.workspaces) {
      if (over <= 0) return;
      if (this.inFlight.get(id)) continue;
      this.workspaces.delete(id);
      this.constants.delete(id);
      this.inFlight.delete(id);
      over--;
      this.parking.park(id, w, (ws) => this.close(ws));
    }
  }

  private close(ws: Workspace): void {
    try {
      forgetPrepared(ws);
      ws.conn.closeSync();
      this.instances.get(ws)?.closeSync();
    } catch {
      // already closed, or closing failed: nothing uses it any more either way
    }
  }

  /** A table of an earlier run, recreated empty (its catalog attached, its schema created). */
  private async recreate(ws: Workspace, t: KnownTable): Promise<void> {
    const [catalog, schema, table] = t.name.split('.') as [string, string, string];
    await attach(ws, catalog);
    await ws.conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(physicalCatalog(catalog))}.${quoteIdent(schema)}`);
    const cols = t.columns.map((c) => `${quoteIdent(c.name)} ${engineDdlType(c.type)}`).join(', ');
    await ws.conn.run(`CREATE TABLE IF NOT EXISTS ${physical([catalog, schema, table])} (${cols})`);
    ws.tables.set(t.name, { location: t.location, declared: t.columns });
  }

  /**
   * Runs `fn` after the workspace's earlier statements (one connection, USE per statement). Any run
   * but that of a constant query may change what a constant query answers: the kept answers go.
   */
  private async serial<T>(
    workspaceId: Int64,
    catalogs: WorkspaceCatalogs,
    fn: (ws: Workspace) => Promise<T>,
    constant = false,
  ): Promise<T> {
    // Counted from the call, before any await: a constant query arriving next must queue behind this one.
    this.inFlight.set(workspaceId, (this.inFlight.get(workspaceId) ?? 0) + 1);
    try {
      const ws = await this.workspace(workspaceId);
      const run = ws.queue.then(async () => {
        if (!constant) this.constants.get(workspaceId)?.clear();
        for (const c of catalogs.catalogs) await attach(ws, c.toLowerCase());
        return fn(ws);
      });
      ws.queue = run.catch(() => undefined);
      return await run;
    } finally {
      this.inFlight.set(workspaceId, this.inFlight.get(workspaceId)! - 1);
      if (this.workspaces.size > this.liveLimit) this.closeIdle();
    }
  }

  /** The engine's kept answer to a constant query, when it would give the same one now (constants.ts). */
  private keptAnswer(workspaceId: Int64, key: string): ConstantAnswer | undefined {
    return this.inFlight.get(workspaceId) ? undefined : this.constants.get(workspaceId)?.get(key);
  }

  async execute(
    workspaceId: Int64,
    statement: string,
    defaults: SqlDefaults,
    catalogs: WorkspaceCatalogs,
  ): Promise<StatementOutcome> {
    let kind: StatementOutcome['kind'] = 'query';
    const names = new Set([...catalogs.catalogs.map((c) => c.toLowerCase()), 'samples']);
    const catalog = (
      defaults.catalog ??
      catalogs.catalogs.find((c) => c !== 'hive_metastore') ??
      'hive_metastore'
    ).toLowerCase();
    const schema = (defaults.schema ?? 'default').toLowerCase();
    try {
      const toks = tokenize(statement, defaults.ordinal === true);
      while (isP(toks.at(-1), ';')) toks.pop();
      if (toks.length === 0) throw E.emptyStatement();
      const semi = toks.findIndex((t) => isP(t, ';'));
      if (semi >= 0)
        throw E.parseError(shown(toks[semi + 1]), 'the Statement Execution API runs one statement at a time');
      const first = up(toks[0]) ?? '';
      kind = WRITES.has(first) ? 'write' : 'query';
      if (!names.has(catalog)) throw E.catalogNotFound(catalog);
      const ctx: DialectContext = {
        catalog,
        schema,
        catalogs: names,
        parameters: defaults.parameters,
        user: defaults.user,
        now: defaults.now ?? new Date(),
        used: new Set(),
      };
      const key = isConstantSelect(toks) ? constantKey(`${catalog}.${schema}`, names, statement) : undefined;
      const kept = key === undefined ? undefined : this.keptAnswer(workspaceId, key);
      if (kept) return { ...copyOutcome(kept.outcome), kind, catalogs: kept.used.length ? [...kept.used] : [catalog] };
      const outcome = await this.serial(
        workspaceId,
        catalogs,
        async (ws) => {
          // A kept prepared query does not see a view replaced since (DuckDB keeps its first binding): any
          // change to what names mean drops them all. DDL is rare beside the queries they serve.
          if (DDL.has(first)) forgetPrepared(ws);
          const command = commandOf(toks);
          if (command) return runCommand(ws, command, ctx);
          if (!ENGINE_STATEMENTS.has(first) && !isP(toks[0], '(')) throw E.parseError(shown(toks[0]));
          refuseSamplesWrite(toks, ctx, WRITES);
          const overwrite = insertOverwrite(toks);
          const out = overwrite
            ? await this.overwrite(ws, overwrite, ctx)
            : await this.run(ws, translate(toks, ctx), ctx, first);
          if (first === 'ALTER') Object.assign(out, await afterAlter(ws, toks, ctx));
          if (key !== undefined) {
            const answers = this.constants.get(workspaceId) ?? new ConstantAnswers();
            this.constants.set(workspaceId, answers);
            answers.set(key, { outcome: copyOutcome(out), used: [...ctx.used!].sort() });
          }
          return out;
        },
        key !== undefined,
      );
      return { ...outcome, kind, catalogs: ctx.used!.size ? [...ctx.used!].sort() : [catalog] };
    } catch (err) {
      const e = err instanceof E.SqlError ? err : E.fromEngine(err, (n) => this.logical(n, catalog, schema));
      return {
        state: 'FAILED',
        error: { error_code: e.error_code, message: e.message, sql_state: e.sql_state },
        columns: [],
        rows: [],
        kind,
      };
    }
  }

  /** An engine's name in an error as the Databricks name: `t` → `main`.`default`.`t`. */
  private logical(name: string, catalog: string, schema: string): string {
    const parts = name.split('.');
    if (parts.length === 1 && parts[0]!.startsWith('pc_')) return logicalCatalog(parts[0]!);
    if (parts.length >= 3) return [logicalCatalog(parts[0]!), ...parts.slice(1)].join('.');
    return [catalog, ...(parts.length === 1 ? [schema] : []), ...parts].join('.');
  }

  /** INSERT OVERWRITE: the table emptied and refilled in one transaction (all or nothing, as Delta's is). */
  private async overwrite(ws: Workspace, o: { target: Tok[]; insert: Tok[] }, ctx: DialectContext): Promise<Outcome> {
    await ws.conn.run('BEGIN TRANSACTION');
    try {
      await ws.conn.run(`DELETE FROM ${translate(o.target, ctx)}`);
      const out = await this.run(ws, translate(o.insert, ctx), ctx, 'INSERT');
      await ws.conn.run('COMMIT');
      return out;
    } catch (err) {
      await ws.conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  private async run(ws: Workspace, sql: string, ctx: DialectContext, first: string): Promise<Outcome> {
    await use(ws, ctx);
    const r = QUERIES.has(first) ? await runPrepared(ws, sql) : await ws.conn.run(sql);
    const names = r.columnNames();
    const types = r.columnTypes().map((t) => databricksType(String(t)));
    const data = rowsOf(r, this.json) as unknown[][];
    if (['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(first)) {
      const n = String(data[0]?.[0] ?? 0);
      if (first === 'INSERT')
        return done([col('num_affected_rows', 'BIGINT', 0), col('num_inserted_rows', 'BIGINT', 1)], [[n, n]]);
      return done([col('num_affected_rows', 'BIGINT', 0)], [[n]]);
    }
    if (['CREATE', 'DROP', 'ALTER', 'TRUNCATE'].includes(first)) return done([], []);
    const columns = names.map((name, position) => ({ name, position, ...types[position]! }));
    return done(
      columns,
      data.map((row) => row.map((v, k) => render(v, types[k]!))),
    );
  }

  async listCatalogs(_workspaceId: Int64, catalogs: WorkspaceCatalogs): Promise<string[]> {
    return [...new Set([...catalogs.catalogs.map((c) => c.toLowerCase()), 'samples'])];
  }

  async listSchemas(workspaceId: Int64, catalogs: WorkspaceCatalogs, catalog: string): Promise<SchemaInfo[]> {
    const cat = catalog.toLowerCase();
    if (!(await this.listCatalogs(workspaceId, catalogs)).includes(cat)) return [];
    return this.serial(workspaceId, catalogs, async (ws) =>
      (await schemaList(ws, cat)).map((name) => ({ catalog: cat, name })),
    );
  }

  async listTables(
    workspaceId: Int64,
    catalogs: WorkspaceCatalogs,
    catalog: string,
    schema?: string,
  ): Promise<TableInfo[]> {
    const cat = catalog.toLowerCase();
    if (!(await this.listCatalogs(workspaceId, catalogs)).includes(cat)) return [];
    return this.serial(workspaceId, catalogs, (ws) => tableList(ws, cat, schema?.toLowerCase()));
  }

  async listColumns(
    workspaceId: Int64,
    catalogs: WorkspaceCatalogs,
    catalog: string,
    schema: string,
    table: string,
  ): Promise<ColumnInfo[] | undefined> {
    const cat = catalog.toLowerCase();
    if (!(await this.listCatalogs(workspaceId, catalogs)).includes(cat)) return undefined;
    return this.serial(workspaceId, catalogs, (ws) => columnList(ws, cat, schema.toLowerCase(), table.toLowerCase()));
  }
}

/**
 * The simulated SQL warehouse on DuckDB (see docs/decisions/0010): one in-memory DuckDB per
 * workspace, one attached in-memory database per catalog, Databricks schemas as DuckDB schemas.
 * DuckDB runs sandboxed: no file system, no extensions, configuration locked, one thread.
 * Statements of one workspace run one at a time (the connection's USE is per statement).
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Int64 } from '../../contract/int64.js';
import { commandOf, engineDdlType, type Command } from './commands.js';
import { databricksType, render } from './datatypes.js';
import { logicalCatalog, physicalCatalog, quoteIdent, quoteString, translate, type DialectContext } from './dialect.js';
import * as E from './errors.js';
import { SAMPLE_TRIPS } from './samples.js';
import { isP, shown, tokenize, up, type Tok } from './tokens.js';
import type { ColumnInfo, KnownTable, SchemaInfo, SqlBackend, SqlColumn, SqlDefaults, StatementOutcome, TableInfo, WorkspaceCatalogs } from './types.js';

type Outcome = Omit<StatementOutcome, 'kind'>;

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
const ENGINE_STATEMENTS = new Set(['SELECT', 'WITH', 'VALUES', 'FROM', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'DROP', 'TRUNCATE', 'CREATE', 'ALTER', 'EXPLAIN']);
const WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'DROP', 'TRUNCATE', 'CREATE', 'ALTER', 'COPY']);

interface Workspace {
  conn: DuckDBConnection;
  attached: Set<string>;
  /** catalog.schema.table → LOCATION (external tables) and the declared Databricks column types. */
  tables: Map<string, { location?: string; declared?: { name: string; type: string }[] }>;
  queue: Promise<unknown>;
}

const col = (name: string, type: string, position: number): SqlColumn => ({ name, position, ...databricksType(type) });
const done = (columns: SqlColumn[], rows: (string | null)[][]): Outcome => ({ state: 'SUCCEEDED', columns, rows });
const likeMatch = (pattern: string | undefined) => {
  if (pattern === undefined) return () => true;
  const re = new RegExp(`^(${pattern.split('|').map((p) => p.trim().replace(/[.+?^${}()[\]\\]/g, '\\$&').replace(/\*/g, '.*')).join('|')})$`, 'i');
  return (s: string) => re.test(s);
};

export class DuckdbBackend implements SqlBackend {
  private readonly workspaces = new Map<Int64, Promise<Workspace>>();

  private constructor(
    private readonly duckdb: { create(path: string, options: Record<string, string>): Promise<DuckDBInstance> },
    private readonly known: (workspaceId: Int64) => KnownTable[],
  ) {}

  static async create(known: (workspaceId: Int64) => KnownTable[]): Promise<DuckdbBackend> {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    return new DuckdbBackend({ create: (path, options) => DuckDBInstance.create(path, options) }, known);
  }

  private workspace(workspaceId: Int64): Promise<Workspace> {
    let w = this.workspaces.get(workspaceId);
    if (!w) {
      w = (async () => {
        const instance = await this.duckdb.create(':memory:', SANDBOX);
        const ws: Workspace = { conn: await instance.connect(), attached: new Set(), tables: new Map(), queue: Promise.resolve() };
        await this.attach(ws, 'samples');
        await ws.conn.run(`CREATE SCHEMA pc_samples.nyctaxi`);
        await ws.conn.run(`CREATE TABLE pc_samples.nyctaxi.trips (${SAMPLE_TRIPS.columns.map((c) => `${quoteIdent(c.name)} ${engineDdlType(c.type)}`).join(', ')})`);
        const values = SAMPLE_TRIPS.rows.map((r) => `(${r.map((v) => (typeof v === 'number' ? String(v) : quoteString(v))).join(', ')})`);
        await ws.conn.run(`INSERT INTO pc_samples.nyctaxi.trips VALUES ${values.join(', ')}`);
        for (const t of this.known(workspaceId)) await this.recreate(ws, t).catch(() => undefined);
        return ws;
      })();
      this.workspaces.set(workspaceId, w);
    }
    return w;
  }

  /** A table of an earlier run, recreated empty (its catalog attached, its schema created). */
  private async recreate(ws: Workspace, t: KnownTable): Promise<void> {
    const [catalog, schema, table] = t.name.split('.') as [string, string, string];
    await this.attach(ws, catalog);
    await ws.conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(physicalCatalog(catalog))}.${quoteIdent(schema)}`);
    const cols = t.columns.map((c) => `${quoteIdent(c.name)} ${engineDdlType(c.type)}`).join(', ');
    await ws.conn.run(`CREATE TABLE IF NOT EXISTS ${this.physical([catalog, schema, table])} (${cols})`);
    ws.tables.set(t.name, { location: t.location, declared: t.columns });
  }

  private async attach(ws: Workspace, catalog: string): Promise<void> {
    if (ws.attached.has(catalog)) return;
    await ws.conn.run(`ATTACH ':memory:' AS ${quoteIdent(physicalCatalog(catalog))}`);
    await ws.conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(physicalCatalog(catalog))}."default"`);
    ws.attached.add(catalog);
  }

  private physical(parts: string[]): string {
    return [physicalCatalog(parts[0]!), ...parts.slice(1)].map(quoteIdent).join('.');
  }

  /** Runs `fn` after the workspace's earlier statements (one connection, USE per statement). */
  private async serial<T>(workspaceId: Int64, catalogs: WorkspaceCatalogs, fn: (ws: Workspace) => Promise<T>): Promise<T> {
    const ws = await this.workspace(workspaceId);
    const run = ws.queue.then(async () => {
      for (const c of catalogs.catalogs) await this.attach(ws, c.toLowerCase());
      return fn(ws);
    });
    ws.queue = run.catch(() => undefined);
    return run;
  }

  async execute(workspaceId: Int64, statement: string, defaults: SqlDefaults, catalogs: WorkspaceCatalogs): Promise<StatementOutcome> {
    let kind: StatementOutcome['kind'] = 'query';
    const names = new Set([...catalogs.catalogs.map((c) => c.toLowerCase()), 'samples']);
    const catalog = (defaults.catalog ?? catalogs.catalogs.find((c) => c !== 'hive_metastore') ?? 'hive_metastore').toLowerCase();
    const schema = (defaults.schema ?? 'default').toLowerCase();
    try {
      const toks = tokenize(statement);
      while (isP(toks.at(-1), ';')) toks.pop();
      if (toks.length === 0) throw E.emptyStatement();
      const semi = toks.findIndex((t) => isP(t, ';'));
      if (semi >= 0) throw E.parseError(shown(toks[semi + 1]), 'the Statement Execution API runs one statement at a time');
      const first = up(toks[0]) ?? '';
      kind = WRITES.has(first) ? 'write' : first === 'USE' ? 'session' : 'query';
      if (!names.has(catalog)) throw E.catalogNotFound(catalog);
      const ctx: DialectContext = { catalog, schema, catalogs: names, parameters: defaults.parameters, used: new Set() };
      const outcome = await this.serial(workspaceId, catalogs, async (ws) => {
        const command = commandOf(toks);
        if (command) return this.command(ws, command, ctx);
        if (!ENGINE_STATEMENTS.has(first) && !isP(toks[0], '(')) throw E.parseError(shown(toks[0]));
        this.refuseSamplesWrite(toks, ctx);
        return this.run(ws, translate(toks, ctx), ctx, first);
      });
      return { ...outcome, kind, catalogs: ctx.used!.size ? [...ctx.used!].sort() : [catalog] };
    } catch (err) {
      const e = err instanceof E.SqlError ? err : E.fromEngine(err, (n) => this.logical(n, catalog, schema));
      return { state: 'FAILED', error: { error_code: e.error_code, message: e.message, sql_state: e.sql_state }, columns: [], rows: [], kind };
    }
  }

  /** An engine's name in an error as the Databricks name: `t` → `main`.`default`.`t`. */
  private logical(name: string, catalog: string, schema: string): string {
    const parts = name.split('.');
    if (parts.length === 1 && parts[0]!.startsWith('pc_')) return logicalCatalog(parts[0]!);
    if (parts.length >= 3) return [logicalCatalog(parts[0]!), ...parts.slice(1)].join('.');
    return [catalog, ...(parts.length === 1 ? [schema] : []), ...parts].join('.');
  }

  /** The samples catalog is read-only: a write naming it is refused before it runs. */
  private refuseSamplesWrite(toks: Tok[], ctx: DialectContext): void {
    if (!WRITES.has(up(toks[0]) ?? '')) return;
    const target = toks.findIndex((t, k) => k > 0 && k < 6 && (t.t === 'word' || t.t === 'ident') && !['INTO', 'TABLE', 'FROM', 'OR', 'REPLACE', 'IF', 'EXISTS', 'NOT', 'VIEW', 'TEMPORARY', 'TEMP'].includes(up(t) ?? ''));
    const named = target > 0 && isP(toks[target + 1], '.') && isP(toks[target + 3], '.') ? toks[target]!.v.toLowerCase() : ctx.catalog;
    if (named === 'samples') throw E.readOnlyCatalog('samples');
  }

  private async use(ws: Workspace, ctx: DialectContext): Promise<void> {
    const phys = quoteIdent(physicalCatalog(ctx.catalog));
    const found = await ws.conn.runAndReadAll(`SELECT 1 FROM information_schema.schemata WHERE catalog_name = ${quoteString(physicalCatalog(ctx.catalog))} AND schema_name = ${quoteString(ctx.schema)}`);
    if (found.currentRowCount === 0) throw E.schemaNotFound(`${ctx.catalog}.${ctx.schema}`);
    await ws.conn.run(`USE ${phys}.${quoteIdent(ctx.schema)}`);
  }

  private async run(ws: Workspace, sql: string, ctx: DialectContext, first: string): Promise<Outcome> {
    await this.use(ws, ctx);
    const r = await ws.conn.runAndReadAll(sql);
    const names = r.columnNames();
    const types = r.columnTypes().map((t) => databricksType(String(t)));
    const data = r.getRowsJson() as unknown[][];
    if (['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(first)) {
      const n = String(data[0]?.[0] ?? 0);
      if (first === 'INSERT') return done([col('num_affected_rows', 'BIGINT', 0), col('num_inserted_rows', 'BIGINT', 1)], [[n, n]]);
      return done([col('num_affected_rows', 'BIGINT', 0)], [[n]]);
    }
    if (['CREATE', 'DROP', 'ALTER', 'TRUNCATE'].includes(first)) return done([], []);
    const columns = names.map((name, position) => ({ name, position, ...types[position]! }));
    return done(columns, data.map((row) => row.map((v, k) => render(v, types[k]!))));
  }

  private async command(ws: Workspace, c: Command, ctx: DialectContext): Promise<Outcome> {
    const known = (cat: string) => {
      if (!ctx.catalogs.has(cat)) throw E.catalogNotFound(cat);
      ctx.used!.add(cat);
      return cat;
    };
    const schemaOf = (parts: string[]) => (parts.length === 2 ? [known(parts[0]!), parts[1]!] : [ctx.catalog, parts[0] ?? ctx.schema]) as [string, string];
    const tableOf = (parts: string[]) => {
      const full = (parts.length === 3 ? parts : parts.length === 2 ? [ctx.catalog, ...parts] : [ctx.catalog, ctx.schema, ...parts]) as [string, string, string];
      if (ctx.catalogs.has(full[0])) ctx.used!.add(full[0]);
      return full;
    };
    switch (c.k) {
      case 'use': {
        const catalog = c.catalog === undefined ? ctx.catalog : known(c.catalog);
        const schema = c.schema ?? (c.catalog === undefined ? ctx.schema : 'default');
        if (c.schema !== undefined && !(await this.schemaExists(ws, catalog, c.schema))) throw E.schemaNotFound(`${catalog}.${c.schema}`);
        return { ...done([], []), defaults: { catalog, schema } };
      }
      case 'showCatalogs':
        return done([col('catalog', 'VARCHAR', 0)], [...ctx.catalogs].filter(likeMatch(c.like)).map((n) => [n]));
      case 'showSchemas': {
        const catalog = c.catalog === undefined ? ctx.catalog : known(c.catalog);
        const schemas = (await this.schemaList(ws, catalog)).filter(likeMatch(c.like));
        return done([col('databaseName', 'VARCHAR', 0)], schemas.map((s) => [s]));
      }
      case 'showTables': {
        const [catalog, schema] = c.schema.length ? schemaOf(c.schema) : [ctx.catalog, ctx.schema];
        if (!(await this.schemaExists(ws, catalog, schema))) throw E.schemaNotFound(`${catalog}.${schema}`);
        const tables = (await this.tableList(ws, catalog, schema)).map((t) => t.name).filter(likeMatch(c.like));
        return done([col('database', 'VARCHAR', 0), col('tableName', 'VARCHAR', 1), col('isTemporary', 'BOOLEAN', 2)], tables.map((t) => [schema, t, 'false']));
      }
      case 'describe': {
        const [catalog, schema, table] = tableOf(c.name);
        const cols = await this.columnList(ws, catalog, schema, table);
        if (!cols) throw E.tableNotFound(`${catalog}.${schema}.${table}`);
        return done([col('col_name', 'VARCHAR', 0), col('data_type', 'VARCHAR', 1), col('comment', 'VARCHAR', 2)], cols.map((x) => [x.name, x.type_text, null]));
      }
      case 'createSchema': {
        const [catalog, schema] = schemaOf(c.name);
        if (catalog === 'samples') throw E.readOnlyCatalog('samples');
        if (await this.schemaExists(ws, catalog, schema)) {
          if (c.ifNotExists) return done([], []);
          throw E.schemaExists(`${catalog}.${schema}`);
        }
        await ws.conn.run(`CREATE SCHEMA ${quoteIdent(physicalCatalog(catalog))}.${quoteIdent(schema)}`);
        return done([], []);
      }
      case 'dropSchema': {
        const [catalog, schema] = schemaOf(c.name);
        if (catalog === 'samples') throw E.readOnlyCatalog('samples');
        if (!(await this.schemaExists(ws, catalog, schema))) {
          if (c.ifExists) return done([], []);
          throw E.schemaNotFound(`${catalog}.${schema}`);
        }
        await ws.conn.run(`DROP SCHEMA ${quoteIdent(physicalCatalog(catalog))}.${quoteIdent(schema)}${c.cascade ? ' CASCADE' : ''}`);
        return done([], []);
      }
      case 'createTable':
        return this.createTable(ws, c, tableOf(c.name), ctx);
      case 'copyInto': {
        // The simulated cloud storage holds no files: COPY INTO loads none, as Databricks does for an empty source.
        const [catalog, schema, table] = tableOf(c.name);
        if (catalog === 'samples') throw E.readOnlyCatalog('samples');
        if (!(await this.columnList(ws, catalog, schema, table))) throw E.tableNotFound(`${catalog}.${schema}.${table}`);
        return done([col('num_affected_rows', 'BIGINT', 0), col('num_inserted_rows', 'BIGINT', 1)], [['0', '0']]);
      }
    }
  }

  private async createTable(ws: Workspace, c: Extract<Command, { k: 'createTable' }>, full: [string, string, string], ctx: DialectContext): Promise<Outcome> {
    const [catalog, schema] = full;
    if (catalog === 'samples') throw E.readOnlyCatalog('samples');
    if (!ctx.catalogs.has(catalog)) throw E.catalogNotFound(catalog);
    if (!(await this.schemaExists(ws, catalog, schema))) throw E.schemaNotFound(`${catalog}.${schema}`);
    const name = full.join('.');
    const exists = (await this.columnList(ws, ...full)) !== undefined;
    if (exists && c.ifNotExists) return done([], []);
    if (exists && !c.replace) throw E.tableExists(name);
    await this.use(ws, ctx);
    const target = this.physical(full);
    const verb = c.replace ? 'CREATE OR REPLACE TABLE' : 'CREATE TABLE';
    if (c.query) {
      const query = translate(c.query, ctx);
      if (c.columns) {
        await ws.conn.run(`${verb} ${target} (${c.columns.map((x) => `${quoteIdent(x.name)} ${engineDdlType(x.type)}`).join(', ')})`);
        await ws.conn.run(`INSERT INTO ${target} ${query}`);
      } else await ws.conn.run(`${verb} ${target} AS ${query}`);
    } else await ws.conn.run(`${verb} ${target} (${c.columns!.map((x) => `${quoteIdent(x.name)} ${engineDdlType(x.type)}`).join(', ')})`);
    const columns = c.columns ?? (await this.columnList(ws, ...full))!.map((x) => ({ name: x.name, type: x.type_text.toUpperCase() }));
    ws.tables.set(name, { location: c.location, declared: c.columns });
    return { ...done([], []), created: { name, columns, location: c.location, managed: c.location === undefined } };
  }

  // ---- metadata ----

  private async schemaList(ws: Workspace, catalog: string): Promise<string[]> {
    const r = await ws.conn.runAndReadAll(`SELECT schema_name FROM information_schema.schemata WHERE catalog_name = ${quoteString(physicalCatalog(catalog))} AND schema_name NOT IN ('main', 'pg_catalog', 'information_schema') ORDER BY schema_name`);
    const names = (r.getRowsJson() as string[][]).map((x) => x[0]!);
    return catalog === 'hive_metastore' || catalog === 'samples' ? names : [...names, 'information_schema'].sort();
  }

  private async schemaExists(ws: Workspace, catalog: string, schema: string): Promise<boolean> {
    return (await this.schemaList(ws, catalog)).includes(schema);
  }

  private async tableList(ws: Workspace, catalog: string, schema?: string): Promise<TableInfo[]> {
    const where = `table_catalog = ${quoteString(physicalCatalog(catalog))} AND table_schema NOT IN ('main', 'pg_catalog')${schema === undefined ? '' : ` AND table_schema = ${quoteString(schema)}`}`;
    const r = await ws.conn.runAndReadAll(`SELECT table_schema, table_name, table_type FROM information_schema.tables WHERE ${where} ORDER BY table_schema, table_name`);
    const out: TableInfo[] = [];
    for (const [s, name, type] of r.getRowsJson() as string[][]) {
      const meta = ws.tables.get(`${catalog}.${s}.${name}`);
      const columns = (await this.columnList(ws, catalog, s!, name!)) ?? [];
      out.push({ catalog, schema: s!, name: name!, table_type: type === 'VIEW' ? 'VIEW' : meta?.location ? 'EXTERNAL' : 'MANAGED', location: meta?.location, columns });
    }
    return out;
  }

  private async columnList(ws: Workspace, catalog: string, schema: string, table: string): Promise<ColumnInfo[] | undefined> {
    const r = await ws.conn.runAndReadAll(`SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_catalog = ${quoteString(physicalCatalog(catalog))} AND table_schema = ${quoteString(schema)} AND table_name = ${quoteString(table)} ORDER BY ordinal_position`);
    const rows = r.getRowsJson() as string[][];
    if (rows.length === 0) return undefined;
    return rows.map(([name, type, nullable], position) => ({ name: name!, position, nullable: nullable === 'YES', ...databricksType(type!) }));
  }

  async listCatalogs(_workspaceId: Int64, catalogs: WorkspaceCatalogs): Promise<string[]> {
    return [...new Set([...catalogs.catalogs.map((c) => c.toLowerCase()), 'samples'])];
  }

  async listSchemas(workspaceId: Int64, catalogs: WorkspaceCatalogs, catalog: string): Promise<SchemaInfo[]> {
    const cat = catalog.toLowerCase();
    if (!(await this.listCatalogs(workspaceId, catalogs)).includes(cat)) return [];
    return this.serial(workspaceId, catalogs, async (ws) => (await this.schemaList(ws, cat)).map((name) => ({ catalog: cat, name })));
  }

  async listTables(workspaceId: Int64, catalogs: WorkspaceCatalogs, catalog: string, schema?: string): Promise<TableInfo[]> {
    const cat = catalog.toLowerCase();
    if (!(await this.listCatalogs(workspaceId, catalogs)).includes(cat)) return [];
    return this.serial(workspaceId, catalogs, (ws) => this.tableList(ws, cat, schema?.toLowerCase()));
  }

  async listColumns(workspaceId: Int64, catalogs: WorkspaceCatalogs, catalog: string, schema: string, table: string): Promise<ColumnInfo[] | undefined> {
    const cat = catalog.toLowerCase();
    if (!(await this.listCatalogs(workspaceId, catalogs)).includes(cat)) return undefined;
    return this.serial(workspaceId, catalogs, (ws) => this.columnList(ws, cat, schema.toLowerCase(), table.toLowerCase()));
  }
}

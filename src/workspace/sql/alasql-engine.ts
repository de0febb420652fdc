/**
 * The simulated SQL warehouse: Databricks SQL statements executed in process by alasql, one
 * alasql database per workspace. Databricks' three-level names (catalog.schema.table) become one
 * alasql table `catalog__schema__table`; CREATE TABLE is parsed here (USING, LOCATION, COMMENT,
 * TBLPROPERTIES, PARTITIONED BY… are Databricks-only), the rest goes to alasql.
 *
 * Safety: alasql can read and write files and run JavaScript (``js``, ->, @vars, CSV()…). The
 * statement is tokenised first and anything outside plain SQL is refused as a syntax error,
 * so a partner's statement can only touch its own in-memory tables.
 */
import alasql from 'alasql';
import type { Int64 } from '../../contract/int64.js';

import type { ColumnInfo, KnownTable, SchemaInfo, SqlBackend, SqlColumn, SqlDefaults, StatementOutcome, TableInfo, WorkspaceCatalogs } from './types.js';

export const SAMPLE_TRIPS = {
  name: 'samples.nyctaxi.trips',
  columns: [
    { name: 'tpep_pickup_datetime', type: 'TIMESTAMP' },
    { name: 'tpep_dropoff_datetime', type: 'TIMESTAMP' },
    { name: 'trip_distance', type: 'DOUBLE' },
    { name: 'fare_amount', type: 'DOUBLE' },
    { name: 'pickup_zip', type: 'INT' },
    { name: 'dropoff_zip', type: 'INT' },
  ],
  rows: [
    ['2016-02-13T21:47:53.000Z', '2016-02-13T21:57:15.000Z', 1.4, 8.0, 10103, 10110],
    ['2016-02-13T18:29:09.000Z', '2016-02-13T18:37:23.000Z', 1.31, 7.5, 10023, 10023],
    ['2016-02-06T19:40:58.000Z', '2016-02-06T19:52:32.000Z', 1.8, 9.5, 10001, 10018],
    ['2016-02-12T19:06:43.000Z', '2016-02-12T19:20:54.000Z', 2.3, 11.5, 10044, 10111],
    ['2016-02-23T10:27:56.000Z', '2016-02-23T10:58:33.000Z', 2.6, 18.5, 10199, 10022],
  ] as (string | number)[][],
};

// ---- tokens ---------------------------------------------------------------------------------

type Tok = { t: 'word'; v: string } | { t: 'ident'; v: string } | { t: 'str'; v: string } | { t: 'num'; v: string } | { t: 'p'; v: string };

export class SqlError extends Error {
  constructor(
    readonly error_code: string,
    message: string,
  ) {
    super(message);
  }
}

const syntax = (near: string) => new SqlError('BAD_REQUEST', `[PARSE_SYNTAX_ERROR] Syntax error at or near '${near}'. SQLSTATE: 42601`);

const PUNCT = ['<=', '>=', '<>', '!=', '||', '(', ')', ',', '.', ';', '*', '=', '<', '>', '+', '-', '/', '%'];

export function tokenize(sql: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
      continue;
    }
    if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw syntax(sql.slice(i, i + 10));
      i = end + 2;
      continue;
    }
    if (c === "'" || c === '"') {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new SqlError('BAD_REQUEST', `[PARSE_SYNTAX_ERROR] Syntax error: unclosed string literal starting at position ${i}. SQLSTATE: 42601`);
        const d = sql[j]!;
        if (d === '\\' && j + 1 < sql.length) {
          v += sql[j + 1];
          j += 2;
        } else if (d === c && sql[j + 1] === c) {
          v += c;
          j += 2;
        } else if (d === c) break;
        else {
          v += d;
          j++;
        }
      }
      out.push({ t: 'str', v });
      i = j + 1;
      continue;
    }
    if (c === '`') {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw syntax(sql.slice(i, i + 10));
        if (sql[j] === '`' && sql[j + 1] === '`') {
          v += '`';
          j += 2;
        } else if (sql[j] === '`') break;
        else v += sql[j++];
      }
      if (v === '' || /[[\]]/.test(v)) throw syntax(`\`${v}\``);
      out.push({ t: 'ident', v });
      i = j + 1;
      continue;
    }
    const num = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[LlDdFf]?(?![A-Za-z_])/.exec(sql.slice(i));
    if (num) {
      out.push({ t: 'num', v: num[0].replace(/[LlDdFf]$/, '') });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i));
    if (word) {
      out.push({ t: 'word', v: word[0] });
      i += word[0].length;
      continue;
    }
    if (sql.startsWith('->', i)) throw syntax('->');
    const p = PUNCT.find((x) => sql.startsWith(x, i));
    if (!p) throw syntax(c);
    out.push({ t: 'p', v: p });
    i += p.length;
  }
  return out;
}

const up = (t: Tok | undefined) => (t && t.t === 'word' ? t.v.toUpperCase() : undefined);
const isP = (t: Tok | undefined, v: string) => t?.t === 'p' && t.v === v;

/** alasql extensions that reach outside memory or into JavaScript: never allowed. */
const BLOCKED = new Set(['CSV', 'TSV', 'TAB', 'XLSX', 'XLS', 'XML', 'TXT', 'FILE', 'REQUIRE', 'ATTACH', 'DETACH', 'LOAD', 'SOURCE', 'DECLARE', 'ASSERT', 'INDEXEDDB', 'LOCALSTORAGE', 'FILESTORAGE', 'SQLITE', 'GEOJSON', 'HTML', 'JAVASCRIPT', 'RECORDSET', 'MATRIX', 'COLUMN', 'TEXTSTRING', 'INDEX', 'SEARCH', 'ECHO', 'PROLOG', 'GRAPH', 'PLUG', 'CALL', 'EXEC', 'EXECUTE', 'INFORMATION_SCHEMA', 'INTO_']);
/** Not an alias after a table name. */
const CLAUSE = new Set(['WHERE', 'GROUP', 'ORDER', 'LIMIT', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'OUTER', 'CROSS', 'ON', 'UNION', 'HAVING', 'VALUES', 'SELECT', 'SET', 'USING', 'LOCATION', 'OFFSET', 'EXCEPT', 'INTERSECT', 'WINDOW', 'NATURAL', 'AS', 'WITH']);

// ---- the engine ---------------------------------------------------------------------------

interface WsDb {
  db: InstanceType<typeof alasql.Database>;
  tables: Map<string, { name: string; columns: { name: string; type: string }[]; location?: string }>;
  schemas: Set<string>;
}

const physical = (full: string) => `[${full.replace(/\./g, '__')}]`;

export class AlasqlBackend implements SqlBackend {
  private readonly dbs = new Map<Int64, WsDb>();

  /** `known`: tables of earlier runs, recreated empty on first use of a workspace. */
  constructor(private readonly known: (workspaceId: Int64) => KnownTable[] = () => []) {}

  private dbOf(workspaceId: Int64): WsDb {
    let w = this.dbs.get(workspaceId);
    if (w) return w;
    const db = new alasql.Database(`pcsim_ws_${workspaceId}_${Math.random().toString(36).slice(2, 8)}`);
    w = { db, tables: new Map(), schemas: new Set(['samples.nyctaxi']) };
    this.dbs.set(workspaceId, w);
    this.createPhysical(w, SAMPLE_TRIPS.name, SAMPLE_TRIPS.columns);
    const ph = physical(SAMPLE_TRIPS.name);
    for (const row of SAMPLE_TRIPS.rows) db.exec(`INSERT INTO ${ph} VALUES (${row.map((v) => (typeof v === 'number' ? String(v) : `'${v}'`)).join(', ')})`);
    for (const t of this.known(workspaceId)) {
      if (w.tables.has(t.name)) continue;
      w.schemas.add(t.name.split('.').slice(0, 2).join('.'));
      this.createPhysical(w, t.name, t.columns, t.location);
    }
    return w;
  }

  private createPhysical(w: WsDb, name: string, columns: { name: string; type: string }[], location?: string): void {
    const cols = columns.map((c) => `[${c.name}] ${alasqlType(c.type)}`).join(', ');
    w.db.exec(`CREATE TABLE ${physical(name)} (${cols})`);
    w.tables.set(name, { name, columns, location });
  }

  /** Executes one statement; a failure is an outcome (FAILED), as Databricks reports it. */
  async execute(workspaceId: Int64, statement: string, defaults: SqlDefaults, catalogs: WorkspaceCatalogs): Promise<StatementOutcome> {
    let kind: 'query' | 'write' = 'query';
    try {
      const toks = tokenize(statement);
      while (isP(toks.at(-1), ';')) toks.pop();
      if (toks.length === 0) throw new SqlError('BAD_REQUEST', '[PARSE_EMPTY_STATEMENT] Syntax error, unexpected empty statement. SQLSTATE: 42617');
      if (toks.some((t) => isP(t, ';'))) throw new SqlError('BAD_REQUEST', '[PARSE_SYNTAX_ERROR] Syntax error at or near \';\': the Statement Execution API runs one statement at a time. SQLSTATE: 42601');
      const blocked = toks.find((t) => t.t === 'word' && BLOCKED.has(t.v.toUpperCase()));
      if (blocked) throw syntax((blocked as { v: string }).v);
      const first = up(toks[0]);
      kind = first === 'SELECT' || first === 'WITH' || first === 'SHOW' || first === 'DESCRIBE' || first === 'USE' ? 'query' : 'write';
      const ctx = new Ctx(this.dbOf(workspaceId), defaults, catalogs);
      return { ...ctx.run(toks), kind };
    } catch (err) {
      const e = err instanceof SqlError ? err : fromAlasql(err);
      return { state: 'FAILED', error: { error_code: e.error_code, message: e.message }, columns: [], rows: [], kind };
    }
  }

  async listCatalogs(_ws: Int64, catalogs: WorkspaceCatalogs): Promise<string[]> {
    return [...catalogs.catalogs, 'samples'];
  }

  async listSchemas(workspaceId: Int64, _c: WorkspaceCatalogs, catalog: string): Promise<SchemaInfo[]> {
    const w = this.dbOf(workspaceId);
    const names = new Set(['default', ...[...w.schemas].filter((s) => s.startsWith(`${catalog}.`)).map((s) => s.split('.')[1]!)]);
    return [...names].map((name) => ({ catalog, name }));
  }

  async listTables(workspaceId: Int64, _c: WorkspaceCatalogs, catalog: string, schema?: string): Promise<TableInfo[]> {
    const w = this.dbOf(workspaceId);
    return [...w.tables.values()]
      .filter((t) => t.name.startsWith(`${catalog}.${schema === undefined ? '' : `${schema}.`}`))
      .map((t) => {
        const [c, s, name] = t.name.split('.') as [string, string, string];
        const columns = t.columns.map((col, position) => ({ name: col.name, type_text: col.type.toLowerCase(), type_name: typeName(col.type), position, nullable: true }));
        return { catalog: c, schema: s, name, table_type: t.location ? 'EXTERNAL' : 'MANAGED', location: t.location, columns } as TableInfo;
      });
  }

  async listColumns(workspaceId: Int64, c: WorkspaceCatalogs, catalog: string, schema: string, table: string): Promise<ColumnInfo[] | undefined> {
    return (await this.listTables(workspaceId, c, catalog, schema)).find((t) => t.name === table)?.columns;
  }
}

function fromAlasql(err: unknown): SqlError {
  const msg = err instanceof Error ? err.message : String(err);
  const m = /Table does not exist: (\S+)/.exec(msg);
  if (m) return new SqlError('BAD_REQUEST', `[TABLE_OR_VIEW_NOT_FOUND] The table or view \`${m[1]!.replace(/__/g, '`.`')}\` cannot be found. Verify the spelling and correctness of the schema and catalog. SQLSTATE: 42P01`);
  if (/^Parse error/.test(msg)) {
    const near = /\n(.*)\n-*\^/.exec(msg);
    return new SqlError('BAD_REQUEST', `[PARSE_SYNTAX_ERROR] Syntax error at or near '${(near?.[1] ?? '').replace(/^\.\.\./, '').trim().split(/\s+/).pop() ?? ''}'. SQLSTATE: 42601`);
  }
  return new SqlError('BAD_REQUEST', `[INTERNAL_ERROR] The statement could not be executed: ${msg.split('\n')[0]}`);
}

function alasqlType(t: string): string {
  const base = t.toUpperCase().replace(/[<(].*$/, '').trim();
  if (['INT', 'INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT', 'LONG', 'SHORT', 'BYTE'].includes(base)) return 'INT';
  if (['DOUBLE', 'FLOAT', 'REAL', 'DECIMAL', 'DEC', 'NUMERIC'].includes(base)) return 'NUMBER';
  if (base === 'BOOLEAN') return 'BOOLEAN';
  return 'STRING';
}

function typeName(t: string): string {
  const base = t.toUpperCase().replace(/[<(].*$/, '').trim();
  const map: Record<string, string> = { INTEGER: 'INT', BIGINT: 'LONG', VARCHAR: 'STRING', CHAR: 'STRING', REAL: 'FLOAT', NUMERIC: 'DECIMAL', DEC: 'DECIMAL' };
  return map[base] ?? base;
}

const render = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
};

/** One statement's run: name resolution against the defaults, then the statement kind. */
class Ctx {
  private i = 0;
  private toks: Tok[] = [];

  constructor(
    private readonly w: WsDb,
    private readonly defaults: SqlDefaults,
    private readonly catalogs: WorkspaceCatalogs,
  ) {}

  run(toks: Tok[]): Omit<StatementOutcome, 'kind'> {
    this.toks = toks;
    const first = up(toks[0]);
    const second = up(toks[1]);
    if (first === 'CREATE' && (second === 'SCHEMA' || second === 'DATABASE')) return this.createSchema();
    if (first === 'CREATE') return this.createTable();
    if (first === 'USE') return done([], []);
    if (first === 'SHOW') return this.show();
    if (first === 'DESCRIBE' || first === 'DESC') return this.describe();
    if (first === 'DROP' && second === 'TABLE') return this.drop();
    if (!['SELECT', 'WITH', 'INSERT', 'UPDATE', 'DELETE'].includes(first ?? '')) throw syntax(toks[0]!.v);
    if (first === 'SELECT' || first === 'WITH') {
      if (toks.some((t) => up(t) === 'INTO')) throw syntax('INTO');
    }
    const sql = this.rewrite(toks);
    if (first === 'SELECT' || first === 'WITH') {
      const rs = this.w.db.exec(sql.replace(/^\s*SELECT\b/i, 'SELECT RECORDSET')) as unknown as { columns: { columnid: string; dbtypeid?: string }[]; data: Record<string, unknown>[] };
      if (!rs || !Array.isArray(rs.columns)) return fromRows(this.w.db.exec(sql) as unknown as Record<string, unknown>[]);
      const columns = rs.columns.map((c, position) => {
        const sample = rs.data.find((r) => r[c.columnid] !== null && r[c.columnid] !== undefined)?.[c.columnid];
        const t = c.dbtypeid ? typeName(c.dbtypeid) : inferType(sample);
        return { name: c.columnid, type_text: t, type_name: t, position };
      });
      return done(columns, rs.data.map((r) => rs.columns.map((c) => render(r[c.columnid]))));
    }
    const n = this.w.db.exec(sql) as unknown as number;
    const count = typeof n === 'number' ? n : 0;
    if (first === 'INSERT') return done([col('num_affected_rows', 'LONG', 0), col('num_inserted_rows', 'LONG', 1)], [[String(count), String(count)]]);
    return done([col('num_affected_rows', 'LONG', 0)], [[String(count)]]);
  }

  // ---- names ----

  /** Reads a 1-3 part name at this.i and resolves it to catalog.schema.table (lower case). */
  private name(): string {
    return this.qualify(this.nameParts(3));
  }

  /** Reads up to `max` dot-separated name parts at this.i (lower case). */
  private nameParts(max: number): string[] {
    const parts: string[] = [];
    for (;;) {
      const t = this.toks[this.i];
      if (!t || (t.t !== 'word' && t.t !== 'ident')) throw syntax(t ? t.v : '<EOF>');
      parts.push(t.v.toLowerCase());
      this.i++;
      if (isP(this.toks[this.i], '.') && parts.length < max) this.i++;
      else break;
    }
    return parts;
  }

  private qualify(parts: string[]): string {
    const catalog = (this.defaults.catalog ?? this.catalogs.catalogs.find((c) => c !== 'hive_metastore') ?? 'hive_metastore').toLowerCase();
    const schema = (this.defaults.schema ?? 'default').toLowerCase();
    if (parts.length === 3) return parts.join('.');
    if (parts.length === 2) return `${catalog}.${parts.join('.')}`;
    return `${catalog}.${schema}.${parts[0]}`;
  }

  private requireSchema(full: string, writing: boolean): void {
    const [catalog, schema] = full.split('.');
    if (catalog === 'samples') {
      if (writing) throw new SqlError('PERMISSION_DENIED', `[INSUFFICIENT_PERMISSIONS] Insufficient privileges: catalog samples is read-only. SQLSTATE: 42501`);
      return;
    }
    if (!this.catalogs.catalogs.map((c) => c.toLowerCase()).includes(catalog!)) throw new SqlError('BAD_REQUEST', `[NO_SUCH_CATALOG_EXCEPTION] Catalog '${catalog}' was not found. Please verify the catalog name and then retry the query or command again. SQLSTATE: 42704`);
    if (schema !== 'default' && !this.w.schemas.has(`${catalog}.${schema}`)) throw new SqlError('BAD_REQUEST', `[SCHEMA_NOT_FOUND] The schema \`${catalog}\`.\`${schema}\` cannot be found. Verify the spelling and correctness of the schema and catalog. SQLSTATE: 42704`);
  }

  /** The statement for alasql: table names in table positions become physical names, idents [bracketed]. */
  private rewrite(toks: Tok[]): string {
    const out: string[] = [];
    const tableAfter = new Set(['FROM', 'JOIN', 'INTO', 'UPDATE']);
    for (let k = 0; k < toks.length; k++) {
      const t = toks[k]!;
      const u = up(t);
      if (u === 'TABLE' && up(toks[k - 1]) === 'INTO') continue; // INSERT INTO TABLE t
      if (u === 'OVERWRITE') throw syntax('OVERWRITE');
      out.push(emit(t));
      if (u && tableAfter.has(u)) {
        let next = k + 1;
        if (up(toks[next]) === 'TABLE') next++;
        for (;;) {
          const n = toks[next];
          if (!n || (n.t !== 'word' && n.t !== 'ident') || (n.t === 'word' && CLAUSE.has(n.v.toUpperCase()))) break;
          this.i = next;
          this.toks = toks;
          const full = this.name();
          this.requireSchema(full, u !== 'FROM' && u !== 'JOIN');
          if (!this.w.tables.has(full)) throw new SqlError('BAD_REQUEST', `[TABLE_OR_VIEW_NOT_FOUND] The table or view \`${full.split('.').join('`.`')}\` cannot be found. Verify the spelling and correctness of the schema and catalog. SQLSTATE: 42P01`);
          out.push(physical(full));
          next = this.i;
          // optional alias, then `, another_table`
          if (up(toks[next]) === 'AS') {
            out.push('AS');
            next++;
            if (toks[next]) out.push(emit(toks[next++]!));
          } else if (toks[next] && (toks[next]!.t === 'ident' || (toks[next]!.t === 'word' && !CLAUSE.has(up(toks[next])!)))) out.push(emit(toks[next++]!));
          if (u === 'FROM' && isP(toks[next], ',')) {
            out.push(',');
            next++;
            continue;
          }
          break;
        }
        k = next - 1;
      }
    }
    return out.join(' ');
  }

  // ---- statements ----

  private createSchema(): Omit<StatementOutcome, 'kind'> {
    this.i = 2;
    let ifNotExists = false;
    if (up(this.toks[2]) === 'IF') {
      if (up(this.toks[3]) !== 'NOT' || up(this.toks[4]) !== 'EXISTS') throw syntax(this.toks[3]?.v ?? 'IF');
      ifNotExists = true;
      this.i = 5;
    }
    const parts = this.nameParts(2);
    const full = parts.length === 2 ? parts.join('.') : `${this.qualify(['x']).split('.')[0]}.${parts[0]}`;
    this.skipClauses(false);
    if (this.i < this.toks.length) throw syntax(this.toks[this.i]!.v);
    this.requireSchema(`${full.split('.')[0]}.default.x`, true);
    if (this.w.schemas.has(full) || full.endsWith('.default')) {
      if (!ifNotExists) throw new SqlError('BAD_REQUEST', `[SCHEMA_ALREADY_EXISTS] Cannot create schema \`${full.replace('.', '`.`')}\` because it already exists. SQLSTATE: 42P06`);
    } else this.w.schemas.add(full);
    return done([], []);
  }

  /** LOCATION, USING, COMMENT, TBLPROPERTIES, OPTIONS, PARTITIONED BY, CLUSTER BY; returns the LOCATION. */
  private skipClauses(table: boolean): string | undefined {
    let location: string | undefined;
    for (;;) {
      const u = up(this.toks[this.i]);
      if (u === 'LOCATION' || u === 'COMMENT') {
        const s = this.toks[this.i + 1];
        if (s?.t !== 'str') throw syntax(s?.v ?? '<EOF>');
        if (u === 'LOCATION') location = s.v;
        this.i += 2;
      } else if (u === 'USING' && table) {
        if (this.toks[this.i + 1]?.t !== 'word') throw syntax(this.toks[this.i + 1]?.v ?? '<EOF>');
        this.i += 2;
      } else if (u === 'TBLPROPERTIES' || u === 'OPTIONS' || u === 'WITH' || ((u === 'PARTITIONED' || u === 'CLUSTER') && up(this.toks[this.i + 1]) === 'BY')) {
        this.i += u === 'PARTITIONED' || u === 'CLUSTER' ? 2 : 1;
        if (u === 'WITH' && up(this.toks[this.i]) === 'DBPROPERTIES') this.i++;
        this.skipParens();
      } else return location;
    }
  }

  private skipParens(): Tok[] {
    if (!isP(this.toks[this.i], '(')) throw syntax(this.toks[this.i]?.v ?? '<EOF>');
    let depth = 0;
    const start = this.i;
    do {
      const t = this.toks[this.i];
      if (!t) throw syntax('<EOF>');
      if (isP(t, '(')) depth++;
      if (isP(t, ')')) depth--;
      this.i++;
    } while (depth > 0);
    return this.toks.slice(start + 1, this.i - 1);
  }

  private createTable(): Omit<StatementOutcome, 'kind'> {
    this.i = 1;
    let replace = false;
    if (up(this.toks[1]) === 'OR' && up(this.toks[2]) === 'REPLACE') {
      replace = true;
      this.i = 3;
    }
    if (up(this.toks[this.i]) === 'EXTERNAL') this.i++;
    if (up(this.toks[this.i]) !== 'TABLE') throw syntax(this.toks[this.i]?.v ?? '<EOF>');
    this.i++;
    let ifNotExists = false;
    if (up(this.toks[this.i]) === 'IF') {
      if (up(this.toks[this.i + 1]) !== 'NOT' || up(this.toks[this.i + 2]) !== 'EXISTS') throw syntax('IF');
      ifNotExists = true;
      this.i += 3;
    }
    const full = this.name();
    let columns: { name: string; type: string }[] | undefined;
    if (isP(this.toks[this.i], '(')) columns = parseColumns(this.skipParens());
    const location = this.skipClauses(true);
    let rows: Record<string, unknown>[] | undefined;
    if (up(this.toks[this.i]) === 'AS') {
      const query = this.toks.slice(this.i + 1);
      if (!['SELECT', 'WITH'].includes(up(query[0]) ?? '')) throw syntax(query[0]?.v ?? '<EOF>');
      const sub = new Ctx(this.w, this.defaults, this.catalogs).run(query);
      columns ??= sub.columns.map((c) => ({ name: c.name, type: c.type_text }));
      rows = sub.rows.map((r) => Object.fromEntries(sub.columns.map((c, k) => [c.name, r[k]])));
      this.i = this.toks.length;
    }
    if (this.i < this.toks.length) throw syntax(this.toks[this.i]!.v);
    if (!columns || columns.length === 0) throw new SqlError('BAD_REQUEST', '[PARSE_SYNTAX_ERROR] Syntax error: CREATE TABLE needs a column list or AS SELECT. SQLSTATE: 42601');
    this.requireSchema(full, true);
    if (this.w.tables.has(full)) {
      if (ifNotExists) return done([], []);
      if (!replace) throw new SqlError('BAD_REQUEST', `[TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create table or view \`${full.split('.').join('`.`')}\` because it already exists. SQLSTATE: 42P07`);
      this.w.db.exec(`DROP TABLE ${physical(full)}`);
      this.w.tables.delete(full);
    }
    const w = this.w;
    const createPhysical = () => {
      w.db.exec(`CREATE TABLE ${physical(full)} (${columns!.map((c) => `[${c.name}] ${alasqlType(c.type)}`).join(', ')})`);
      w.tables.set(full, { name: full, columns: columns!, location });
    };
    createPhysical();
    if (rows?.length) w.db.exec(`INSERT INTO ${physical(full)} SELECT * FROM ?`, [rows]);
    return { ...done([], []), created: { name: full, columns, location, managed: location === undefined } };
  }

  private drop(): Omit<StatementOutcome, 'kind'> {
    this.i = 2;
    let ifExists = false;
    if (up(this.toks[2]) === 'IF' && up(this.toks[3]) === 'EXISTS') {
      ifExists = true;
      this.i = 4;
    }
    const full = this.name();
    if (this.i < this.toks.length) throw syntax(this.toks[this.i]!.v);
    this.requireSchema(full, true);
    if (!this.w.tables.has(full)) {
      if (ifExists) return done([], []);
      throw new SqlError('BAD_REQUEST', `[TABLE_OR_VIEW_NOT_FOUND] The table or view \`${full.split('.').join('`.`')}\` cannot be found. SQLSTATE: 42P01`);
    }
    this.w.db.exec(`DROP TABLE ${physical(full)}`);
    this.w.tables.delete(full);
    return done([], []);
  }

  private show(): Omit<StatementOutcome, 'kind'> {
    const what = up(this.toks[1]);
    if (what === 'CATALOGS') return done([col('catalog', 'STRING', 0)], [...this.catalogs.catalogs, 'samples'].map((c) => [c]));
    if (what === 'SCHEMAS' || what === 'DATABASES') {
      const catalog = this.toks[3] && ['IN', 'FROM'].includes(up(this.toks[2]) ?? '') ? this.toks[3]!.v.toLowerCase() : this.qualify(['x']).split('.')[0]!;
      const names = new Set(['default', ...[...this.w.schemas].filter((s) => s.startsWith(`${catalog}.`)).map((s) => s.split('.')[1]!)]);
      return done([col('databaseName', 'STRING', 0)], [...names].map((n) => [n]));
    }
    if (what === 'TABLES') {
      let prefix = this.qualify(['x']).split('.').slice(0, 2).join('.');
      if (['IN', 'FROM'].includes(up(this.toks[2]) ?? '')) {
        this.i = 3;
        const parts: string[] = [];
        while (this.toks[this.i] && this.toks[this.i]!.t !== 'p') {
          parts.push(this.toks[this.i]!.v.toLowerCase());
          this.i += isP(this.toks[this.i + 1], '.') ? 2 : 1;
        }
        prefix = parts.length === 2 ? parts.join('.') : `${prefix.split('.')[0]}.${parts[0]}`;
      }
      const rows = [...this.w.tables.keys()].filter((n) => n.startsWith(`${prefix}.`)).map((n) => [n.split('.')[1]!, n.split('.')[2]!, 'false']);
      return done([col('database', 'STRING', 0), col('tableName', 'STRING', 1), col('isTemporary', 'BOOLEAN', 2)], rows);
    }
    throw syntax(this.toks[1]?.v ?? 'SHOW');
  }

  private describe(): Omit<StatementOutcome, 'kind'> {
    this.i = up(this.toks[1]) === 'TABLE' ? 2 : 1;
    const full = this.name();
    const t = this.w.tables.get(full);
    if (!t) throw new SqlError('BAD_REQUEST', `[TABLE_OR_VIEW_NOT_FOUND] The table or view \`${full.split('.').join('`.`')}\` cannot be found. SQLSTATE: 42P01`);
    return done([col('col_name', 'STRING', 0), col('data_type', 'STRING', 1), col('comment', 'STRING', 2)], t.columns.map((c) => [c.name, c.type.toLowerCase(), null]));
  }
}

function parseColumns(inner: Tok[]): { name: string; type: string }[] {
  const cols: { name: string; type: string }[] = [];
  let cur: Tok[] = [];
  let depth = 0;
  const flush = () => {
    if (cur.length === 0) throw syntax(',');
    const [n, ...rest] = cur;
    if (!n || (n.t !== 'word' && n.t !== 'ident')) throw syntax(n?.v ?? ')');
    const typeToks: string[] = [];
    for (let k = 0; k < rest.length; k++) {
      const u = up(rest[k]);
      if (u === 'COMMENT' || u === 'NOT' || u === 'DEFAULT' || u === 'GENERATED') break;
      typeToks.push(rest[k]!.v);
    }
    if (typeToks.length === 0 || rest[0]?.t !== 'word') throw syntax(rest[0]?.v ?? n.v);
    cols.push({ name: n.v, type: typeToks.join('').toUpperCase() });
    cur = [];
  };
  for (const t of inner) {
    if (isP(t, '(') || isP(t, '<')) depth++;
    if (isP(t, ')') || isP(t, '>')) depth--;
    if (isP(t, ',') && depth === 0) flush();
    else cur.push(t);
  }
  flush();
  return cols;
}

function emit(t: Tok): string {
  if (t.t === 'str') return `'${t.v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  if (t.t === 'ident') return `[${t.v}]`;
  return t.v;
}

function inferType(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? 'LONG' : 'DOUBLE';
  if (typeof v === 'boolean') return 'BOOLEAN';
  return 'STRING';
}

const col = (name: string, type: string, position: number): SqlColumn => ({ name, type_text: type, type_name: type, position });
const done = (columns: SqlColumn[], rows: (string | null)[][]): Omit<StatementOutcome, 'kind'> => ({ state: 'SUCCEEDED', columns, rows });

function fromRows(rows: Record<string, unknown>[]): Omit<StatementOutcome, 'kind'> {
  const names = rows.length ? Object.keys(rows[0]!) : [];
  return done(names.map((n, k) => col(n, inferType(rows[0]![n]), k)), rows.map((r) => names.map((n) => render(r[n]))));
}

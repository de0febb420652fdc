/**
 * Databricks statements the engine does not speak, parsed here: CREATE TABLE … USING/LOCATION/
 * TBLPROPERTIES, CREATE/DROP SCHEMA, SHOW CATALOGS/SCHEMAS/TABLES, DESCRIBE [TABLE], USE, COPY INTO,
 * ALTER TABLE … ADD COLUMNS.
 * Pure parsing: each returns what to do; the engine does it (duckdb-engine.ts).
 */
import { parseError } from './errors.js';
import { setCommand, type SetCommand } from './settings.js';
import { isName, isP, shown, up, type Tok } from './tokens.js';

export type Command =
  | { k: 'use'; catalog?: string; schema?: string; parts: string[] }
  | { k: 'showCatalogs'; like?: string }
  | { k: 'showSchemas'; catalog?: string; like?: string }
  | { k: 'showTables'; schema: string[]; like?: string; extended?: boolean }
  | { k: 'describe'; name: string[]; extended?: boolean }
  | { k: 'describeSchema'; name: string[] }
  | { k: 'describeCatalog'; name: string }
  | { k: 'showColumns'; name: string[] }
  | { k: 'showViews'; schema: string[]; like?: string }
  | { k: 'createSchema'; name: string[]; ifNotExists: boolean }
  | { k: 'dropSchema'; name: string[]; ifExists: boolean; cascade: boolean }
  | {
      k: 'createTable';
      name: string[];
      replace: boolean;
      ifNotExists: boolean;
      columns?: { name: string; type: string }[];
      location?: string;
      query?: Tok[];
    }
  | { k: 'addColumns'; name: string[]; columns: { name: string; type: string }[] }
  /** Table metadata pcsim does not keep (properties, comments, grants): checked, then accepted. */
  | { k: 'metadataOnly'; table?: string[] }
  | SetCommand
  | { k: 'copyInto'; name: string[] }
  | { k: 'dropTable'; name: string[]; ifExists: boolean };

/** Token reader with Databricks' error on the first unexpected token. */
class Reader {
  i = 0;
  constructor(readonly toks: Tok[]) {}
  peek(): string | undefined {
    return up(this.toks[this.i]);
  }
  accept(...words: string[]): boolean {
    if (words.every((w, k) => up(this.toks[this.i + k]) === w)) {
      this.i += words.length;
      return true;
    }
    return false;
  }
  expect(...words: string[]): void {
    if (!this.accept(...words)) throw parseError(shown(this.toks[this.i]));
  }
  name(max = 3): string[] {
    const parts: string[] = [];
    for (;;) {
      const t = this.toks[this.i];
      if (!isName(t)) throw parseError(shown(t));
      parts.push(t!.v.toLowerCase());
      this.i++;
      if (isP(this.toks[this.i], '.') && parts.length < max) this.i++;
      else return parts;
    }
  }
  string(): string {
    const t = this.toks[this.i];
    if (t?.t !== 'str') throw parseError(shown(t));
    this.i++;
    return t.v;
  }
  parens(): Tok[] {
    if (!isP(this.toks[this.i], '(')) throw parseError(shown(this.toks[this.i]));
    let depth = 0;
    const start = this.i;
    do {
      const t = this.toks[this.i];
      if (!t) throw parseError('end of input');
      if (isP(t, '(')) depth++;
      if (isP(t, ')')) depth--;
      this.i++;
    } while (depth > 0);
    return this.toks.slice(start + 1, this.i - 1);
  }
  end(): void {
    if (this.i < this.toks.length) throw parseError(shown(this.toks[this.i]));
  }
  like(): string | undefined {
    if (this.accept('LIKE')) return this.string();
    if (this.toks[this.i]?.t === 'str') return this.string();
    return undefined;
  }
}

/** The Databricks-only command the statement is, or undefined when the engine runs it as it is. */
export function commandOf(toks: Tok[]): Command | undefined {
  const r = new Reader(toks);
  const first = r.peek();
  if (first === 'USE') {
    r.i = 1;
    const kind = r.accept('CATALOG') ? 'catalog' : r.accept('SCHEMA') || r.accept('DATABASE') ? 'schema' : 'any';
    const parts = r.name(kind === 'catalog' ? 1 : 2);
    r.end();
    if (kind === 'catalog') return { k: 'use', catalog: parts[0], parts };
    return {
      k: 'use',
      parts,
      ...(parts.length === 2 ? { catalog: parts[0], schema: parts[1] } : { schema: parts[0] }),
    };
  }
  if (first === 'SHOW') {
    r.i = 1;
    if (r.accept('CATALOGS')) {
      const like = r.like();
      r.end();
      return { k: 'showCatalogs', like };
    }
    if (r.accept('SCHEMAS') || r.accept('DATABASES')) {
      const catalog = r.accept('IN') || r.accept('FROM') ? r.name(1)[0] : undefined;
      const like = r.like();
      r.end();
      return { k: 'showSchemas', catalog, like };
    }
    if (r.accept('COLUMNS')) {
      if (!r.accept('IN')) r.expect('FROM');
      const table = r.name();
      // SHOW COLUMNS IN t IN schema: the schema given apart (one or two parts).
      const name = r.accept('IN') || r.accept('FROM') ? [...r.name(2), table.at(-1)!] : table;
      r.end();
      return { k: 'showColumns', name };
    }
    if (r.accept('VIEWS')) {
      const schema = r.accept('IN') || r.accept('FROM') ? r.name(2) : [];
      const like = r.like();
      r.end();
      return { k: 'showViews', schema, like };
    }
    // SHOW TABLE EXTENDED [IN schema] LIKE pattern: each table with its `information` text.
    if (r.accept('TABLE', 'EXTENDED')) {
      const schema = r.accept('IN') || r.accept('FROM') ? r.name(2) : [];
      const like = r.like();
      if (like === undefined) throw parseError(shown(r.toks[r.i]), 'SHOW TABLE EXTENDED needs LIKE');
      r.end();
      return { k: 'showTables', schema, like, extended: true };
    }
    if (r.accept('TABLES')) {
      const schema = r.accept('IN') || r.accept('FROM') ? r.name(2) : [];
      const like = r.like();
      r.end();
      return { k: 'showTables', schema, like };
    }
    throw parseError(shown(toks[1]));
  }
  if (first === 'DESCRIBE' || first === 'DESC') {
    r.i = 1;
    if (r.accept('QUERY') || r.accept('SELECT') || r.accept('WITH')) return undefined;
    if (r.accept('SCHEMA') || r.accept('DATABASE')) {
      r.accept('EXTENDED');
      const name = r.name(2);
      r.end();
      return { k: 'describeSchema', name };
    }
    if (r.accept('CATALOG')) {
      r.accept('EXTENDED');
      const name = r.name(1)[0]!;
      r.end();
      return { k: 'describeCatalog', name };
    }
    r.accept('TABLE');
    const extended = r.accept('EXTENDED') || r.accept('FORMATTED');
    const name = r.name();
    r.end();
    return { k: 'describe', name, extended };
  }
  if (first === 'CREATE' && (up(toks[1]) === 'SCHEMA' || up(toks[1]) === 'DATABASE')) {
    r.i = 2;
    const ifNotExists = r.accept('IF', 'NOT', 'EXISTS');
    const name = r.name(2);
    skipClauses(r);
    r.end();
    return { k: 'createSchema', name, ifNotExists };
  }
  if (first === 'DROP' && (up(toks[1]) === 'SCHEMA' || up(toks[1]) === 'DATABASE')) {
    r.i = 2;
    const ifExists = r.accept('IF', 'EXISTS');
    const name = r.name(2);
    const cascade = r.accept('CASCADE');
    r.accept('RESTRICT');
    r.end();
    return { k: 'dropSchema', name, ifExists, cascade };
  }
  // CREATE [OR REPLACE] [EXTERNAL] TABLE; CREATE OR REPLACE [TEMPORARY] VIEW goes to the engine as it is.
  const replaced = up(toks[1]) === 'OR' && up(toks[2]) === 'REPLACE' ? 3 : 1;
  if (first === 'CREATE' && ['TABLE', 'EXTERNAL'].includes(up(toks[replaced]) ?? '')) return createTable(r);
  if (first === 'DROP' && up(toks[1]) === 'TABLE') {
    r.i = 2;
    const ifExists = r.accept('IF', 'EXISTS');
    const name = r.name();
    r.accept('PURGE');
    r.end();
    return { k: 'dropTable', name, ifExists };
  }
  // ALTER TABLE t ADD COLUMN[S] (a INT, b STRING) or ADD COLUMN a INT: the engine adds one column a statement.
  if (first === 'ALTER' && up(toks[1]) === 'TABLE' && addsColumns(toks)) {
    r.i = 2;
    const name = r.name();
    r.expect('ADD');
    if (!r.accept('COLUMNS')) r.expect('COLUMN');
    if (!isP(r.toks[r.i], '(')) return { k: 'addColumns', name, columns: parseColumns(r.toks.slice(r.i)) };
    const columns = parseColumns(r.parens());
    r.end();
    return { k: 'addColumns', name, columns };
  }
  const metadata = metadataOnly(toks);
  if (metadata) return metadata;
  if (first === 'SET' || first === 'RESET') return setCommand(toks);
  if (first === 'COPY') {
    r.i = 1;
    r.expect('INTO');
    return { k: 'copyInto', name: r.name() };
  }
  return undefined;
}

/**
 * INSERT OVERWRITE [TABLE] t … as the engine's two statements: what to empty (t) and the INSERT INTO t …
 * that refills it (the engine runs both in one transaction). Undefined for any other statement.
 */
export function insertOverwrite(toks: Tok[]): { target: Tok[]; insert: Tok[] } | undefined {
  if (up(toks[0]) !== 'INSERT' || up(toks[1]) !== 'OVERWRITE') return undefined;
  const from = up(toks[2]) === 'TABLE' ? 3 : 2;
  let end = from;
  while (isName(toks[end]) && isP(toks[end + 1], '.')) end += 2;
  if (!isName(toks[end])) throw parseError(shown(toks[end]));
  const target = toks.slice(from, end + 1);
  if (up(toks[end + 1]) === 'PARTITION')
    throw parseError('PARTITION', 'INSERT OVERWRITE of a partition is not simulated');
  return { target, insert: [toks[0]!, { t: 'word', v: 'INTO' }, ...toks.slice(from)] };
}

/**
 * Statements that change only metadata pcsim does not keep: ALTER TABLE t SET/UNSET TBLPROPERTIES,
 * ALTER TABLE t ALTER COLUMN c COMMENT '…', ALTER TABLE t SET OWNER TO …, COMMENT ON TABLE t IS …,
 * ANALYZE TABLE t COMPUTE STATISTICS, GRANT and REVOKE (privileges are not simulated).
 */
function metadataOnly(toks: Tok[]): Command | undefined {
  const first = up(toks[0]);
  if (first === 'GRANT' || first === 'REVOKE') return { k: 'metadataOnly' };
  // ANALYZE TABLE t COMPUTE STATISTICS […]: statistics are not simulated; the table must exist.
  if (first === 'ANALYZE' && up(toks[1]) === 'TABLE') {
    const r = new Reader(toks);
    r.i = 2;
    const table = r.name();
    r.expect('COMPUTE', 'STATISTICS');
    return { k: 'metadataOnly', table };
  }
  const r = new Reader(toks);
  if (first === 'COMMENT' && up(toks[1]) === 'ON') {
    r.i = 2;
    if (!r.accept('TABLE'))
      return up(toks[2]) === 'SCHEMA' || up(toks[2]) === 'CATALOG' ? { k: 'metadataOnly' } : undefined;
    const table = r.name();
    r.expect('IS');
    return { k: 'metadataOnly', table };
  }
  if (first !== 'ALTER' || up(toks[1]) !== 'TABLE') return undefined;
  r.i = 2;
  const table = r.name();
  const next = [r.peek(), up(toks[r.i + 1])];
  const metadata =
    ((next[0] === 'SET' || next[0] === 'UNSET') && (next[1] === 'TBLPROPERTIES' || next[1] === 'OWNER')) ||
    ((next[0] === 'ALTER' || next[0] === 'CHANGE') &&
      up(toks[r.i + (next[1] === 'COLUMN' ? 3 : 2)]) === 'COMMENT' &&
      toks.length === r.i + (next[1] === 'COLUMN' ? 5 : 4));
  return metadata ? { k: 'metadataOnly', table } : undefined;
}

/** ALTER TABLE name ADD COLUMN or ADD COLUMNS (other ALTERs go to the engine as they are). */
function addsColumns(toks: Tok[]): boolean {
  let i = 2;
  while (isName(toks[i]) && isP(toks[i + 1], '.')) i += 2;
  return isName(toks[i]) && up(toks[i + 1]) === 'ADD' && ['COLUMN', 'COLUMNS'].includes(up(toks[i + 2]) ?? '');
}

/** LOCATION, USING, COMMENT, TBLPROPERTIES, OPTIONS, PARTITIONED/CLUSTER BY; returns the LOCATION. */
function skipClauses(r: Reader): string | undefined {
  let location: string | undefined;
  for (;;) {
    if (r.accept('LOCATION') || r.accept('MANAGED', 'LOCATION')) location = r.string();
    else if (r.accept('COMMENT')) r.string();
    else if (r.accept('USING')) r.name(1);
    else if (
      r.accept('TBLPROPERTIES') ||
      r.accept('OPTIONS') ||
      r.accept('WITH', 'DBPROPERTIES') ||
      r.accept('PARTITIONED', 'BY')
    )
      r.parens();
    else if (r.accept('CLUSTER', 'BY')) {
      if (!r.accept('AUTO') && !r.accept('NONE')) r.parens();
    } else return location;
  }
}

function createTable(r: Reader): Command {
  r.i = 1;
  const replace = r.accept('OR', 'REPLACE');
  r.accept('EXTERNAL');
  r.expect('TABLE');
  const ifNotExists = r.accept('IF', 'NOT', 'EXISTS');
  const name = r.name();
  const columns = isP(r.toks[r.i], '(') ? parseColumns(r.parens()) : undefined;
  const location = skipClauses(r);
  let query: Tok[] | undefined;
  if (r.accept('AS')) {
    query = r.toks.slice(r.i);
    if (!['SELECT', 'WITH', 'VALUES', 'FROM'].includes(up(query[0]) ?? '') && !isP(query[0], '('))
      throw parseError(shown(query[0]));
    r.i = r.toks.length;
  }
  r.end();
  if (!columns && !query) throw parseError('end of input', 'CREATE TABLE needs a column list or AS SELECT');
  return { k: 'createTable', name, replace, ifNotExists, columns, location, query };
}

/** `(a INT COMMENT 'x', b DECIMAL(10,2) NOT NULL)` → declared names and types (Databricks spelling). */
function parseColumns(inner: Tok[]): { name: string; type: string }[] {
  const cols: { name: string; type: string }[] = [];
  let cur: Tok[] = [];
  let depth = 0;
  const flush = () => {
    const [n, ...rest] = cur;
    if (!isName(n)) throw parseError(shown(n ?? inner[0]));
    const type: string[] = [];
    for (const t of rest) {
      const u = up(t);
      if (
        u === 'COMMENT' ||
        u === 'NOT' ||
        u === 'DEFAULT' ||
        u === 'GENERATED' ||
        u === 'NULL' ||
        u === 'PRIMARY' ||
        u === 'CONSTRAINT' ||
        u === 'FIRST' ||
        u === 'AFTER'
      )
        break;
      type.push(t.v);
    }
    if (type.length === 0 || rest[0]?.t !== 'word') throw parseError(shown(rest[0] ?? n));
    cols.push({ name: n!.v, type: type.join('').toUpperCase() });
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

/**
 * Databricks SQL → the engine's SQL, token by token: `quoted` identifiers, "double-quoted"
 * strings, typed number suffixes (1L, 2.5BD), Databricks type words in casts, `:name`
 * parameters (bound as typed literals, as Databricks casts them), catalog names (the engine
 * reserves some, so each catalog has a physical name), information_schema views per catalog,
 * current_catalog()/current_user()/current_timestamp() and their kin answered from the statement's
 * context, functions the engine names otherwise (nvl, array, get_json_object), and X'…' literals.
 */
import { rewriteCalls } from './calls.js';
import { engineTypeWord } from './datatypes.js';
import { parseError, unboundParameter, unresolvedRoutine } from './errors.js';
import { isName, isP, up, type Tok } from './tokens.js';
import type { SqlParameter } from './types.js';

export interface DialectContext {
  catalog: string;
  schema: string;
  /** Databricks catalog names (lower case) of the workspace, `samples` included. */
  catalogs: ReadonlySet<string>;
  parameters?: readonly SqlParameter[];
  /** Who runs the statement: current_user() (a user's e-mail, a service principal's application id). */
  user?: string;
  /** The simulated clock's time: current_timestamp(), now(), current_date(). */
  now?: Date;
  /** Filled in: the catalogs the statement names (three-part names, information_schema). */
  used?: Set<string>;
}

export const physicalCatalog = (catalog: string) => `pc_${catalog.toLowerCase()}`;
export const logicalCatalog = (physical: string) => (physical.startsWith('pc_') ? physical.slice(3) : physical);
export const quoteIdent = (v: string) => `"${v.replace(/"/g, '""')}"`;
export const quoteString = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** Engine functions that would show the engine, reach outside the workspace or run SQL text. */
const DENIED_FUNCTION = new RegExp(
  '^(duckdb_|pragma_|read_|parquet_|sniff_|which_secret|current_setting|getenv' +
    '|version$|query$|query_table$|glob$|getvariable$|set_variable$)',
  'i',
);
const NUMBER_SUFFIX: Record<string, string> = { L: 'BIGINT', S: 'SMALLINT', Y: 'TINYINT', D: 'DOUBLE', F: 'FLOAT' };
/** SQL timestamp literal text of a time: 2026-12-03 02:33:00.351 (UTC, Databricks' default session time zone). */
const timestampText = (t: Date) => t.toISOString().replace('T', ' ').replace('Z', '');

/**
 * Functions answered from the statement's context as literals: its defaults, who runs it (as
 * SCIM Me names them) and the simulated clock (POST /api/clock moves what `now()` answers, as it
 * moves every other time pcsim shows). Undefined: the context does not say; the engine answers.
 */
const CONTEXT_FUNCTIONS: Record<string, (ctx: DialectContext) => string | undefined> = {
  CURRENT_CATALOG: (ctx) => quoteString(ctx.catalog),
  CURRENT_SCHEMA: (ctx) => quoteString(ctx.schema),
  CURRENT_DATABASE: (ctx) => quoteString(ctx.schema),
  CURRENT_USER: (ctx) => (ctx.user === undefined ? undefined : quoteString(ctx.user)),
  SESSION_USER: (ctx) => (ctx.user === undefined ? undefined : quoteString(ctx.user)),
  USER: (ctx) => (ctx.user === undefined ? undefined : quoteString(ctx.user)),
  CURRENT_TIMESTAMP: (ctx) => (ctx.now ? `TIMESTAMPTZ '${timestampText(ctx.now)}+00'` : undefined),
  NOW: (ctx) => (ctx.now ? `TIMESTAMPTZ '${timestampText(ctx.now)}+00'` : undefined),
  CURRENT_DATE: (ctx) => (ctx.now ? `DATE '${ctx.now.toISOString().slice(0, 10)}'` : undefined),
  CURDATE: (ctx) => (ctx.now ? `DATE '${ctx.now.toISOString().slice(0, 10)}'` : undefined),
};
/** Of those, the ones Databricks also takes as a bare keyword (`SELECT current_date`). */
const CONTEXT_KEYWORDS = new Set(['CURRENT_USER', 'CURRENT_TIMESTAMP', 'CURRENT_DATE']);
/** Databricks functions the engine has under another name, with the same arguments and meaning. */
const RENAMED_FUNCTIONS: Record<string, string> = {
  NVL: 'coalesce',
  ARRAY: 'list_value',
  GET_JSON_OBJECT: 'json_extract_string',
};
const SELECT_ITEM_END = new Set([
  'FROM',
  'WHERE',
  'GROUP',
  'ORDER',
  'LIMIT',
  'UNION',
  'HAVING',
  'WINDOW',
  'EXCEPT',
  'INTERSECT',
]);

function emitNumber(v: string): string {
  const m = /^(.*?)(BD|[LlDdFfSsYy])?$/.exec(v)!;
  const suffix = m[2]?.toUpperCase();
  if (!suffix) return m[1]!;
  if (suffix === 'BD') return `CAST(${quoteString(m[1]!)} AS DECIMAL(38,${(m[1]!.split('.')[1] ?? '').length}))`;
  return `CAST(${m[1]} AS ${NUMBER_SUFFIX[suffix]})`;
}

/** A parameter as the typed literal Databricks binds it to: CAST('value' AS type). */
function emitParameter(name: string, params: readonly SqlParameter[] | undefined): string {
  const p = params?.find((x) => x.name === name);
  if (!p) throw unboundParameter(name);
  const type = (p.type ?? 'STRING').trim();
  if (!/^[A-Za-z_]+(\s*\(\s*\d+(\s*,\s*\d+)?\s*\))?$/.test(type))
    throw parseError(type, `parameter ${name} has an unknown type`);
  const word = /^[A-Za-z_]+/.exec(type)![0];
  const engineType = `${engineTypeWord(word) ?? word.toUpperCase()}${type.slice(word.length)}`;
  return p.value === null ? `CAST(NULL AS ${engineType})` : `CAST(${quoteString(p.value)} AS ${engineType})`;
}

/** The engine's information_schema data_type in Databricks' words. */
const DATA_TYPE = [
  "CASE data_type WHEN 'VARCHAR' THEN 'STRING' WHEN 'INTEGER' THEN 'INT' WHEN 'BLOB' THEN 'BINARY'",
  "WHEN 'TIMESTAMP WITH TIME ZONE' THEN 'TIMESTAMP' WHEN 'TIMESTAMP' THEN 'TIMESTAMP_NTZ' ELSE data_type END",
].join(' ');
const sql = (...parts: string[]) => parts.join(' ');

/** information_schema of one catalog, with Databricks' column names. */
function infoSchemaView(view: string, catalog: string, all: ReadonlySet<string>): string | undefined {
  const phys = quoteString(physicalCatalog(catalog));
  const cat = quoteString(catalog);
  const hidden = `schema_name NOT IN ('main', 'pg_catalog')`;
  switch (view) {
    case 'catalogs':
      return sql(
        `(SELECT * FROM (VALUES ${[...all].map((c) => `(${quoteString(c)}, 'System user', NULL::VARCHAR)`)})`,
        'AS v(catalog_name, catalog_owner, comment))',
      );
    case 'schemata':
      return sql(
        `(SELECT ${cat} AS catalog_name, schema_name, 'System user' AS schema_owner, NULL::VARCHAR AS comment`,
        `FROM information_schema.schemata WHERE catalog_name = ${phys} AND ${hidden}`,
        `UNION ALL SELECT ${cat}, 'information_schema', 'System user', NULL)`,
      );
    case 'tables':
      return sql(
        `(SELECT ${cat} AS table_catalog, table_schema, table_name,`,
        "CASE table_type WHEN 'VIEW' THEN 'VIEW' ELSE 'MANAGED' END AS table_type, 'YES' AS is_insertable_into,",
        "'System user' AS table_owner, NULL::VARCHAR AS comment, 'DELTA' AS data_source_format",
        `FROM information_schema.tables WHERE table_catalog = ${phys} AND table_schema <> 'main')`,
      );
    case 'columns':
      return sql(
        `(SELECT ${cat} AS table_catalog, table_schema, table_name, column_name, ordinal_position, is_nullable,`,
        `lower(${DATA_TYPE}) AS full_data_type, regexp_replace(${DATA_TYPE}, '\\(.*$', '') AS data_type,`,
        'numeric_precision, numeric_scale, NULL::VARCHAR AS comment',
        `FROM information_schema.columns WHERE table_catalog = ${phys} AND table_schema <> 'main')`,
      );
    default:
      return undefined;
  }
}

/** Reads the dotted name starting at k: its parts and the index after it. */
function chainAt(toks: Tok[], k: number): { parts: string[]; end: number } {
  const parts: string[] = [];
  let i = k;
  while (isName(toks[i])) {
    parts.push(toks[i]!.v);
    if (isP(toks[i + 1], '.') && isName(toks[i + 2])) i += 2;
    else {
      i++;
      break;
    }
  }
  return { parts, end: i };
}

/** Words after which a dotted name followed by "(" is a table and its column list, not a function. */
const TABLE_BEFORE = new Set(['INTO', 'TABLE']);

/**
 * Names the engine takes unqualified: UPDATE … SET t.col = … and MERGE … UPDATE SET target.col = …
 * (Databricks takes the target's alias on the assigned column), and ALTER TABLE … RENAME TO schema.t.
 */
function unqualifiedSetTargets(toks: Tok[]): Tok[] {
  const out: Tok[] = [];
  let inSet = false;
  let depth = 0;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (isP(t, '(')) depth++;
    if (isP(t, ')')) depth--;
    const word = up(t);
    if (word === 'SET' && depth === 0) inSet = true;
    else if (inSet && depth === 0 && (word === 'WHEN' || word === 'WHERE' || word === 'FROM')) inSet = false;
    // ALTER TABLE … RENAME TO schema.t: the engine takes the new name alone (a table stays in its schema).
    const renameTo = up(toks[k - 2]) === 'RENAME' && up(toks[k - 1]) === 'TO';
    if (renameTo && isName(t) && isP(toks[k + 1], '.')) {
      const { parts, end } = chainAt(toks, k);
      out.push({ t: 'ident', v: parts.at(-1)! });
      k = end - 1;
      continue;
    }
    const starts = inSet && depth === 0 && (up(toks[k - 1]) === 'SET' || isP(toks[k - 1], ','));
    if (starts && isName(t) && isP(toks[k + 1], '.')) {
      const { parts, end } = chainAt(toks, k);
      if (isP(toks[end], '=')) {
        out.push({ t: 'ident', v: parts.at(-1)! });
        k = end - 1;
        continue;
      }
    }
    out.push(t);
  }
  return out;
}

export function translate(written: Tok[], ctx: DialectContext): string {
  const toks = unqualifiedSetTargets(rewriteCalls(written));
  const out: string[] = [];
  const castDepths: number[] = [];
  // Per parenthesis level: whether it is in a SELECT list now (a context function there gets its column name).
  const selectList: boolean[] = [false];
  let depth = 0;
  let typeNext = false;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    const prev = toks[k - 1];
    if (t.t === 'p') {
      if (t.v === '(') {
        depth++;
        selectList.push(false);
      }
      if (t.v === ')') {
        if (castDepths.at(-1) === depth) castDepths.pop();
        depth--;
        if (selectList.length > 1) selectList.pop();
      }
      if (t.v === '::') typeNext = true;
      if (t.v === '==') {
        out.push('=');
        continue;
      }
      out.push(t.v);
      continue;
    }
    if (t.t === 'str') {
      out.push(quoteString(t.v));
      continue;
    }
    if (t.t === 'num') {
      out.push(emitNumber(t.v));
      continue;
    }
    if (t.t === 'param') {
      out.push(emitParameter(t.v, ctx.parameters));
      continue;
    }
    const word = t.t === 'word' ? t.v.toUpperCase() : undefined;
    // INSERT INTO TABLE t / INSERT OVERWRITE TABLE t: the engine has no TABLE there.
    if (word === 'TABLE' && ['INTO', 'OVERWRITE'].includes(up(prev) ?? '') && up(toks[k - 2]) === 'INSERT') continue;
    if (word === 'SELECT' || SELECT_ITEM_END.has(word ?? '')) selectList[selectList.length - 1] = word === 'SELECT';
    if (typeNext || (word === 'TIMESTAMP' && toks[k + 1]?.t === 'str')) {
      typeNext = false;
      out.push(t.t === 'word' ? (engineTypeWord(t.v) ?? t.v) : quoteIdent(t.v));
      continue;
    }
    if (word === 'AS' && castDepths.at(-1) === depth) typeNext = true;
    if ((word === 'CAST' || word === 'TRY_CAST') && isP(toks[k + 1], '(')) castDepths.push(depth + 1);
    const called = isP(toks[k + 1], '(') && isP(toks[k + 2], ')');
    const bare =
      !called && CONTEXT_KEYWORDS.has(word ?? '') && !isP(prev, '.') && up(prev) !== 'AS' && !isP(toks[k + 1], '(');
    const value = word && Object.hasOwn(CONTEXT_FUNCTIONS, word) && (called || bare) && CONTEXT_FUNCTIONS[word]!(ctx);
    if (value) {
      const next = toks[k + (called ? 3 : 1)];
      const ends = next === undefined || isP(next, ',') || SELECT_ITEM_END.has(up(next) ?? '');
      const item = selectList.at(-1) && (up(prev) === 'SELECT' || up(prev) === 'DISTINCT' || isP(prev, ','));
      // A whole item of a SELECT list is named as Databricks names the column: current_timestamp(), with or
      // without the parentheses.
      out.push(item && ends ? `${value} AS ${quoteIdent(`${t.v.toLowerCase()}()`)}` : value);
      if (called) k += 2;
      continue;
    }
    if (word && Object.hasOwn(RENAMED_FUNCTIONS, word) && isP(toks[k + 1], '(') && !isP(prev, '.')) {
      out.push(RENAMED_FUNCTIONS[word]!);
      continue;
    }
    // X'AA00': a BINARY literal (the engine writes its bytes as hex text to from_hex).
    if (word === 'X' && toks[k + 1]?.t === 'str' && /^([0-9a-f]{2})*$/i.test(toks[k + 1]!.v)) {
      out.push(`from_hex(${quoteString(toks[k + 1]!.v)})`);
      k++;
      continue;
    }
    if (isP(toks[k + 1], '(') && t.t === 'word' && DENIED_FUNCTION.test(t.v)) throw unresolvedRoutine(t.v);
    // A dotted name: catalogs get their physical names; information_schema becomes a view.
    if (!isP(prev, '.') && isP(toks[k + 1], '.')) {
      const { parts, end } = chainAt(toks, k);
      const lower = parts.map((p) => p.toLowerCase());
      const info =
        lower.length === 3 && ctx.catalogs.has(lower[0]!) && lower[1] === 'information_schema'
          ? infoSchemaView(lower[2]!, lower[0]!, ctx.catalogs)
          : lower.length === 2 && lower[0] === 'information_schema'
            ? infoSchemaView(lower[1]!, ctx.catalog, ctx.catalogs)
            : undefined;
      if (info && !isP(toks[end], '(')) {
        ctx.used?.add(lower.length === 3 ? lower[0]! : ctx.catalog);
        const aliased =
          up(toks[end]) === 'AS' ||
          toks[end]?.t === 'ident' ||
          (toks[end]?.t === 'word' &&
            !SELECT_ITEM_END.has(up(toks[end])!) &&
            !['JOIN', 'ON', 'LEFT', 'RIGHT', 'INNER', 'CROSS', 'FULL'].includes(up(toks[end])!));
        out.push(aliased ? info : `${info} AS ${quoteIdent(parts.at(-1)!)}`);
        k = end - 1;
        continue;
      }
      // A name followed by "(" is a function (catalog.schema.fn(…)), except the table of INSERT INTO t (cols).
      if (!isP(toks[end], '(') || TABLE_BEFORE.has(up(prev) ?? '')) {
        // Quoted, so that names the engine reserves (`default`) still work as names.
        const named = lower.length >= 3 && ctx.catalogs.has(lower[0]!);
        if (named) ctx.used?.add(lower[0]!);
        const first = named ? physicalCatalog(lower[0]!) : parts[0]!;
        out.push([first, ...parts.slice(1)].map(quoteIdent).join('.'));
        k = end - 1;
        continue;
      }
    }
    out.push(t.t === 'ident' ? quoteIdent(t.v) : t.v);
  }
  return out.join(' ');
}

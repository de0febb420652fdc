/**
 * Databricks functions whose arguments the engine takes in another form, rewritten as tokens before
 * the translation (dialect.ts): the cast functions (int(x)…), to_date, to_timestamp, date_format (Java
 * datetime patterns as strftime formats), date_sub, add_months, trunc, size, rand, named_struct, struct,
 * map, collect_list, collect_set, datediff, unix_timestamp, from_unixtime and sha2(…, 256). Meanings from the Databricks SQL language
 * reference. A call in a form not handled here is left as it is: the engine answers for it as before
 * (usually [UNRESOLVED_ROUTINE]).
 */
import { isP, up, type Tok } from './tokens.js';

const w = (v: string): Tok => ({ t: 'word', v });
const p = (v: string): Tok => ({ t: 'p', v });
const s = (v: string): Tok => ({ t: 'str', v });
const call = (name: string, ...args: Tok[][]): Tok[] => [w(name), p('('), ...joined(args), p(')')];
const cast = (expr: Tok[], type: string): Tok[] => [w('CAST'), p('('), ...expr, w('AS'), w(type), p(')')];
const joined = (args: Tok[][]): Tok[] => args.flatMap((a, i) => (i > 0 ? [p(','), ...a] : a));

/** A struct field's name: `expr AS name`, a column's own name, else col1, col2… as Databricks names them. */
function field(arg: Tok[], i: number): { name: string; expr: Tok[] } {
  const [as, name] = arg.slice(-2);
  if (arg.length > 2 && up(as) === 'AS' && (name?.t === 'word' || name?.t === 'ident'))
    return { name: name.v, expr: arg.slice(0, -2) };
  const last = arg.at(-1);
  const column = arg.every((t, k) => (k % 2 === 0 ? t.t === 'word' || t.t === 'ident' : isP(t, '.')));
  return { name: column && last ? last.v : `col${i + 1}`, expr: arg };
}

/** A Java date pattern (Databricks' datetime patterns) as a strftime format, or undefined for a letter not known. */
export function strftimeOf(pattern: string): string | undefined {
  const FIELDS: Record<string, string> = {
    yyyy: '%Y',
    yy: '%y',
    y: '%Y',
    MMMM: '%B',
    MMM: '%b',
    MM: '%m',
    M: '%-m',
    dd: '%d',
    d: '%-d',
    HH: '%H',
    H: '%-H',
    hh: '%I',
    h: '%-I',
    mm: '%M',
    m: '%-M',
    ss: '%S',
    s: '%-S',
    SSS: '%g',
    a: '%p',
    EEEE: '%A',
    EEE: '%a',
    E: '%a',
    DDD: '%j',
    D: '%-j',
  };
  let out = '';
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) return undefined;
      out += end === i + 1 ? "'" : pattern.slice(i + 1, end).replace(/%/g, '%%');
      i = end + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      out += c === '%' ? '%%' : c;
      i++;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n++;
    const run = c.repeat(n);
    const f = FIELDS[run] ?? (c === 'y' && n >= 4 ? '%Y' : undefined);
    if (f === undefined) return undefined;
    out += f;
    i += n;
  }
  return out;
}

/** The format argument as a strftime format, when it is a string literal with known letters. */
const formatOf = (arg: Tok[] | undefined) =>
  arg?.length === 1 && arg[0]!.t === 'str' ? strftimeOf(arg[0]!.v) : undefined;

/** trunc(date, fmt) units, by the reference's names for them. */
const TRUNC_UNITS: Record<string, string> = {
  YEAR: 'year',
  YYYY: 'year',
  YY: 'year',
  QUARTER: 'quarter',
  MONTH: 'month',
  MM: 'month',
  MON: 'month',
  WEEK: 'week',
};

/** Databricks' cast functions: int(x) is CAST(x AS INT). */
const CAST_FUNCTIONS = [
  'BIGINT',
  'BINARY',
  'BOOLEAN',
  'DATE',
  'DOUBLE',
  'FLOAT',
  'INT',
  'SMALLINT',
  'STRING',
  'TIMESTAMP',
  'TINYINT',
];

const REWRITES: Record<string, (args: Tok[][]) => Tok[] | undefined> = {
  ...Object.fromEntries(
    CAST_FUNCTIONS.map((type) => [type, (args: Tok[][]) => (args.length === 1 ? cast(args[0]!, type) : undefined)]),
  ),
  TO_DATE: (args) => {
    if (args.length === 1) return cast(args[0]!, 'DATE');
    const f = formatOf(args[1]);
    return args.length === 2 && f ? cast(call('strptime', args[0]!, [s(f)]), 'DATE') : undefined;
  },
  TO_TIMESTAMP: (args) => {
    if (args.length === 1) return cast(args[0]!, 'TIMESTAMP');
    const f = formatOf(args[1]);
    return args.length === 2 && f ? cast(call('strptime', args[0]!, [s(f)]), 'TIMESTAMP') : undefined;
  },
  DATE_FORMAT: (args) => {
    const f = formatOf(args[1]);
    return args.length === 2 && f ? call('strftime', cast(args[0]!, 'TIMESTAMP'), [s(f)]) : undefined;
  },
  DATE_SUB: (args) =>
    args.length === 2 ? cast([...cast(args[0]!, 'DATE'), p('-'), ...cast(args[1]!, 'INT')], 'DATE') : undefined,
  ADD_MONTHS: (args) =>
    args.length === 2 ? cast([...cast(args[0]!, 'DATE'), p('+'), ...call('to_months', args[1]!)], 'DATE') : undefined,
  TRUNC: (args) => {
    const unit =
      args[1]?.length === 1 && args[1][0]!.t === 'str' ? TRUNC_UNITS[args[1][0]!.v.toUpperCase()] : undefined;
    return args.length === 2 && unit ? cast(call('date_trunc', [s(unit)], cast(args[0]!, 'DATE')), 'DATE') : undefined;
  },
  SIZE: (args) => (args.length === 1 ? cast(call('len', args[0]!), 'INT') : undefined),
  RAND: (args) => (args.length === 0 ? call('random') : undefined),
  NAMED_STRUCT: (args) => {
    if (args.length === 0 || args.length % 2 !== 0) return undefined;
    const fields: Tok[][] = [];
    for (let i = 0; i < args.length; i += 2) {
      const key = args[i]!;
      if (key.length !== 1 || key[0]!.t !== 'str') return undefined;
      fields.push([{ t: 'ident', v: key[0]!.v }, p(':='), ...args[i + 1]!]);
    }
    return call('struct_pack', ...fields);
  },
  STRUCT: (args) =>
    args.length === 0
      ? undefined
      : call(
          'struct_pack',
          ...args.map((a, i) => {
            const f = field(a, i);
            return [{ t: 'ident', v: f.name } as Tok, p(':='), ...f.expr];
          }),
        ),
  MAP: (args) =>
    args.length % 2 !== 0
      ? undefined
      : [
          w('MAP'),
          p('{'),
          ...args.flatMap((a, i) => [...(i === 0 ? [] : i % 2 === 0 ? [p(',')] : [p(':')]), ...a]),
          p('}'),
        ],
  // Both skip NULLs, as Databricks' do; collect_set also drops repeats.
  COLLECT_LIST: (args) =>
    args.length !== 1 || up(args[0]![0]) === 'DISTINCT'
      ? undefined
      : [
          ...call('list', args[0]!),
          w('FILTER'),
          p('('),
          w('WHERE'),
          p('('),
          ...args[0]!,
          p(')'),
          w('IS'),
          w('NOT'),
          w('NULL'),
          p(')'),
        ],
  COLLECT_SET: (args) => (args.length !== 1 ? undefined : call('list_distinct', call('list', args[0]!))),
  // datediff(end, start): the days from start to end, an INT.
  DATEDIFF: (args) =>
    args.length !== 2
      ? undefined
      : cast(call('date_diff', [s('day')], cast(args[1]!, 'DATE'), cast(args[0]!, 'DATE')), 'INT'),
  UNIX_TIMESTAMP: (args) =>
    args.length > 1
      ? undefined
      : cast(
          call('epoch', args.length === 0 ? [w('current_timestamp'), p('('), p(')')] : cast(args[0]!, 'TIMESTAMP')),
          'BIGINT',
        ),
  FROM_UNIXTIME: (args) =>
    args.length !== 1 ? undefined : call('strftime', call('to_timestamp', args[0]!), [s('%Y-%m-%d %H:%M:%S')]),
  SHA2: (args) =>
    args.length === 2 && args[1]!.length === 1 && ['0', '256'].includes(args[1]![0]!.v)
      ? call('sha256', args[0]!)
      : undefined,
};

/** The index of the parenthesis closing the one at `open`, or -1. */
function closing(toks: Tok[], open: number): number {
  let depth = 0;
  for (let i = open; i < toks.length; i++) {
    if (isP(toks[i], '(')) depth++;
    if (isP(toks[i], ')') && --depth === 0) return i;
  }
  return -1;
}

/** Arguments split at their top-level commas (none for `()`). */
function argumentsOf(inner: Tok[]): Tok[][] {
  if (inner.length === 0) return [];
  const args: Tok[][] = [[]];
  let depth = 0;
  for (const t of inner) {
    if (isP(t, '(') || isP(t, '[')) depth++;
    if (isP(t, ')') || isP(t, ']')) depth--;
    if (isP(t, ',') && depth === 0) args.push([]);
    else args.at(-1)!.push(t);
  }
  return args;
}

export function rewriteCalls(toks: Tok[]): Tok[] {
  const out: Tok[] = [];
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    const name = t.t === 'word' ? t.v.toUpperCase() : '';
    const close =
      Object.hasOwn(REWRITES, name) && isP(toks[k + 1], '(') && !isP(toks[k - 1], '.') ? closing(toks, k + 1) : -1;
    if (close < 0) {
      out.push(t);
      continue;
    }
    const args = argumentsOf(toks.slice(k + 2, close)).map(rewriteCalls);
    out.push(...(REWRITES[name]!(args) ?? [t, p('('), ...joined(args), p(')')]));
    k = close;
  }
  return out;
}

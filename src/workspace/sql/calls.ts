/**
 * Databricks functions whose arguments the engine takes in another form, rewritten as tokens before
 * the translation (dialect.ts): named_struct, struct, map, collect_list, collect_set, datediff,
 * unix_timestamp, from_unixtime and sha2(…, 256). Meanings from the Databricks SQL language
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

const REWRITES: Record<string, (args: Tok[][]) => Tok[] | undefined> = {
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

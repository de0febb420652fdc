/** Databricks SQL text as tokens: strings, `quoted` identifiers, numbers, words, punctuation, :params. */
import { parseError } from './errors.js';

export type Tok =
  | { t: 'word'; v: string }
  | { t: 'ident'; v: string }
  | { t: 'str'; v: string }
  | { t: 'num'; v: string }
  | { t: 'param'; v: string }
  | { t: 'p'; v: string };

const PUNCT = [
  '::',
  '<=>',
  '<=',
  '>=',
  '<>',
  '!=',
  '==',
  '||',
  '(',
  ')',
  ',',
  '.',
  ';',
  '*',
  '=',
  '<',
  '>',
  '+',
  '-',
  '/',
  '%',
  '[',
  ']',
  ':',
  '&',
  '|',
  '^',
  '~',
];

function quoted(sql: string, i: number, q: string): [string, number] {
  let v = '';
  let j = i + 1;
  for (;;) {
    if (j >= sql.length)
      throw parseError(sql.slice(i, i + 10), `unclosed ${q === '`' ? 'identifier' : 'string literal'}`);
    const d = sql[j]!;
    if (d === '\\' && q !== '`' && j + 1 < sql.length) {
      const n = sql[j + 1]!;
      v += ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[n] ?? n;
      j += 2;
    } else if (d === q && sql[j + 1] === q) {
      v += q;
      j += 2;
    } else if (d === q) return [v, j + 1];
    else {
      v += d;
      j++;
    }
  }
}

/**
 * `ordinal`: the statement comes with ordinal parameters (Thrift: a JDBC PreparedStatement's), so each
 * `?` marker is a parameter, named `_1`, `_2`… in order; otherwise a `?` is refused like any unknown sign.
 */
export function tokenize(sql: string, ordinal = false): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let marker = 0;
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
      if (end < 0) throw parseError(sql.slice(i, i + 10), 'unclosed comment');
      i = end + 2;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      const [v, next] = quoted(sql, i, c);
      if (c === '`' && v === '') throw parseError('``');
      out.push({ t: c === '`' ? 'ident' : 'str', v });
      i = next;
      continue;
    }
    const rest = sql.slice(i, i + 400);
    const num = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?(BD|[LlDdFfSsYy])?(?![A-Za-z_])/.exec(rest);
    if (num) {
      out.push({ t: 'num', v: num[0] });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (word) {
      out.push({ t: 'word', v: word[0] });
      i += word[0].length;
      continue;
    }
    if (ordinal && c === '?') {
      out.push({ t: 'param', v: `_${++marker}` });
      i++;
      continue;
    }
    const param = /^:([A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    if (param && !sql.startsWith('::', i)) {
      out.push({ t: 'param', v: param[1]! });
      i += param[0].length;
      continue;
    }
    const p = PUNCT.find((x) => sql.startsWith(x, i));
    if (!p) throw parseError(c);
    out.push({ t: 'p', v: p });
    i += p.length;
  }
  return out;
}

export const up = (t: Tok | undefined): string | undefined => (t && t.t === 'word' ? t.v.toUpperCase() : undefined);
export const isP = (t: Tok | undefined, v: string): boolean => t?.t === 'p' && t.v === v;
export const isName = (t: Tok | undefined): boolean => t?.t === 'word' || t?.t === 'ident';
/** How a token reads in an error message. */
export const shown = (t: Tok | undefined): string =>
  t === undefined ? 'end of input' : t.t === 'str' ? `'${t.v}'` : t.t === 'param' ? `:${t.v}` : t.v;

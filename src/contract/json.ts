/**
 * JSON in and out of pcsim. Every id of a workspace, user or organization is an int64 that
 * may exceed 2^53 (CONTRACT §2), so JSON.parse/JSON.stringify are never used on wire data:
 * integers outside the safe range come back as `bigint` and are written back as exact digits.
 */
import { randomBytes } from 'node:crypto';
import { parse as losslessParse, stringify as losslessStringify, isSafeNumber } from 'lossless-json';

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; message: string };

function parseNumber(text: string): number | bigint {
  if (/^-?\d+$/.test(text) && !isSafeNumber(text)) return BigInt(text);
  return Number(text);
}

/** Parses JSON text exactly; throws SyntaxError with a position on malformed input. */
export function parseJson(text: string): unknown {
  return losslessParse(text, null, parseNumber);
}

/** Parses JSON text exactly, as a value instead of an exception. */
export function tryParseJson(text: string): JsonParseResult {
  try {
    return { ok: true, value: parseJson(text) };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Parses like `tryParseJson`, at native speed where it can: well-formed text is read by
 * `parseExactJson` (the same values, ~3x faster); text JSON.parse refuses gets lossless-json's
 * diagnosis, with its position. JSON.parse keeps the last of a repeated key: callers that judge
 * repeats check `findDuplicateKey` first and use `tryParseJson` for such text.
 */
export function tryParseExactJson(text: string): JsonParseResult {
  try {
    return { ok: true, value: parseExactJson(text) };
  } catch {
    return tryParseJson(text);
  }
}

/** A non-integer JSON number a double cannot hold exactly (e.g. 9007199254740993.5), kept as its source text. */
export class InexactNumber {
  constructor(readonly source: string) {}
  toString(): string {
    return this.source;
  }
}

/**
 * Parses like `parseJson`, and also lists the non-integer numbers a double would round, with
 * their paths, so a message can quote what was sent ("9007199254740993.5") instead of the
 * rounded double ("9007199254740994"). Those numbers are `InexactNumber`s in the value.
 */
export function parseJsonNoting(text: string): {
  value: unknown;
  inexact: Array<{ path: (string | number)[]; source: string }>;
} {
  const value = losslessParse(text, null, (s) =>
    !/^-?\d+$/.test(s) && !isSafeNumber(s) ? new InexactNumber(s) : parseNumber(s),
  );
  const inexact: Array<{ path: (string | number)[]; source: string }> = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (v instanceof InexactNumber) inexact.push({ path, source: v.source });
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(value, []);
  return { value, inexact };
}

/** Writes JSON with bigint values as exact integer literals. */
export function stringifyJson(value: unknown, indent?: number): string {
  const out = losslessStringify(value, undefined, indent);
  if (out === undefined) throw new TypeError('Failed to serialize JSON: the value has no JSON form.');
  return out;
}

/**
 * The first key that appears twice in one object of a well-formed JSON text, with its offset.
 * JSON parsers keep the last value silently (or, like lossless-json, accept repeats of an equal
 * value), so a partner's duplicate keys would otherwise go unnoticed.
 */
export function findDuplicateKey(text: string): { key: string; position: number } | undefined {
  const stack: Array<Set<string> | null> = []; // a Set per open object, null per open array
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && expectKey) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          return undefined; // not well-formed: the parser reports it
        }
        if (top.has(key)) return { key, position: i };
        top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      stack.push(null);
      expectKey = false;
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') expectKey = stack[stack.length - 1] instanceof Set;
    else if (c === ':') expectKey = false;
  }
  return undefined;
}

/* Native-speed exact JSON, for pcsim's own files (the state, its log). The wire keeps the lossless
 * parser above for its error positions; these give the same values at JSON.parse / stringify speed:
 * big integer literals travel as marked strings through the native functions. The mark carries a
 * per-process random part, so no string a partner sends can pass for one. */
const MARK = `\u0000${Math.random().toString(36).slice(2, 10)}:`;
/** The mark as it reads inside a JSON string literal (the NUL escaped). */
const MARK_JSON = JSON.stringify(MARK).slice(1, -1);
const MARKED_BIGINT = new RegExp(`"${MARK_JSON.replace(/\\/g, '\\\\')}(-?\\d+)"`, 'g');
/** A string literal (skipped, escapes included) or an integer literal long enough to be unsafe. */
const TOKEN = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/g;

/** JSON.stringify, with bigint values written as exact integer literals. */
export function stringifyExactJson(value: unknown, indent?: number): string {
  let big = false;
  const text = JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v !== 'bigint') return v;
      big = true;
      return `${MARK}${v}`;
    },
    indent,
  );
  if (text === undefined) throw new TypeError('Failed to serialize JSON: the value has no JSON form.');
  return big ? text.replace(MARKED_BIGINT, '$1') : text;
}

/** JSON.parse, with integers beyond 2^53 as bigint (as parseJson gives them). */
export function parseExactJson(text: string): unknown {
  let big = false;
  const marked = text.replace(TOKEN, (tok) => {
    if (tok.charCodeAt(0) === 34 || isSafeNumber(tok)) return tok;
    big = true;
    return `"${MARK_JSON}${tok}"`;
  });
  if (!big) return JSON.parse(text);
  return unmark(JSON.parse(marked));
}

/** A fresh mark for bigint values written as strings (`bigintReplacer`): a NUL and 12 random hex digits. */
export function bigintMark(): string {
  return `\u0000${randomBytes(6).toString('hex')}:`;
}

/** A JSON.stringify replacer writing each bigint as `mark` + its digits; `seen()` is called when one is. */
export function bigintReplacer(mark: string, seen: () => void = () => undefined) {
  return (_k: string, v: unknown): unknown => {
    if (typeof v !== 'bigint') return v;
    seen();
    return `${mark}${v}`;
  };
}

/** Turns the strings `bigintReplacer` marked back into bigint, in place: a walk in JS, far cheaper than a reviver. */
export function unmarkBigints<T>(value: T, mark: string): T {
  return unmark(value, mark) as T;
}

function unmark(v: unknown, mark = MARK): unknown {
  if (typeof v === 'string') return v.startsWith(mark) ? BigInt(v.slice(mark.length)) : v;
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x === 'object' ? x !== null : typeof x === 'string') v[i] = unmark(x, mark);
    }
    return v;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (typeof x === 'object' ? x !== null : typeof x === 'string') o[k] = unmark(x, mark);
  }
  return v;
}

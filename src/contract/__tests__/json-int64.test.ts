import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseJson, stringifyJson, tryParseJson } from '../json.js';
import { isInt64, randomInt64, toInt64, toWire } from '../int64.js';

describe('int64 ids travel exactly', () => {
  it('keeps an id above 2^53 exact through parse and stringify', () => {
    const text = '{"workspace_id":4645065419173783088,"port":443,"ratio":1.5}';
    const value = parseJson(text) as Record<string, unknown>;
    expect(value.workspace_id).toBe(4645065419173783088n);
    expect(value.port).toBe(443);
    expect(stringifyJson(value)).toBe(text);
  });

  it('round-trips every int64 through the wire form', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        const id = toInt64(n)!;
        const back = parseJson(stringifyJson({ id: toWire(id) })) as { id: bigint | number };
        expect(toInt64(back.id)).toBe(id);
      }),
    );
  });

  it('refuses values outside int64 and unsafe JS numbers', () => {
    expect(toInt64(2n ** 63n)).toBeUndefined();
    expect(toInt64('9223372036854775808')).toBeUndefined();
    expect(toInt64(2 ** 60)).toBeUndefined(); // a double that has already lost digits
    expect(toInt64('12a')).toBeUndefined();
    expect(toInt64(' 42 ')).toBe('42');
  });

  it('makes fresh ids above 2^53 so rounding partners are caught', () => {
    for (let i = 0; i < 50; i++) {
      const id = randomInt64();
      expect(isInt64(id)).toBe(true);
      expect(BigInt(id) > 2n ** 53n).toBe(true);
    }
  });

  it('reports malformed JSON and duplicate keys as values', () => {
    expect(tryParseJson('{"a":')).toMatchObject({ ok: false });
    const dup = tryParseJson('{"a":1,"a":2}');
    expect(dup.ok).toBe(false);
  });
});

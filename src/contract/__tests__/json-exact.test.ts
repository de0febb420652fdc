import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  findDuplicateKey,
  parseExactJson,
  parseJson,
  stringifyExactJson,
  stringifyJson,
  tryParseExactJson,
  tryParseJson,
} from '../json.js';

/** JSON values with int64-sized integers (as bigint beyond 2^53), odd strings and nested shapes. */
const big = fc
  .bigInt({ min: -(2n ** 63n), max: 2n ** 64n })
  .map((b) => (Number.isSafeInteger(Number(b)) ? Number(b) : b));
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    big,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('12345678901234567890', '"9007199254740993"', '\u0000x:1', 'e-12345678901234567'),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('v'), { maxKeys: 4 }),
  ),
})).v;

describe('exact JSON at native speed (the state file and its log)', () => {
  it('parses every text exactly as the lossless parser does', () => {
    fc.assert(
      fc.property(value, fc.constantFrom(undefined, 2), (v, indent) => {
        const text = stringifyJson(v, indent);
        expect(parseExactJson(text)).toEqual(parseJson(text));
      }),
      { numRuns: 400 },
    );
  });

  it('writes what the lossless writer writes', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(stringifyExactJson(v)).toBe(stringifyJson(v));
      }),
      { numRuns: 400 },
    );
  });

  it('keeps fractions, exponents and strings of digits as they are', () => {
    const text =
      '{"a":0.12345678901234567890,"b":1e-12345678901234567,"c":"12345678901234567890","d":-12345678901234567890}';
    expect(parseExactJson(text)).toEqual(parseJson(text));
    expect((parseExactJson(text) as { d: bigint }).d).toBe(-12345678901234567890n);
  });

  it('refuses malformed text like JSON.parse', () => {
    expect(() => parseExactJson('{"a": 12345678901234567890')).toThrow(SyntaxError);
  });

  it("answers a partner's text as tryParseJson does: the same values, and lossless-json's diagnosis of the rest", () => {
    // Whole texts, and texts cut or altered at any point (what a broken partner sends).
    const texts = fc.oneof(
      fc.tuple(value, fc.constantFrom(undefined, 2)).map(([v, indent]) => stringifyJson(v, indent)),
      fc
        .tuple(value, fc.nat(), fc.constantFrom('', ',', '}', ']', '"', '\\', '\u0001', 'x', ' '))
        .map(([v, at, insert]) => {
          const text = stringifyJson(v);
          const i = at % (text.length + 1);
          return text.slice(0, i) + insert + text.slice(i + 1);
        }),
    );
    fc.assert(
      fc.property(texts, (text) => {
        fc.pre(findDuplicateKey(text) === undefined); // a repeated key goes to tryParseJson (rules.ts)
        expect(tryParseExactJson(text)).toEqual(tryParseJson(text));
      }),
      { numRuns: 1000 },
    );
    for (const text of ['', ' ', '{"a":1,}', '[1 2]', '{"a":01}', '"\\u12"', '{"a":1}x', '\ufeff{}', 'NaN'])
      expect(tryParseExactJson(text)).toEqual(tryParseJson(text));
  });
});

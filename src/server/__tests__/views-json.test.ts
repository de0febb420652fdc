import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Exchange } from '../../partner-client/types.js';
import { answerJsonWithList, exchangeAnswerJson, exchangeView } from '../views.js';

/** JSON-like values with exact int64s (bigint) and undefined object fields, as recorded bodies hold. */
const bodyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string(),
    fc.integer(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string(), fc.option(tie('value'), { nil: undefined }), { maxKeys: 4 }),
  ),
})).value;

const exchangeOf = (body: unknown, answer: unknown, status: number): Exchange => ({
  id: `x-${status}`,
  at: '2026-12-02T00:00:00.000Z',
  kind: 'connect',
  partner: 'p1',
  workspace_id: '3000000000000000001',
  request: { method: 'POST', url: 'http://127.0.0.1:1/connect', headers: {}, body },
  response: { status, headers: { 'content-type': 'application/json' }, body: answer, body_bytes: 10 },
  attempts: [{ n: 1, status, waited_ms: 0, duration_ms: 3 }],
  duration_ms: 3,
  violations: [],
});

describe('an exchange written once as JSON text', () => {
  it('is the text of its view: bigints as exact decimal strings, undefined fields left out', () => {
    fc.assert(
      fc.property(bodyValue, bodyValue, fc.integer({ min: 100, max: 599 }), (body, answer, status) => {
        const ex = exchangeOf(body, answer, status);
        expect(exchangeAnswerJson(ex).toString()).toBe(JSON.stringify(exchangeView(ex)));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the text of each exchange apart: another exchange gets its own', () => {
    const a = exchangeOf({ workspace_id: 9007199254740993n }, { connection_id: 'a' }, 200);
    const b = exchangeOf({ workspace_id: 9007199254740995n }, { connection_id: 'b' }, 200);
    expect(exchangeAnswerJson(a).toString()).toContain('"workspace_id":"9007199254740993"');
    expect(exchangeAnswerJson(b).toString()).toContain('"workspace_id":"9007199254740995"');
    expect(exchangeAnswerJson(a)).toBe(exchangeAnswerJson(a));
  });
});

describe('answerJsonWithList', () => {
  it('is the JSON of the object with the list first, then the fields', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 5 }),
        fc.dictionary(
          // Named fields, as an answer's are (an object would put index-like keys such as "0" first).
          fc.string().filter((k) => k !== 'items' && k !== '__proto__' && !/^(0|[1-9]\d*)$/.test(k)),
          fc.option(fc.jsonValue(), { nil: undefined }),
          { maxKeys: 4 },
        ),
        (items, fields) => {
          const text = answerJsonWithList(
            'items',
            items.map((i) => Buffer.from(JSON.stringify(i))),
            fields,
          ).toString();
          expect(text).toBe(JSON.stringify({ items, ...fields }));
        },
      ),
    );
  });
});

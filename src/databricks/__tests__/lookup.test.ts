/**
 * Look-ups answer as a scan of the list does, whether the list is short enough to be scanned
 * (no index) or indexed, and across the length where one becomes the other.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { lookup, lookupOne } from '../lookup.js';

interface Rec {
  n: number;
  key?: string | string[];
}
const keyOf = (r: Rec) => r.key;
const KEYS = ['a', 'b', 'c', 'd'];
const rec = fc.record({
  n: fc.nat(),
  key: fc.option(fc.oneof(fc.constantFrom(...KEYS), fc.array(fc.constantFrom(...KEYS), { maxLength: 3 })), {
    nil: undefined,
  }),
});
const matches = (r: Rec, k: string) => (typeof r.key === 'string' ? r.key === k : (r.key ?? []).includes(k));

describe('lookup', () => {
  it('gives the records a scan finds, in list order, for short and long lists as they grow', () => {
    fc.assert(
      fc.property(fc.array(rec, { maxLength: 20 }), (recs) => {
        const list: Rec[] = [];
        for (const r of recs) {
          list.push(r);
          for (const k of KEYS) {
            const want = list.filter((x) => matches(x, k));
            expect(lookup(list, 'key', keyOf, k)).toEqual(want);
            expect(lookupOne(list, 'key', keyOf, k)).toBe(want[0]);
          }
        }
      }),
    );
  });

  it('counts a record listed twice in a row once, as the index does', () => {
    const r: Rec = { n: 1, key: 'a' };
    const short = [r, r];
    const long = [...Array.from({ length: 9 }, (_, n) => ({ n, key: 'z' })), r, r];
    expect(lookup(short, 'key', keyOf, 'a')).toEqual([r]);
    expect(lookup(long, 'key', keyOf, 'a')).toEqual([r]);
  });
});

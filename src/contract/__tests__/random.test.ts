import { describe, expect, it } from '@jest/globals';
import { randomInt64 } from '../int64.js';
import { randomBytesPooled, randomHex } from '../random.js';

describe('pooled randomness', () => {
  it('hands out fresh bytes of the asked length, across pool refills', () => {
    // 4096-byte pool: 3000 draws of 8 bytes cross it several times.
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const b = randomBytesPooled(8);
      expect(b).toHaveLength(8);
      seen.add(b.toString('hex'));
    }
    expect(seen.size).toBe(3000);
  });

  it('returns copies: changing one draw does not change the next', () => {
    const a = randomBytesPooled(16);
    const before = Buffer.from(a);
    a.fill(0);
    const b = randomBytesPooled(16);
    expect(b.equals(a)).toBe(false);
    expect(before.equals(Buffer.alloc(16))).toBe(false);
  });

  it('serves draws larger than the pool directly', () => {
    expect(randomBytesPooled(10000)).toHaveLength(10000);
    expect(randomHex(5000)).toMatch(/^[0-9a-f]{10000}$/);
  });

  it('keeps random int64 ids positive and above 2^53', () => {
    for (let i = 0; i < 1000; i++) {
      const id = BigInt(randomInt64());
      expect(id > 2n ** 53n && id < 2n ** 63n).toBe(true);
    }
  });
});

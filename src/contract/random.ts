/**
 * Cryptographic randomness drawn from a pool: `crypto.randomBytes(8)` is one getrandom system
 * call per id, which `pcsim load` paid several times per copy (11 % of its CPU). The pool is
 * refilled 4 KiB at a time from the same CSPRNG, so the values are as unpredictable as before.
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

/** `n` fresh random bytes (a copy: callers may keep or modify it). */
export function randomBytesPooled(n: number): Buffer {
  if (n > POOL_SIZE) return randomFillSync(Buffer.allocUnsafe(n));
  if (offset + n > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + n));
  offset += n;
  return out;
}

/** `bytes` random bytes as lowercase hex (2 × bytes characters). */
export const randomHex = (bytes: number): string => randomBytesPooled(bytes).toString('hex');

/**
 * int64 ids (workspace, user, organization). Inside pcsim they are decimal strings (exact,
 * JSON-safe for browsers and lowdb); on the wire to a partner they are JSON integers, built
 * with `toWire` and written by `stringifyJson`.
 */
import { randomBytesPooled } from './random.js';

export type Int64 = string;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL = /^-?(0|[1-9]\d*)$/;

export function isInt64(value: unknown): boolean {
  return toInt64(value) !== undefined;
}

/** Normalises a number, bigint or decimal string to the canonical decimal string, if it is an int64. */
export function toInt64(value: unknown): Int64 | undefined {
  let big: bigint;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) return undefined;
    big = BigInt(value);
  } else if (typeof value === 'string' && DECIMAL.test(value.trim())) big = BigInt(value.trim());
  else return undefined;
  if (big < INT64_MIN || big > INT64_MAX) return undefined;
  return big.toString();
}

/** The JSON-integer form for a wire payload: bigint always, so the digits stay exact. */
export function toWire(id: Int64): bigint {
  return BigInt(id);
}

/**
 * A fresh positive int64, deliberately above 2^53 so that every journey exercises exact ids
 * (a partner that rounds them fails the journey instead of passing by luck).
 */
export function randomInt64(): Int64 {
  const buf = randomBytesPooled(8);
  buf[0] = (buf[0]! & 0x3f) | 0x20; // positive, and >= 2^61 > 2^53
  return buf.readBigUInt64BE(0).toString();
}

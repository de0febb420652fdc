/**
 * JSON in and out of pcsim. Every id of a workspace, user or organization is an int64 that
 * may exceed 2^53 (CONTRACT §2), so JSON.parse/JSON.stringify are never used on wire data:
 * integers outside the safe range come back as `bigint` and are written back as exact digits.
 */
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

/** Writes JSON with bigint values as exact integer literals. */
export function stringifyJson(value: unknown, indent?: number): string {
  const out = losslessStringify(value, undefined, indent);
  if (out === undefined) throw new TypeError('Failed to serialize JSON: the value has no JSON form.');
  return out;
}

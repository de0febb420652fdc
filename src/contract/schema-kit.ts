/** Small building blocks shared by the contract schemas. */
import { z } from 'zod';
import { toInt64 } from './int64.js';

/**
 * An int64 as it travels in JSON: an exact integer (bigint above 2^53, see json.ts) or, where
 * pcsim accepts it from people (admin API, scenarios), a decimal string. Normalised to the
 * canonical decimal string.
 */
export const int64 = () =>
  z
    .union([z.bigint(), z.number().int(), z.string().regex(/^-?\d+$/)])
    .transform((v, ctx) => {
      const id = toInt64(v);
      if (id === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `not an int64: ${String(v)}. Expected an integer between -2^63 and 2^63-1.`,
        });
        return z.NEVER;
      }
      return id;
    })
    .meta({ type: 'integer', format: 'int64' } as Record<string, unknown>);

/** An int64 that must be a JSON integer (never a string): what a partner receives on the wire. */
export const wireInt64 = () =>
  z.union([z.bigint(), z.number().int()]).transform((v, ctx) => {
    const id = toInt64(v);
    if (id === undefined) {
      ctx.addIssue({ code: 'custom', message: `integer out of the int64 range: ${String(v)}.` });
      return z.NEVER;
    }
    return id;
  });

export const nonEmpty = () => z.string().min(1);

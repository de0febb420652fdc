import type { DialectContext } from './dialect.js';
import * as E from './errors.js';
import { isP, up, type Tok } from './tokens.js';

/** The read-only `samples` catalog every workspace has: a few rows of samples.nyctaxi.trips. */
export const SAMPLE_TRIPS = {
  name: 'samples.nyctaxi.trips',
  columns: [
    { name: 'tpep_pickup_datetime', type: 'TIMESTAMP' },
    { name: 'tpep_dropoff_datetime', type: 'TIMESTAMP' },
    { name: 'trip_distance', type: 'DOUBLE' },
    { name: 'fare_amount', type: 'DOUBLE' },
    { name: 'pickup_zip', type: 'INT' },
    { name: 'dropoff_zip', type: 'INT' },
  ],
  rows: [
    ['2016-02-13 21:47:53', '2016-02-13 21:57:15', 1.4, 8.0, 10103, 10110],
    ['2016-02-13 18:29:09', '2016-02-13 18:37:23', 1.31, 7.5, 10023, 10023],
    ['2016-02-06 19:40:58', '2016-02-06 19:52:32', 1.8, 9.5, 10001, 10018],
    ['2016-02-12 19:06:43', '2016-02-12 19:20:54', 2.3, 11.5, 10044, 10111],
    ['2016-02-23 10:27:56', '2016-02-23 10:58:33', 2.6, 18.5, 10199, 10022],
  ] as (string | number)[][],
};

/** A write whose target is in the samples catalog (named, or the default catalog): refused as Databricks does. */
export function refuseSamplesWrite(toks: Tok[], ctx: DialectContext, writes: ReadonlySet<string>): void {
  if (!writes.has(up(toks[0]) ?? '')) return;
  const target = toks.findIndex(
    (t, k) =>
      k > 0 &&
      k < 6 &&
      (t.t === 'word' || t.t === 'ident') &&
      ![
        'INTO',
        'OVERWRITE',
        'TABLE',
        'FROM',
        'OR',
        'REPLACE',
        'IF',
        'EXISTS',
        'NOT',
        'VIEW',
        'TEMPORARY',
        'TEMP',
      ].includes(up(t) ?? ''),
  );
  const named =
    target > 0 && isP(toks[target + 1], '.') && isP(toks[target + 3], '.')
      ? toks[target]!.v.toLowerCase()
      : ctx.catalog;
  if (named === 'samples') throw E.readOnlyCatalog('samples');
}

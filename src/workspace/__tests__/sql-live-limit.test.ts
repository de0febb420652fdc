/**
 * The warehouse keeps a bounded number of workspaces' DuckDBs open (duckdb-engine.ts, LIVE_WORKSPACES):
 * each costs megabytes of native memory, and every Connect with the reference partner's core integration
 * opens one. The least recently used idle one is closed; used again, it starts as after a restart.
 */
import { describe, expect, it, jest } from '@jest/globals';
import { DuckDBInstance } from '@duckdb/node-api';
import { SqlEngine, type KnownTable } from '../sql.js';
import { DuckdbBackend } from '../sql/duckdb-engine.js';

const cat = { catalogs: ['main', 'hive_metastore'] };
const trips = 'SELECT count(*) FROM samples.nyctaxi.trips';

/** An engine with room for `limit` open workspaces; `known` plays State.sql_tables (recorded by the API). */
function engine(limit: number) {
  const known = new Map<string, KnownTable[]>();
  let backend: DuckdbBackend | undefined;
  const e = new SqlEngine(
    (ws) => known.get(ws) ?? [],
    async (k) => (backend = await DuckdbBackend.create(k, limit)),
  );
  return { e, known, live: () => backend!.liveWorkspaces };
}

describe('open workspaces are bounded', () => {
  it('closes the least recently used past the limit; one used again has its tables back, empty', async () => {
    const closes = jest.spyOn(DuckDBInstance.prototype, 'closeSync');
    try {
      const { e, known, live } = engine(2);
      const created = await e.execute('1', 'CREATE TABLE main.default.t (id BIGINT, name STRING)', {}, cat);
      expect(created.state).toBe('SUCCEEDED');
      known.set('1', [
        {
          name: 'main.default.t',
          columns: [
            { name: 'id', type: 'bigint' },
            { name: 'name', type: 'string' },
          ],
        },
      ]);
      await e.execute('1', "INSERT INTO main.default.t VALUES (1, 'kept while open')", {}, cat);
      await e.execute('2', trips, {}, cat);
      // Workspace 1 used last: 2 is the least recently used when 3 opens.
      expect((await e.execute('1', 'SELECT count(*) FROM main.default.t', {}, cat)).rows).toEqual([['1']]);
      await e.execute('3', trips, {}, cat);
      expect(live()).toBe(2);
      expect(closes).toHaveBeenCalledTimes(1);
      expect((await e.execute('1', 'SELECT count(*) FROM main.default.t', {}, cat)).rows).toEqual([['1']]);

      // 4 and 5 push 1 out; back, its table is there (State.sql_tables), without the row.
      await e.execute('4', trips, {}, cat);
      await e.execute('5', trips, {}, cat);
      expect(live()).toBe(2);
      const back = await e.execute('1', 'SELECT count(*) FROM main.default.t', {}, cat);
      expect(back).toMatchObject({ state: 'SUCCEEDED', rows: [['0']] });
      expect((await e.execute('1', trips, {}, cat)).rows).toEqual((await e.execute('5', trips, {}, cat)).rows);
      expect(closes.mock.calls.length).toBeGreaterThanOrEqual(3);
    } finally {
      closes.mockRestore();
    }
  });

  it('never closes a workspace with statements queued or running: all of a burst succeed', async () => {
    const { e, live } = engine(1);
    const ids = ['1', '2', '3', '4', '5', '6'];
    const outcomes = await Promise.all(
      ids.flatMap((id) => [e.execute(id, trips, {}, cat), e.execute(id, 'SELECT 40 + 2', {}, cat)]),
    );
    expect(outcomes.map((o) => o.state)).toEqual(ids.flatMap(() => ['SUCCEEDED', 'SUCCEEDED']));
    expect(outcomes.filter((_, i) => i % 2 === 1).map((o) => o.rows)).toEqual(ids.map(() => [['42']]));
    // Once idle, the extra ones were closed by the statements that finished after them.
    expect(live()).toBeLessThanOrEqual(2);
    await e.execute('7', trips, {}, cat);
    expect(live()).toBe(1);
  });
});

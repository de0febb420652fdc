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
function engine(limit: number, parkCells?: number) {
  const known = new Map<string, KnownTable[]>();
  let backend: DuckdbBackend | undefined;
  const e = new SqlEngine(
    (ws) => known.get(ws) ?? [],
    async (k) => (backend = await DuckdbBackend.create(k, limit, parkCells)),
  );
  return { e, known, live: () => backend!.liveWorkspaces, settled: () => backend!.settled() };
}

describe('open workspaces are bounded', () => {
  it('closes the least recently used past the limit; one used again has its tables back, with their rows', async () => {
    const closes = jest.spyOn(DuckDBInstance.prototype, 'closeSync');
    try {
      const { e, known, live, settled } = engine(2);
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
      await settled();
      expect(closes).toHaveBeenCalledTimes(1);
      expect((await e.execute('1', 'SELECT count(*) FROM main.default.t', {}, cat)).rows).toEqual([['1']]);

      // 4 and 5 push 1 out; back, its table is there (State.sql_tables), with the row it held.
      await e.execute('4', trips, {}, cat);
      await e.execute('5', trips, {}, cat);
      expect(live()).toBe(2);
      const back = await e.execute('1', 'SELECT * FROM main.default.t', {}, cat);
      expect(back).toMatchObject({ state: 'SUCCEEDED', rows: [['1', 'kept while open']] });
      expect((await e.execute('1', trips, {}, cat)).rows).toEqual((await e.execute('5', trips, {}, cat)).rows);
      await settled();
      expect(closes.mock.calls.length).toBeGreaterThanOrEqual(3);
    } finally {
      closes.mockRestore();
    }
  });

  it('never closes a workspace with statements queued or running: all of a burst succeed', async () => {
    const { e, live, settled } = engine(1);
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
    await settled();
  });
});

describe('rows outlive a closed workspace', () => {
  // Nested types and BINARY: park.test.ts (the DuckDB side, where their literals can be written).
  const typed =
    'CREATE TABLE main.default.typed (id BIGINT, name STRING, price DECIMAL(10,2), at TIMESTAMP, day DATE, ok BOOLEAN, ratio DOUBLE)';
  const row =
    "(9007199254740993, 'it''s', 12.34, TIMESTAMP '2024-01-02 03:04:05.123456', DATE '2024-01-02', true, 1.5)";
  const all = 'SELECT * FROM main.default.typed ORDER BY id NULLS LAST';

  /** Opens workspaces 2, 3… until workspace 1 has been closed (the limit is 1: one other is enough). */
  async function pushOut(e: SqlEngine) {
    await e.execute('2', trips, {}, cat);
    await e.execute('3', trips, {}, cat);
  }

  it('come back with their values and types, in a table State.sql_tables never recorded', async () => {
    const closes = jest.spyOn(DuckDBInstance.prototype, 'closeSync');
    try {
      const { e, settled } = engine(1);
      expect((await e.execute('1', typed, {}, cat)).state).toBe('SUCCEEDED');
      await e.execute(
        '1',
        `INSERT INTO main.default.typed VALUES ${row}, (NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
        {},
        cat,
      );
      const before = await e.execute('1', all, {}, cat);
      expect(before.rows).toHaveLength(2);
      await pushOut(e);
      await settled();
      expect(closes).toHaveBeenCalled();
      const after = await e.execute('1', all, {}, cat);
      expect(after.state).toBe('SUCCEEDED');
      expect(after.rows).toEqual(before.rows);
      expect(after.columns).toEqual(before.columns);
      // Restored once: another round trip does not double them.
      await pushOut(e);
      expect((await e.execute('1', 'SELECT count(*) FROM main.default.typed', {}, cat)).rows).toEqual([['2']]);
      await settled();
    } finally {
      closes.mockRestore();
    }
  });

  it('are there for a statement that arrives while they are being read out', async () => {
    const { e, settled } = engine(1);
    await e.execute('1', 'CREATE TABLE main.default.t (id BIGINT)', {}, cat);
    await e.execute('1', 'INSERT INTO main.default.t VALUES (1), (2), (3)', {}, cat);
    await e.execute('2', trips, {}, cat); // closes 1 as it ends: its rows are being parked now
    const [count, other] = await Promise.all([
      e.execute('1', 'SELECT sum(id) FROM main.default.t', {}, cat),
      e.execute('3', trips, {}, cat),
    ]);
    expect(count).toMatchObject({ state: 'SUCCEEDED', rows: [['6']] });
    expect(other.state).toBe('SUCCEEDED');
    await settled(); // its closes end here, not in the next test's spy
  });

  it('too many to park: the workspace is left open instead, with everything in it', async () => {
    const closes = jest.spyOn(DuckDBInstance.prototype, 'closeSync');
    try {
      const { e, settled } = engine(1, 10);
      await e.execute('1', 'CREATE TABLE main.default.t (id BIGINT, v STRING)', {}, cat);
      await e.execute('1', "INSERT INTO main.default.t SELECT id, 'v' || id FROM range(20) AS r(id)", {}, cat);
      await pushOut(e);
      await settled();
      expect(closes).toHaveBeenCalledTimes(1); // workspace 2, not 1
      expect((await e.execute('1', 'SELECT count(*) FROM main.default.t', {}, cat)).rows).toEqual([['20']]);
    } finally {
      closes.mockRestore();
    }
  });
});

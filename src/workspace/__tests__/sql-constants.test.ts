import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { DuckDBPreparedStatement } from '@duckdb/node-api';
import { SqlEngine } from '../sql.js';
import { isConstantSelect } from '../sql/constants.js';
import { tokenize } from '../sql/tokens.js';

const cat = { catalogs: ['main', 'hive_metastore'] };

/** How many prepared queries DuckDB itself ran (constant queries are the prepared kind). */
function engineRuns() {
  return jest.spyOn(DuckDBPreparedStatement.prototype, 'run');
}

describe('constant queries answered from the engine’s own earlier answer', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('runs SELECT 1 through DuckDB once, then gives the same answer, as a copy', async () => {
    const e = new SqlEngine();
    const runs = engineRuns();
    const first = await e.execute('1', 'SELECT 1', {}, cat);
    expect(first).toMatchObject({ state: 'SUCCEEDED', kind: 'query', catalogs: ['main'], rows: [['1']] });
    expect(first.columns).toEqual([{ name: '1', position: 0, type_name: 'INT', type_text: 'int' }]);
    first.rows[0]![0] = 'changed by the caller';
    first.columns[0]!.name = 'changed too';
    for (let i = 0; i < 3; i++) {
      const again = await e.execute('1', 'SELECT 1', {}, cat);
      expect(again).toEqual({ ...first, rows: [['1']], columns: [{ ...first.columns[0], name: '1' }] });
    }
    expect(runs).toHaveBeenCalledTimes(1);
    // Another text, other defaults, another workspace: each its own first run.
    const multi = await e.execute('1', "SELECT 2.5 AS x, 'a' AS `y z`", {}, cat);
    expect(multi.columns.map((c) => [c.name, c.type_text])).toEqual([
      ['x', 'decimal(2,1)'],
      ['y z', 'string'],
    ]);
    expect(await e.execute('1', "SELECT 2.5 AS x, 'a' AS `y z`", {}, cat)).toEqual(multi);
    await e.execute('1', 'SELECT 1', { catalog: 'hive_metastore' }, cat);
    await e.execute('2', 'SELECT 1', {}, cat);
    expect(runs).toHaveBeenCalledTimes(4);
  });

  it('runs anything else every time: functions, expressions, tables', async () => {
    const e = new SqlEngine();
    const runs = engineRuns();
    for (const sql of ['SELECT now()', 'SELECT 1 + 1', 'SELECT random()', 'SELECT COUNT(*) FROM samples.nyctaxi.trips'])
      for (let i = 0; i < 2; i++) expect((await e.execute('1', sql, {}, cat)).state).toBe('SUCCEEDED');
    expect(runs).toHaveBeenCalledTimes(8);
  });

  it('forgets its answers when another statement runs: a dropped schema fails the next SELECT 1', async () => {
    const e = new SqlEngine();
    const inS = { catalog: 'main', schema: 's' };
    expect((await e.execute('1', 'CREATE SCHEMA main.s', {}, cat)).state).toBe('SUCCEEDED');
    expect((await e.execute('1', 'SELECT 1', inS, cat)).state).toBe('SUCCEEDED');
    expect((await e.execute('1', 'SELECT 1', inS, cat)).state).toBe('SUCCEEDED');
    expect((await e.execute('1', 'DROP SCHEMA main.s', {}, cat)).state).toBe('SUCCEEDED');
    const after = await e.execute('1', 'SELECT 1', inS, cat);
    expect(after.state).toBe('FAILED');
    expect(after.error?.message).toMatch(/^\[SCHEMA_NOT_FOUND\]/);
  });

  it('waits behind a statement under way, as the engine runs a workspace’s statements in order', async () => {
    const e = new SqlEngine();
    const inS = { catalog: 'main', schema: 's' };
    await e.execute('1', 'CREATE SCHEMA main.s', {}, cat);
    await e.execute('1', 'SELECT 1', inS, cat);
    await e.execute('1', 'SELECT 1', inS, cat);
    const drop = e.execute('1', 'DROP SCHEMA main.s', {}, cat); // not awaited: under way
    const select = e.execute('1', 'SELECT 1', inS, cat);
    expect((await drop).state).toBe('SUCCEEDED');
    expect((await select).state).toBe('FAILED');
  });
});

describe('isConstantSelect', () => {
  const constant = (sql: string) => isConstantSelect(tokenize(sql));

  it('takes literals with aliases only', () => {
    for (const sql of ['SELECT 1', 'select 1', "SELECT 1, 'a' AS b, 2.5BD AS `c d`", 'SELECT 1L'])
      expect({ sql, c: constant(sql) }).toEqual({ sql, c: true });
    for (const sql of [
      'SELECT',
      'SELECT 1 +',
      'SELECT 1 + 1',
      'SELECT -1',
      'SELECT 1 x',
      'SELECT 1 AS',
      'SELECT 1,',
      'SELECT now()',
      'SELECT :p',
      'SELECT 1 FROM t',
      'SELECT a',
      'WITH x AS (SELECT 1) SELECT 1',
    ])
      expect({ sql, c: constant(sql) }).toEqual({ sql, c: false });
  });
});

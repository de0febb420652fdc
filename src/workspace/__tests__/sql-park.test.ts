/**
 * park.ts on DuckDB itself: every type a table can hold comes back equal in a new DuckDB, including
 * those the Databricks dialect has no literal for here (nested types, BLOB, HUGEINT, UUID, INTERVAL).
 */
import { describe, expect, it } from '@jest/globals';
import { DuckDBInstance } from '@duckdb/node-api';
import { attach, type Workspace } from '../sql/catalog.js';
import { parkTables, restoreTables, type Parked } from '../sql/park.js';

async function workspace(): Promise<{ ws: Workspace; close(): void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const ws: Workspace = {
    conn: await instance.connect(),
    attached: new Set(),
    tables: new Map(),
    queue: Promise.resolve(),
  };
  await attach(ws, 'main');
  await attach(ws, 'samples');
  return { ws, close: () => (ws.conn.closeSync(), instance.closeSync()) };
}

const restore = (ws: Workspace, parked: Parked) =>
  restoreTables(ws, 'tables' in parked ? parked.tables : [], 'tables' in parked ? parked.views : []);

/** Runs `made` in one DuckDB, parks it, and restores it into another where `recreated` ran first; the second, open. */
async function parkedInto(made: string[], recreated: string[]): Promise<{ ws: Workspace; close(): void }> {
  const a = await workspace();
  for (const sql of made) await a.ws.conn.run(sql);
  const parked = await parkTables(a.ws.conn);
  a.close();
  const b = await workspace();
  for (const sql of recreated) await b.ws.conn.run(sql);
  await restore(b.ws, parked);
  return b;
}

const COLUMNS =
  'id BIGINT, name VARCHAR, d DECIMAL(10,2), ts TIMESTAMP, tz TIMESTAMPTZ, dt DATE, b BOOLEAN, f DOUBLE, ' +
  'arr INTEGER[], s STRUCT(a INTEGER, b VARCHAR), m MAP(VARCHAR, INTEGER), bin BLOB, h HUGEINT, u UUID, iv INTERVAL';
const ROW =
  "(9007199254740993, 'x''y', 12.34, '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05+02', '2024-01-02', true, 1.5, " +
  "[1, 2, NULL], {'a': 1, 'b': 'z'}, MAP {'k': 1}, '\\xAA\\x00'::BLOB, 170141183460469231731687303715884105727, " +
  "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', INTERVAL 3 DAY)";
const NULLS = `(${Array(15).fill('NULL').join(', ')})`;

describe('parked rows', () => {
  it('come back equal, of every type, in their catalog and schema; an empty one comes back empty, samples are not parked', async () => {
    const a = await workspace();
    await a.ws.conn.run('CREATE SCHEMA pc_main.sales');
    await a.ws.conn.run(`CREATE TABLE pc_main.sales.t (${COLUMNS})`);
    await a.ws.conn.run(`INSERT INTO pc_main.sales.t VALUES ${ROW}, ${NULLS}`);
    await a.ws.conn.run('CREATE TABLE pc_main."default".empty (id BIGINT)');
    await a.ws.conn.run('CREATE TABLE pc_samples."default".trips (id BIGINT)');
    await a.ws.conn.run('INSERT INTO pc_samples."default".trips VALUES (1)');
    const before = (await a.ws.conn.runAndReadAll('SELECT * FROM pc_main.sales.t ORDER BY id')).getRowsJson();
    const parked = await parkTables(a.ws.conn);
    a.close();

    expect('tables' in parked && parked.tables.map((t) => `${t.catalog}.${t.schema}.${t.table}`).sort()).toEqual([
      'pc_main.default.empty',
      'pc_main.sales.t',
    ]);
    const b = await workspace();
    await restore(b.ws, parked);
    const after = (await b.ws.conn.runAndReadAll('SELECT * FROM pc_main.sales.t ORDER BY id')).getRowsJson();
    expect(after).toEqual(before);
    const types = await b.ws.conn.runAndReadAll('SELECT * FROM pc_main.sales.t LIMIT 0');
    expect(types.columnTypes().map(String)).toContain('STRUCT("a" INTEGER, "b" VARCHAR)');
    expect((await b.ws.conn.runAndReadAll('SELECT count(*) FROM pc_main."default".empty')).getRowsJson()).toEqual([
      ['0'],
    ]);
    b.close();
  });

  it('go into a table recreated with other column types and order, cast as an INSERT would', async () => {
    const b = await parkedInto(
      [
        'CREATE TABLE pc_main."default".t (id INTEGER, amount VARCHAR)',
        'INSERT INTO pc_main."default".t VALUES (1, \'2.50\')',
      ],
      ['CREATE TABLE pc_main."default".t (amount DECIMAL(10,2), id BIGINT)'],
    );
    expect((await b.ws.conn.runAndReadAll('SELECT id, amount FROM pc_main."default".t')).getRowsJson()).toEqual([
      ['1', '2.50'],
    ]);
    b.close();
  });

  it('go into a recreated table that lacks a column they have: the column is added', async () => {
    const b = await parkedInto(
      [
        'CREATE TABLE pc_main."default".t (id INTEGER, extra VARCHAR)',
        'INSERT INTO pc_main."default".t VALUES (1, \'kept\')',
      ],
      ['CREATE TABLE pc_main."default".t (id INTEGER)'],
    );
    expect((await b.ws.conn.runAndReadAll('SELECT id, extra FROM pc_main."default".t')).getRowsJson()).toEqual([
      [1, 'kept'],
    ]);
    b.close();
  });

  it('views come back after their tables, a view of a view too, each reading its own schema', async () => {
    const a = await workspace();
    await a.ws.conn.run('CREATE SCHEMA pc_main.sales');
    await a.ws.conn.run('CREATE TABLE pc_main.sales.t (a INTEGER)');
    await a.ws.conn.run('INSERT INTO pc_main.sales.t VALUES (1), (2)');
    await a.ws.conn.run('USE pc_main.sales');
    await a.ws.conn.run('CREATE VIEW pc_main.sales.doubled AS SELECT a * 2 AS b FROM t');
    await a.ws.conn.run('CREATE VIEW pc_main.sales.total AS SELECT sum(b) AS s FROM doubled');
    await a.ws.conn.run('USE pc_main."default"');
    const parked = await parkTables(a.ws.conn);
    a.close();
    expect('views' in parked && parked.views.map((v) => `${v.catalog}.${v.schema}`)).toEqual([
      'pc_main.sales',
      'pc_main.sales',
    ]);
    const b = await workspace();
    await restore(b.ws, parked);
    expect((await b.ws.conn.runAndReadAll('SELECT s FROM pc_main.sales.total')).getRowsJson()).toEqual([['6']]);
    expect(b.ws.current).toBeUndefined();
    b.close();
  });

  it('more values than the limit: nothing is read, the workspace is to stay open', async () => {
    const a = await workspace();
    await a.ws.conn.run('CREATE TABLE pc_main."default".t AS SELECT range AS id FROM range(50)');
    expect(await parkTables(a.ws.conn, 49)).toEqual({ keepOpen: true });
    expect(await parkTables(a.ws.conn, 50)).toMatchObject({ tables: [{ table: 't' }] });
    a.close();
  });
});

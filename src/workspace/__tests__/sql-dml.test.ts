/**
 * The writes ingestion tools and dbt send (Databricks SQL language reference: INSERT, MERGE INTO,
 * UPDATE): a column list after a qualified table, INSERT INTO TABLE, INSERT OVERWRITE, and the target's
 * alias on assigned columns.
 */
import { describe, expect, it } from '@jest/globals';
import { SqlEngine } from '../sql.js';

const cat = { catalogs: ['main'] };

describe('writes', () => {
  const e = new SqlEngine();
  const q = async (sql: string) => {
    const r = await e.execute('1010', sql, {}, cat);
    if (r.state !== 'SUCCEEDED') throw new Error(`${sql}: ${r.error?.message}`);
    return r.rows;
  };

  it('INSERT with a column list after a two- or three-part name, and INSERT INTO TABLE', async () => {
    await q('CREATE TABLE main.default.t (id BIGINT, name STRING)');
    expect(await q("INSERT INTO main.default.t (name, id) VALUES ('a', 1)")).toEqual([['1', '1']]);
    expect(await q("INSERT INTO default.t (id, name) VALUES (2, 'b')")).toEqual([['1', '1']]);
    expect(await q("INSERT INTO TABLE main.default.t SELECT 3, 'c'")).toEqual([['1', '1']]);
    expect(await q('SELECT * FROM main.default.t ORDER BY id')).toEqual([
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
    ]);
  });

  it('MERGE and UPDATE take the target alias on the assigned columns', async () => {
    await q('CREATE TABLE main.default.m (id BIGINT, name STRING)');
    await q("INSERT INTO main.default.m VALUES (1, 'a')");
    await q(
      "MERGE INTO main.default.m AS t USING (SELECT 1 AS id, 'b' AS name UNION ALL SELECT 2, 'c') AS s ON t.id = s.id " +
        'WHEN MATCHED THEN UPDATE SET t.name = s.name WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name)',
    );
    await q("UPDATE main.default.m AS u SET u.name = 'z' WHERE u.id = 2");
    expect(await q('SELECT * FROM main.default.m ORDER BY id')).toEqual([
      ['1', 'b'],
      ['2', 'z'],
    ]);
  });

  it('INSERT OVERWRITE replaces the rows in one transaction: a failed one leaves them as they were', async () => {
    await q('CREATE TABLE main.default.o (id BIGINT)');
    await q('INSERT INTO main.default.o VALUES (1), (2)');
    expect(await q('INSERT OVERWRITE main.default.o SELECT 9')).toEqual([['1', '1']]);
    expect(await q('SELECT id FROM main.default.o')).toEqual([['9']]);
    await q('INSERT OVERWRITE TABLE main.default.o VALUES (3), (4)');
    expect(await q('SELECT id FROM main.default.o ORDER BY id')).toEqual([['3'], ['4']]);
    const bad = await e.execute('1010', "INSERT OVERWRITE main.default.o SELECT 'not a number'", {}, cat);
    expect(bad.error?.message).toMatch(/^\[CAST_INVALID_INPUT\]/);
    expect(await q('SELECT id FROM main.default.o ORDER BY id')).toEqual([['3'], ['4']]);
    const samples = await e.execute(
      '1010',
      'INSERT OVERWRITE samples.nyctaxi.trips SELECT * FROM samples.nyctaxi.trips',
      {},
      cat,
    );
    expect(samples.error?.message).toMatch(/^\[INSUFFICIENT_PERMISSIONS\]/);
    expect(await q('SELECT count(*) FROM samples.nyctaxi.trips')).toEqual([['5']]);
  });
});

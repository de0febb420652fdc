/**
 * Databricks functions the engine takes in another form (sql/calls.ts), as the Databricks SQL
 * language reference defines them: values, types, NULL handling.
 */
import { describe, expect, it } from '@jest/globals';
import { SqlEngine } from '../sql.js';
import { strftimeOf } from '../sql/calls.js';

const cat = { catalogs: ['main'] };

describe('functions rewritten for the engine', () => {
  const e = new SqlEngine();
  const q = async (sql: string) => {
    const r = await e.execute('9009', sql, { now: new Date('2031-05-06T00:00:00Z') }, cat);
    if (r.state !== 'SUCCEEDED') throw new Error(`${sql}: ${r.error?.message}`);
    return r;
  };

  it('named_struct, struct (aliases, column names, col1…) and map, printed as Databricks prints them', async () => {
    const r = await q(
      "SELECT named_struct('a', 1, 'b', 'x') AS n, struct(1 AS a, 'x' AS b) AS s, struct(1, 2) AS c, map('k', 1, 'j', 2) AS m",
    );
    expect(r.rows).toEqual([['{"a":1,"b":"x"}', '{"a":1,"b":"x"}', '{"col1":1,"col2":2}', '{"k":1,"j":2}']]);
    expect(r.columns.map((c) => c.type_name)).toEqual(['STRUCT', 'STRUCT', 'STRUCT', 'MAP']);
    await q('CREATE TABLE main.default.p (id INT, g STRING)');
    await q("INSERT INTO main.default.p VALUES (1, 'a'), (NULL, 'a'), (1, 'a'), (2, 'b')");
    expect((await q('SELECT struct(id, g) AS s FROM main.default.p WHERE id = 2')).rows).toEqual([
      ['{"id":2,"g":"b"}'],
    ]);
  });

  it('collect_list keeps repeats and drops NULLs; collect_set drops both', async () => {
    await q('CREATE TABLE main.default.c (id INT, g STRING)');
    await q("INSERT INTO main.default.c VALUES (1, 'a'), (NULL, 'a'), (1, 'a'), (2, 'b')");
    const r = await q(
      'SELECT g, collect_list(id) AS l, collect_set(id) AS s FROM main.default.c GROUP BY g ORDER BY g',
    );
    expect(r.rows).toEqual([
      ['a', '[1,1]', '[1]'],
      ['b', '[2]', '[2]'],
    ]);
  });

  it('datediff, unix_timestamp, from_unixtime and sha2(…, 256)', async () => {
    const r = await q(
      "SELECT datediff(DATE '2024-03-01', DATE '2024-02-01') AS d, unix_timestamp() AS now, unix_timestamp('1970-01-02 00:00:00') AS u, from_unixtime(86400) AS f, sha2('abc', 256) AS h",
    );
    expect(r.columns.map((c) => c.type_text)).toEqual(['int', 'bigint', 'bigint', 'string', 'string']);
    expect(r.rows).toEqual([
      [
        '29',
        String(Date.parse('2031-05-06T00:00:00Z') / 1000), // the simulated clock's now
        '86400',
        '1970-01-02 00:00:00',
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      ],
    ]);
  });

  it('date functions BI tools send: to_date, to_timestamp, date_format with Java patterns, date_sub, add_months, trunc', async () => {
    const r = await q(
      "SELECT to_date('2024-03-15') AS a, to_date('15/03/2024', 'dd/MM/yyyy') AS b, to_timestamp('15.03.2024 10:20', 'dd.MM.yyyy HH:mm') AS c, " +
        "date_format(TIMESTAMP '2024-03-05 14:07:09.123', 'yyyy-MM-dd HH:mm:ss.SSS') AS d, date_format(DATE '2024-03-05', 'MMM d, yyyy') AS e, " +
        "date_sub(DATE '2024-03-01', 1) AS f, add_months(DATE '2024-01-31', 1) AS g, trunc(DATE '2024-03-15', 'MM') AS h",
    );
    expect(r.columns.map((c) => c.type_text)).toEqual([
      'date',
      'date',
      'timestamp',
      'string',
      'string',
      'date',
      'date',
      'date',
    ]);
    expect(r.rows).toEqual([
      [
        '2024-03-15',
        '2024-03-15',
        '2024-03-15T10:20:00.000Z',
        '2024-03-05 14:07:09.123',
        'Mar 5, 2024',
        '2024-02-29',
        '2024-02-29',
        '2024-03-01',
      ],
    ]);
  });

  it('cast functions, size and rand', async () => {
    const r = await q(
      "SELECT string(1.5) AS a, int('7') AS b, date('2024-01-01') AS c, size(array(1, 2)) AS d, rand() < 1 AS e",
    );
    expect(r.columns.map((c) => c.type_text)).toEqual(['string', 'int', 'date', 'int', 'boolean']);
    expect(r.rows).toEqual([['1.5', '7', '2024-01-01', '2', 'true']]);
  });

  it('a Java pattern letter not known leaves date_format to the engine', () => {
    expect(strftimeOf("yyyy-MM-dd'T'HH:mm")).toBe('%Y-%m-%dT%H:%M');
    expect(strftimeOf("h:mm a, EEE ''yy")).toBe("%-I:%M %p, %a '%y");
    expect(strftimeOf('Q')).toBeUndefined();
  });

  it('a form not handled is left to the engine, which refuses it as Databricks names it', async () => {
    const r = await e.execute('9009', "SELECT sha2('abc', 512)", {}, cat);
    expect(r.error?.message).toMatch(/^\[UNRESOLVED_ROUTINE\] Cannot resolve routine `sha2`/);
  });
});

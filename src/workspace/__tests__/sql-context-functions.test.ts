/**
 * Databricks SQL functions answered from the statement's context (who runs it, the simulated clock)
 * and those the engine names otherwise. Sources: the Databricks SQL language reference (current_user,
 * current_timestamp, now, current_date, nvl, array, get_json_object, BINARY literals X'…').
 */
import { describe, expect, it } from '@jest/globals';
import { SqlEngine } from '../sql.js';
import type { SqlDefaults } from '../sql/types.js';

const cat = { catalogs: ['main', 'hive_metastore'] };
const at = new Date('2031-05-06T07:08:09.123Z');

describe('context functions', () => {
  const e = new SqlEngine();
  const q = (sql: string, defaults: SqlDefaults = {}) => e.execute('4004', sql, defaults, cat);

  it('current_user() is who runs the statement, named as Databricks names the column', async () => {
    const r = await q('SELECT current_user(), current_user, session_user() AS s', { user: 'ana@acme.com' });
    expect(r.state).toBe('SUCCEEDED');
    expect(r.columns.map((c) => [c.name, c.type_text])).toEqual([
      ['current_user()', 'string'],
      ['current_user()', 'string'],
      ['s', 'string'],
    ]);
    expect(r.rows).toEqual([['ana@acme.com', 'ana@acme.com', 'ana@acme.com']]);
    const other = await q('SELECT current_user()', { user: '6f1e0c44-1111-4222-8333-444455556666' });
    expect(other.rows).toEqual([['6f1e0c44-1111-4222-8333-444455556666']]);
  });

  it('current_timestamp(), now() and current_date() answer the simulated clock, typed', async () => {
    const r = await q('SELECT current_timestamp(), now() AS n, current_date(), current_date AS d', { now: at });
    expect(r.error).toBeUndefined();
    expect(r.columns.map((c) => [c.name, c.type_text])).toEqual([
      ['current_timestamp()', 'timestamp'],
      ['n', 'timestamp'],
      ['current_date()', 'date'],
      ['d', 'date'],
    ]);
    expect(r.rows[0]![0]).toMatch(/^2031-05-06[ T]07:08:09\.123/);
    expect(r.rows[0]![2]).toBe('2031-05-06');
  });

  it('are values anywhere an expression goes: in an INSERT, a WHERE, a DEFAULT-less table', async () => {
    const d = { now: at, user: 'ana@acme.com' };
    expect((await q('CREATE TABLE main.default.audit (who STRING, ts TIMESTAMP, day DATE)', d)).state).toBe(
      'SUCCEEDED',
    );
    const ins = await q('INSERT INTO main.default.audit VALUES (current_user(), current_timestamp(), current_date)', d);
    expect(ins.error).toBeUndefined();
    const back = await q(
      'SELECT who, day FROM main.default.audit WHERE ts <= now() AND ts > now() - INTERVAL 1 SECOND AND who = current_user()',
      d,
    );
    expect(back.rows).toEqual([['ana@acme.com', '2031-05-06']]);
  });

  it('a column or alias of that name stays a name', async () => {
    const r = await q('SELECT 1 AS current_date, t.current_user FROM (SELECT 2 AS current_user) AS t', { now: at });
    expect(r.state).toBe('SUCCEEDED');
    expect(r.columns.map((c) => c.name)).toEqual(['current_date', 'current_user']);
    expect(r.rows).toEqual([['1', '2']]);
  });
});

describe('functions the engine names otherwise', () => {
  const e = new SqlEngine();
  const q = (sql: string) => e.execute('5005', sql, {}, cat);

  it('nvl, array, get_json_object and X binary literals', async () => {
    const r = await q(
      `SELECT nvl(NULL, 7) AS a, array(1, 2, NULL) AS b, get_json_object('{"k": {"v": 3}}', '$.k.v') AS c, X'AA00' AS d`,
    );
    expect(r.state).toBe('SUCCEEDED');
    expect(r.columns.map((c) => [c.name, c.type_text])).toEqual([
      ['a', 'int'],
      ['b', 'array<int>'],
      ['c', 'string'],
      ['d', 'binary'],
    ]);
    expect(r.rows[0]!.slice(0, 3)).toEqual(['7', '[1,2,null]', '3']);
  });

  it('a table column named array or nvl is still read as a column', async () => {
    await q('CREATE TABLE main.default.odd (`array` INT, nvl INT)');
    await q('INSERT INTO main.default.odd VALUES (1, 2)');
    expect((await q('SELECT `array`, nvl FROM main.default.odd')).rows).toEqual([['1', '2']]);
  });
});

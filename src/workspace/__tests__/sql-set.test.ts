/**
 * SET and RESET (Databricks SQL language reference: SET, and Configuration parameters: "Databricks
 * SQL does not support setting Spark configurations that aren't listed").
 */
import { describe, expect, it } from '@jest/globals';
import { SqlEngine } from '../sql.js';

const cat = { catalogs: ['main'] };

describe('SET', () => {
  const e = new SqlEngine();
  const q = (sql: string) => e.execute('7007', sql, {}, cat);

  it('sets and reads the listed parameters, answering key and value', async () => {
    const set = await q('SET ansi_mode = false');
    expect(set.state).toBe('SUCCEEDED');
    expect(set.columns.map((c) => c.name)).toEqual(['key', 'value']);
    expect(set.rows).toEqual([['ansi_mode', 'false']]);
    expect((await q('SET TIMEZONE')).rows).toEqual([['TIMEZONE', 'UTC']]);
    expect((await q('SET statement_timeout = 3600')).rows).toEqual([['statement_timeout', '3600']]);
    expect((await q("SET TIME ZONE 'America/New_York'")).state).toBe('SUCCEEDED');
    expect((await q('SET')).rows).toEqual([]);
    const all = await q('SET -v');
    expect(all.columns.map((c) => c.name)).toEqual(['key', 'value', 'meaning']);
    expect(all.rows.map((r) => r[0])).toEqual(expect.arrayContaining(['ANSI_MODE', 'TIMEZONE', 'USE_CACHED_RESULT']));
    expect((await q('RESET')).state).toBe('SUCCEEDED');
    expect((await q('RESET ansi_mode')).state).toBe('SUCCEEDED');
  });

  it('refuses a Spark configuration, or a parameter only an administrator sets', async () => {
    for (const sql of [
      'SET spark.sql.ansi.enabled = true',
      'SET spark.sql.shuffle.partitions',
      'SET read_only_external_metastore = true',
    ]) {
      const r = await q(sql);
      expect({ sql, state: r.state, error: r.error?.message }).toEqual({
        sql,
        state: 'FAILED',
        error: expect.stringMatching(/^\[CONFIG_NOT_AVAILABLE\] Configuration .+ is not available\. SQLSTATE: 42K0I$/),
      });
    }
    expect((await q('SET = 1')).error?.message).toMatch(/^\[PARSE_SYNTAX_ERROR\]/);
  });
});

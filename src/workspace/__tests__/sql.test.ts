import { describe, expect, it } from '@jest/globals';
import { SqlEngine } from '../sql.js';
import { tokenize } from '../sql/tokens.js';

const cat = { catalogs: ['main', 'hive_metastore'] };
const run = (e: SqlEngine, sql: string, defaults = {}) => e.execute('1001', sql, defaults, cat);

describe('SqlEngine', () => {
  it('answers SELECTs on the sample catalog with rows as strings', async () => {
    const e = new SqlEngine();
    const r = (await run(e, 'SELECT pickup_zip, fare_amount FROM samples.nyctaxi.trips WHERE fare_amount > 10 ORDER BY fare_amount'));
    expect(r.state).toBe('SUCCEEDED');
    expect(r.kind).toBe('query');
    expect(r.columns.map((c) => c.name)).toEqual(['pickup_zip', 'fare_amount']);
    expect(r.rows).toEqual([['10044', '11.5'], ['10199', '18.5']]);
    expect((await run(e, 'SELECT COUNT(*) AS n FROM `samples`.`nyctaxi`.`trips` t')).rows).toEqual([['5']]);
  });

  it('creates managed and external tables, inserts and selects with three-part names', async () => {
    const e = new SqlEngine();
    const managed = (await run(e, 'CREATE TABLE main.default.events (id BIGINT, name STRING COMMENT \'who\') USING DELTA'));
    expect(managed).toMatchObject({ state: 'SUCCEEDED', kind: 'write', created: { name: 'main.default.events', managed: true } });
    expect((await run(e, 'CREATE SCHEMA IF NOT EXISTS main.landing')).state).toBe('SUCCEEDED');
    const ext = (await run(e, "CREATE TABLE IF NOT EXISTS main.landing.raw (v INT) LOCATION 's3://bucket/landing/raw' TBLPROPERTIES ('a' = 'b')"));
    expect(ext.created).toEqual({ name: 'main.landing.raw', columns: [{ name: 'v', type: 'INT' }], location: 's3://bucket/landing/raw', managed: false });
    const ins = (await run(e, "INSERT INTO events VALUES (1, 'o''brien'), (2, \"b\")", { catalog: 'main', schema: 'default' }));
    expect(ins).toMatchObject({ state: 'SUCCEEDED', kind: 'write', rows: [['2', '2']] });
    expect((await run(e, 'SELECT name FROM main.default.events WHERE id = 1')).rows).toEqual([["o'brien"]]);
    expect((await run(e, 'SHOW TABLES IN main.landing')).rows).toEqual([['landing', 'raw', 'false']]);
    expect((await run(e, 'CREATE TABLE main.default.copy AS SELECT id FROM main.default.events')).created?.managed).toBe(true);
    expect((await run(e, 'SELECT COUNT(*) AS n FROM main.default.copy')).rows).toEqual([['2']]);
  });

  it('reports syntax errors, unknown tables and schemas as FAILED with Databricks messages', async () => {
    const e = new SqlEngine();
    const bad = (await run(e, 'SELEC 1'));
    expect(bad.state).toBe('FAILED');
    expect(bad.error?.message).toMatch(/^\[PARSE_SYNTAX_ERROR\] Syntax error at or near 'SELEC'/);
    expect((await run(e, 'SELECT * FROM main.default.nope')).error?.message).toMatch(/^\[TABLE_OR_VIEW_NOT_FOUND\].*`main`\.`default`\.`nope`/);
    expect((await run(e, 'CREATE TABLE main.nope.t (a INT)')).error?.message).toMatch(/^\[SCHEMA_NOT_FOUND\]/);
    expect((await run(e, 'CREATE TABLE other.default.t (a INT)')).error?.message).toMatch(/^\[NO_SUCH_CATALOG_EXCEPTION\]/);
    expect((await run(e, 'CREATE TABLE samples.nyctaxi.t (a INT)')).state).toBe('FAILED');
    expect((await run(e, 'SELECT 1; SELECT 2')).state).toBe('FAILED');
  });

  it('refuses alasql extensions that reach files or JavaScript', async () => {
    const e = new SqlEngine();
    for (const sql of ["SELECT * FROM CSV('/etc/passwd')", "SELECT * INTO CSV('/tmp/x.csv') FROM samples.nyctaxi.trips", 'SELECT ``process.exit()``', 'SELECT @a', "REQUIRE 'fs'", 'SELECT a->b FROM t', 'SELECT ? ']) {
      const r = await run(e, sql);
      expect({ sql, state: r.state }).toEqual({ sql, state: 'FAILED' });
    }
  });

  it('keeps workspaces apart', async () => {
    const e = new SqlEngine();
    (await run(e, 'CREATE TABLE main.default.t (a INT)'));
    expect((await e.execute('2002', 'SELECT * FROM main.default.t', {}, cat)).state).toBe('FAILED');
  });

  it('tokenizes strings, quoted identifiers and comments', async () => {
    expect(tokenize("SELECT 'a''b' -- c\n, `x``y` /* z */")).toEqual([{ t: 'word', v: 'SELECT' }, { t: 'str', v: "a'b" }, { t: 'p', v: ',' }, { t: 'ident', v: 'x`y' }]);
  });
});

/**
 * Views as dbt and BI tools make them: CREATE OR REPLACE [TEMPORARY] VIEW, read right after a
 * replacement, and still there after the workspace's DuckDB was closed past the limit and opened again.
 */
import { describe, expect, it } from '@jest/globals';
import { SqlEngine } from '../sql.js';
import { DuckdbBackend } from '../sql/duckdb-engine.js';

const cat = { catalogs: ['main', 'hive_metastore'] };

describe('views', () => {
  it('CREATE OR REPLACE VIEW and TEMPORARY VIEW run, and a replaced view answers its new definition', async () => {
    const e = new SqlEngine();
    const q = async (sql: string) => {
      const r = await e.execute('6006', sql, {}, cat);
      if (r.state !== 'SUCCEEDED') throw new Error(`${sql}: ${r.error?.message}`);
      return r.rows;
    };
    await q('CREATE OR REPLACE VIEW main.default.v AS SELECT 1 AS a');
    expect(await q('SELECT * FROM main.default.v')).toEqual([['1']]);
    await q('CREATE OR REPLACE VIEW main.default.v AS SELECT 5 AS a');
    expect(await q('SELECT * FROM main.default.v')).toEqual([['5']]);
    await q('CREATE OR REPLACE TEMPORARY VIEW tv AS SELECT 2 AS b');
    expect(await q('SELECT * FROM tv')).toEqual([['2']]);
    await q('CREATE OR REPLACE TEMP VIEW tv AS SELECT 3 AS b');
    expect(await q('SELECT * FROM tv')).toEqual([['3']]);
    await q('CREATE TABLE main.default.base (a INT)');
    const views = await e.execute('6006', "SHOW VIEWS IN main.default LIKE 'v*'", {}, cat);
    expect(views.columns.map((c) => c.name)).toEqual(['namespace', 'viewName', 'isTemporary', 'isMaterialized']);
    expect(views.rows).toEqual([['default', 'v', 'false', 'false']]);
    await q('DROP VIEW main.default.v');
    expect((await e.execute('6006', 'SELECT * FROM main.default.v', {}, cat)).error?.message).toMatch(
      /^\[TABLE_OR_VIEW_NOT_FOUND\]/,
    );
  });

  it('a view is there again after its workspace was closed past the limit', async () => {
    let backend: DuckdbBackend | undefined;
    const e = new SqlEngine(
      () => [],
      async (k) => (backend = await DuckdbBackend.create(k, 1)),
    );
    await e.execute('1', 'CREATE TABLE main.default.t (a INT)', {}, cat);
    await e.execute('1', 'INSERT INTO main.default.t VALUES (20), (22)', {}, cat);
    await e.execute(
      '1',
      'CREATE OR REPLACE VIEW main.default.total AS SELECT sum(a) AS s FROM main.default.t',
      {},
      cat,
    );
    await e.execute('2', 'SELECT 1 + 1', {}, cat);
    await e.execute('3', 'SELECT 2 + 2', {}, cat);
    await backend!.settled();
    expect(backend!.liveWorkspaces).toBe(1);
    expect((await e.execute('1', 'SELECT s FROM main.default.total', {}, cat)).rows).toEqual([['42']]);
  });
});

describe('SHOW COLUMNS', () => {
  it('lists a table’s columns as col_name, with the schema in the name or apart', async () => {
    const e = new SqlEngine();
    const q = (sql: string) => e.execute('8008', sql, {}, cat);
    await q('CREATE SCHEMA main.s');
    await q('CREATE TABLE main.s.t (a INT, b STRING)');
    const r = await q('SHOW COLUMNS IN main.s.t');
    expect(r.columns.map((c) => c.name)).toEqual(['col_name']);
    expect(r.rows).toEqual([['a'], ['b']]);
    expect((await q('SHOW COLUMNS FROM t IN main.s')).rows).toEqual([['a'], ['b']]);
    expect((await q('SHOW COLUMNS IN main.s.nope')).error?.message).toMatch(/^\[TABLE_OR_VIEW_NOT_FOUND\]/);
  });
});

describe('SHOW TABLE EXTENDED', () => {
  it('answers each table with the information lines dbt reads: Type, Provider, the Schema tree', async () => {
    const e = new SqlEngine();
    const q = (sql: string) => e.execute('8009', sql, {}, cat);
    await q('CREATE TABLE hive_metastore.default.t (id INT, n BIGINT, s STRING)');
    await q('CREATE VIEW hive_metastore.default.v AS SELECT 1 AS a');
    const r = await q("SHOW TABLE EXTENDED IN hive_metastore.default LIKE '*'");
    expect(r.columns.map((c) => c.name)).toEqual(['database', 'tableName', 'isTemporary', 'information']);
    expect(r.rows.map((x) => x.slice(0, 3))).toEqual([
      ['default', 't', 'false'],
      ['default', 'v', 'false'],
    ]);
    expect(r.rows[0]![3]).toBe(
      'Catalog: hive_metastore\nDatabase: default\nTable: t\nType: MANAGED\nProvider: delta\nSchema: root\n' +
        ' |-- id: integer (nullable = true)\n |-- n: long (nullable = true)\n |-- s: string (nullable = true)\n',
    );
    expect(r.rows[1]![3]).toMatch(/^Catalog: hive_metastore\nDatabase: default\nTable: v\nType: VIEW\nSchema: root\n/);
    expect((await q('SHOW TABLE EXTENDED IN hive_metastore.default')).error?.message).toMatch(
      /^\[PARSE_SYNTAX_ERROR\]/,
    );
  });
});

describe('DESCRIBE TABLE EXTENDED', () => {
  it('adds the detailed table information after the columns and an empty row', async () => {
    const e = new SqlEngine();
    const r = await e.execute('8010', 'CREATE TABLE main.default.d (id INT)', {}, cat);
    expect(r.state).toBe('SUCCEEDED');
    const plain = await e.execute('8010', 'DESCRIBE TABLE main.default.d', {}, cat);
    expect(plain.rows).toEqual([['id', 'int', null]]);
    const extended = await e.execute('8010', 'DESCRIBE TABLE EXTENDED main.default.d', {}, cat);
    expect(extended.rows).toEqual([
      ['id', 'int', null],
      ['', '', ''],
      ['# Detailed Table Information', '', ''],
      ['Catalog', 'main', ''],
      ['Database', 'default', ''],
      ['Table', 'd', ''],
      ['Type', 'MANAGED', ''],
      ['Provider', 'delta', ''],
    ]);
  });
});

describe('DESCRIBE SCHEMA, DESCRIBE CATALOG, ANALYZE TABLE', () => {
  it('describe a schema and a catalog by name, and accept ANALYZE of a known table', async () => {
    const e = new SqlEngine();
    const q = (sql: string) => e.execute('8011', sql, {}, cat);
    const schema = await q('DESCRIBE SCHEMA main.default');
    expect(schema.columns.map((c) => c.name)).toEqual(['database_description_item', 'database_description_value']);
    expect(schema.rows).toEqual([
      ['Catalog Name', 'main'],
      ['Namespace Name', 'default'],
      ['Comment', ''],
    ]);
    expect((await q('DESCRIBE SCHEMA main.nope')).error?.message).toMatch(/^\[SCHEMA_NOT_FOUND\]/);
    const catalog = await q('DESCRIBE CATALOG hive_metastore');
    expect(catalog.columns.map((c) => c.name)).toEqual(['info_name', 'info_value']);
    expect(catalog.rows[0]).toEqual(['Catalog Name', 'hive_metastore']);
    expect((await q('DESCRIBE CATALOG nope')).error?.message).toMatch(/^\[NO_SUCH_CATALOG_EXCEPTION\]/);
    await q('CREATE TABLE main.default.stats (id INT)');
    expect((await q('ANALYZE TABLE main.default.stats COMPUTE STATISTICS')).state).toBe('SUCCEEDED');
    expect((await q('ANALYZE TABLE main.default.stats COMPUTE STATISTICS FOR ALL COLUMNS')).state).toBe('SUCCEEDED');
    expect((await q('ANALYZE TABLE main.default.nope COMPUTE STATISTICS')).error?.message).toMatch(
      /^\[TABLE_OR_VIEW_NOT_FOUND\]/,
    );
  });
});

import { describe, expect, it } from '@jest/globals';
import { SqlEngine } from '../sql.js';
import { tokenize } from '../sql/tokens.js';

const cat = { catalogs: ['main', 'hive_metastore'] };
const run = (e: SqlEngine, sql: string, defaults = {}) => e.execute('1001', sql, defaults, cat);

describe('SqlEngine', () => {
  it('answers SELECTs on the sample catalog with rows as strings', async () => {
    const e = new SqlEngine();
    const r = await run(
      e,
      'SELECT pickup_zip, fare_amount FROM samples.nyctaxi.trips WHERE fare_amount > 10 ORDER BY fare_amount',
    );
    expect(r.state).toBe('SUCCEEDED');
    expect(r.kind).toBe('query');
    expect(r.columns.map((c) => c.name)).toEqual(['pickup_zip', 'fare_amount']);
    expect(r.rows).toEqual([
      ['10044', '11.5'],
      ['10199', '18.5'],
    ]);
    expect((await run(e, 'SELECT COUNT(*) AS n FROM `samples`.`nyctaxi`.`trips` t')).rows).toEqual([['5']]);
  });

  it('creates managed and external tables, inserts and selects with three-part names', async () => {
    const e = new SqlEngine();
    const managed = await run(e, "CREATE TABLE main.default.events (id BIGINT, name STRING COMMENT 'who') USING DELTA");
    expect(managed).toMatchObject({
      state: 'SUCCEEDED',
      kind: 'write',
      created: { name: 'main.default.events', managed: true },
    });
    expect((await run(e, 'CREATE SCHEMA IF NOT EXISTS main.landing')).state).toBe('SUCCEEDED');
    const ext = await run(
      e,
      "CREATE TABLE IF NOT EXISTS main.landing.raw (v INT) LOCATION 's3://bucket/landing/raw' TBLPROPERTIES ('a' = 'b')",
    );
    expect(ext.created).toEqual({
      name: 'main.landing.raw',
      columns: [{ name: 'v', type: 'INT' }],
      location: 's3://bucket/landing/raw',
      managed: false,
    });
    const ins = await run(e, "INSERT INTO events VALUES (1, 'o''brien'), (2, \"b\")", {
      catalog: 'main',
      schema: 'default',
    });
    expect(ins).toMatchObject({ state: 'SUCCEEDED', kind: 'write', rows: [['2', '2']] });
    expect((await run(e, 'SELECT name FROM main.default.events WHERE id = 1')).rows).toEqual([["o'brien"]]);
    expect((await run(e, 'SHOW TABLES IN main.landing')).rows).toEqual([['landing', 'raw', 'false']]);
    expect(
      (await run(e, 'CREATE TABLE main.default.copy AS SELECT id FROM main.default.events')).created?.managed,
    ).toBe(true);
    expect((await run(e, 'SELECT COUNT(*) AS n FROM main.default.copy')).rows).toEqual([['2']]);
  });

  it('reports syntax errors, unknown tables and schemas as FAILED with Databricks messages', async () => {
    const e = new SqlEngine();
    const bad = await run(e, 'SELEC 1');
    expect(bad.state).toBe('FAILED');
    expect(bad.error?.message).toMatch(/^\[PARSE_SYNTAX_ERROR\] Syntax error at or near 'SELEC'/);
    expect((await run(e, 'SELECT * FROM main.default.nope')).error?.message).toMatch(
      /^\[TABLE_OR_VIEW_NOT_FOUND\].*`main`\.`default`\.`nope`/,
    );
    expect((await run(e, 'CREATE TABLE main.nope.t (a INT)')).error?.message).toMatch(/^\[SCHEMA_NOT_FOUND\]/);
    expect((await run(e, 'CREATE TABLE other.default.t (a INT)')).error?.message).toMatch(
      /^\[NO_SUCH_CATALOG_EXCEPTION\]/,
    );
    expect((await run(e, 'CREATE TABLE samples.nyctaxi.t (a INT)')).state).toBe('FAILED');
    expect((await run(e, 'SELECT 1; SELECT 2')).state).toBe('FAILED');
  });

  it('refuses statements that reach files or JavaScript', async () => {
    const e = new SqlEngine();
    for (const sql of [
      "SELECT * FROM CSV('/etc/passwd')",
      "SELECT * INTO CSV('/tmp/x.csv') FROM samples.nyctaxi.trips",
      'SELECT ``process.exit()``',
      'SELECT @a',
      "REQUIRE 'fs'",
      'SELECT a->b FROM t',
      'SELECT ? ',
    ]) {
      const r = await run(e, sql);
      expect({ sql, state: r.state }).toEqual({ sql, state: 'FAILED' });
    }
  });

  it('keeps workspaces apart', async () => {
    const e = new SqlEngine();
    await run(e, 'CREATE TABLE main.default.t (a INT)');
    expect((await e.execute('2002', 'SELECT * FROM main.default.t', {}, cat)).state).toBe('FAILED');
  });

  it('tokenizes strings, quoted identifiers and comments', async () => {
    expect(tokenize("SELECT 'a''b' -- c\n, `x``y` /* z */")).toEqual([
      { t: 'word', v: 'SELECT' },
      { t: 'str', v: "a'b" },
      { t: 'p', v: ',' },
      { t: 'ident', v: 'x`y' },
    ]);
  });
});

describe('the query list BI and ingest tools send first', () => {
  const e = new SqlEngine();
  const q = (sql: string, defaults = {}) => e.execute('3003', sql, defaults, cat);
  const rows = async (sql: string, defaults = {}) => {
    const r = await q(sql, defaults);
    if (r.state !== 'SUCCEEDED') throw new Error(`${sql}: ${r.error?.message}`);
    return r.rows;
  };

  it('answers context functions, SHOW, DESCRIBE and information_schema in Databricks shapes', async () => {
    expect(await rows('SELECT 1')).toEqual([['1']]);
    const ctx = await q('SELECT current_catalog(), current_schema()', { catalog: 'hive_metastore' });
    expect(ctx.columns.map((c) => c.name)).toEqual(['current_catalog()', 'current_schema()']);
    expect(ctx.rows).toEqual([['hive_metastore', 'default']]);
    expect(await rows('SHOW CATALOGS')).toEqual([['main'], ['hive_metastore'], ['samples']]);
    expect(await rows("SHOW CATALOGS LIKE 'hive*'")).toEqual([['hive_metastore']]);
    expect(await rows('CREATE SCHEMA main.sales')).toEqual([]);
    expect(await rows('SHOW SCHEMAS IN main')).toEqual([['default'], ['information_schema'], ['sales']]);
    await rows(
      'CREATE TABLE main.sales.orders (id BIGINT, amount DECIMAL(10,2), note STRING, at TIMESTAMP, tags ARRAY<STRING>) USING DELTA',
    );
    expect(await rows('SHOW TABLES IN main.sales')).toEqual([['sales', 'orders', 'false']]);
    expect(await rows('DESCRIBE TABLE main.sales.orders')).toEqual([
      ['id', 'bigint', null],
      ['amount', 'decimal(10,2)', null],
      ['note', 'string', null],
      ['at', 'timestamp', null],
      ['tags', 'array<string>', null],
    ]);
    expect(
      await rows(
        "SELECT table_schema, table_name, table_type FROM main.information_schema.tables WHERE table_name = 'orders'",
      ),
    ).toEqual([['sales', 'orders', 'MANAGED']]);
    expect(
      await rows(
        "SELECT column_name, data_type, full_data_type FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position LIMIT 2",
      ),
    ).toEqual([
      ['id', 'BIGINT', 'bigint'],
      ['amount', 'DECIMAL', 'decimal(10,2)'],
    ]);
    expect((await rows('SELECT catalog_name FROM information_schema.catalogs')).map((r) => r[0])).toEqual([
      'main',
      'hive_metastore',
      'samples',
    ]);
  });

  it('numbers rows by the window ORDER BY, merges, copies from empty storage and reports typed results', async () => {
    await rows('CREATE TABLE main.default.scores (name STRING, score INT)');
    await rows("INSERT INTO main.default.scores VALUES ('a', 10), ('b', 30), ('c', 20)");
    expect(
      await rows('SELECT name, ROW_NUMBER() OVER (ORDER BY score DESC) AS rn FROM main.default.scores ORDER BY name'),
    ).toEqual([
      ['a', '3'],
      ['b', '1'],
      ['c', '2'],
    ]);
    const merged = await q(
      "MERGE INTO main.default.scores t USING (SELECT 'a' AS name, 99 AS score) s ON t.name = s.name WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *",
    );
    expect(merged).toMatchObject({ state: 'SUCCEEDED', kind: 'write', rows: [['1']] });
    expect(await rows("SELECT score FROM main.default.scores WHERE name = 'a'")).toEqual([['99']]);
    expect(await rows("COPY INTO main.default.scores FROM 's3://bucket/landing' FILEFORMAT = CSV")).toEqual([
      ['0', '0'],
    ]);
    expect((await q("COPY INTO main.default.nope FROM 's3://b'")).error?.message).toMatch(
      /^\[TABLE_OR_VIEW_NOT_FOUND\]/,
    );
    const typed = await q(
      "SELECT 1.50 AS d, CAST(2 AS LONG) AS l, 2.5D AS dbl, 3Y AS b, DATE '2024-01-01' AS day, TIMESTAMP '2024-01-01 10:00:00' AS ts",
    );
    expect(typed.columns.map((c) => `${c.type_text}/${c.type_name}`)).toEqual([
      'decimal(3,2)/DECIMAL',
      'bigint/LONG',
      'double/DOUBLE',
      'tinyint/BYTE',
      'date/DATE',
      'timestamp/TIMESTAMP',
    ]);
    expect(typed.rows).toEqual([['1.50', '2', '2.5', '3', '2024-01-01', '2024-01-01T10:00:00.000Z']]);
    const ext = await q(
      "CREATE TABLE hive_metastore.default.raw (v INT) USING DELTA LOCATION 's3://bucket/raw' TBLPROPERTIES ('a' = 'b')",
    );
    expect(ext).toMatchObject({
      state: 'SUCCEEDED',
      created: { name: 'hive_metastore.default.raw', location: 's3://bucket/raw', managed: false },
      catalogs: ['hive_metastore'],
    });
    expect((await e.listTables('3003', cat, 'hive_metastore')).map((t) => [t.name, t.table_type, t.location])).toEqual([
      ['raw', 'EXTERNAL', 's3://bucket/raw'],
    ]);
    expect((await e.listColumns('3003', cat, 'main', 'default', 'scores'))?.map((c) => c.type_text)).toEqual([
      'string',
      'int',
    ]);
    expect(await e.listSchemas('3003', cat, 'nope')).toEqual([]);
  });

  it("refuses with Databricks error classes and SQLSTATEs, never the engine's words, and never reaches files", async () => {
    const cases: [string, RegExp, string][] = [
      [
        'SELECT * FROM main.default.nope',
        /^\[TABLE_OR_VIEW_NOT_FOUND\] The table or view `main`\.`default`\.`nope` cannot be found/,
        '42P01',
      ],
      ['SELECT * FROM nope', /`main`\.`default`\.`nope`/, '42P01'],
      ['SELEC 1', /^\[PARSE_SYNTAX_ERROR\] Syntax error at or near 'SELEC'/, '42601'],
      ['SELECT no_such_fn(1)', /^\[UNRESOLVED_ROUTINE\] Cannot resolve routine `no_such_fn`/, '42883'],
      ['SELECT missing_col FROM main.default.scores', /^\[UNRESOLVED_COLUMN\.WITHOUT_SUGGESTION\]/, '42703'],
      ['USE CATALOG nope', /^\[NO_SUCH_CATALOG_EXCEPTION\] Catalog 'nope' was not found/, '42704'],
      ['USE SCHEMA main.nope', /^\[SCHEMA_NOT_FOUND\]/, '42704'],
      ["SELECT CAST('x' AS INT)", /^\[CAST_INVALID_INPUT\]/, '22018'],
      ["SELECT * FROM read_csv('/etc/passwd')", /^\[UNRESOLVED_ROUTINE\]/, '42883'],
      ['SELECT version()', /^\[UNRESOLVED_ROUTINE\]/, '42883'],
      ["COPY main.default.scores TO '/tmp/pcsim-escape.csv'", /^\[PARSE_SYNTAX_ERROR\]/, '42601'],
      ["ATTACH '/tmp/x.db' AS x", /^\[PARSE_SYNTAX_ERROR\]/, '42601'],
      // An engine setting is no Databricks parameter: refused before the engine sees it.
      ['SET threads = 4', /^\[CONFIG_NOT_AVAILABLE\] Configuration threads is not available/, '42K0I'],
      ['SET VAR threads = 4', /^\[PARSE_SYNTAX_ERROR\]/, '42601'],
      ['PRAGMA database_list', /^\[PARSE_SYNTAX_ERROR\]/, '42601'],
      [
        'INSERT INTO samples.nyctaxi.trips SELECT * FROM samples.nyctaxi.trips',
        /^\[INSUFFICIENT_PERMISSIONS\]/,
        '42501',
      ],
    ];
    for (const [sql, message, sqlState] of cases) {
      const r = await q(sql);
      expect({ sql, state: r.state, message: r.error?.message, sql_state: r.error?.sql_state }).toEqual({
        sql,
        state: 'FAILED',
        message: expect.stringMatching(message),
        sql_state: sqlState,
      });
      expect(r.error!.message).toMatch(new RegExp(`SQLSTATE: ${sqlState}$`));
      expect(r.error!.message).not.toMatch(/duckdb|Binder Error|Catalog Error|Parser Error|pc_main/i);
    }
  });

  it('loads the engine on the first statement, not before', async () => {
    let loads = 0;
    const lazy = new SqlEngine(undefined, async () => {
      loads++;
      const m = await import('../sql/duckdb-engine.js');
      return m.DuckdbBackend.create(() => []);
    });
    expect(loads).toBe(0);
    expect((await lazy.execute('1', 'SELECT 1', {}, cat)).rows).toEqual([['1']]);
    await lazy.listCatalogs('1', cat);
    expect(loads).toBe(1);
  });
});

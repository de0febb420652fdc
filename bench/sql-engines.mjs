#!/usr/bin/env node
// Benchmark and comparison of SQL engines for the simulated warehouse (docs/decisions/0010):
// alasql, DuckDB (@duckdb/node-api), PGlite (@electric-sql/pglite), and pcsim's engine (DuckDB
// behind the Databricks dialect layer, from dist/). Each engine runs in its own process: import
// time, start-up, the query list BI and ingest tools send first (Databricks SQL text, as sent),
// SELECT 1 and insert+select statements/s, RSS.
// Run: npm run build && npm install --no-save alasql@^4 @electric-sql/pglite@^0.5 && node bench/sql-engines.mjs [seconds=2]
//   [--only=alasql,duckdb,pglite,pcsim]
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const seconds = Number(process.argv.find((a) => /^\d+(\.\d+)?$/.test(a)) ?? 2);
const engine = process.argv.find((a) => a.startsWith('--engine='))?.slice(9);
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');

/** The query list: Databricks SQL as BI and ingest tools send it; `ok` judges the rows (strings) of the statement, or of the verifying query after it. */
const QUERIES = [
  ['SELECT 1', 'SELECT 1', (r) => r[0]?.[0] === '1'],
  ['current_catalog()', 'SELECT current_catalog()', (r) => r.length === 1],
  ['current_schema()', 'SELECT current_schema()', (r) => r.length === 1],
  ['SHOW CATALOGS', 'SHOW CATALOGS', (r) => r.length >= 1],
  ['SHOW SCHEMAS', 'SHOW SCHEMAS', (r) => r.length >= 1],
  ['SHOW TABLES', 'SHOW TABLES', (r) => r.some((x) => x.includes('t'))],
  ['DESCRIBE TABLE', 'DESCRIBE TABLE t', (r) => r.length === 2],
  ['information_schema.catalogs', 'SELECT * FROM information_schema.catalogs', (r) => r.length >= 1],
  ['information_schema.schemata', 'SELECT schema_name FROM information_schema.schemata', (r) => r.length >= 1],
  [
    'information_schema.tables',
    "SELECT table_name FROM information_schema.tables WHERE table_name = 't'",
    (r) => r.length === 1,
  ],
  [
    'information_schema.columns',
    "SELECT column_name FROM information_schema.columns WHERE table_name = 't'",
    (r) => r.length === 2,
  ],
  [
    'ROW_NUMBER() OVER (ORDER BY x DESC)',
    'SELECT x, ROW_NUMBER() OVER (ORDER BY x DESC) AS rn FROM t ORDER BY x',
    (r) => JSON.stringify(r) === '[["1","3"],["2","2"],["3","1"]]',
  ],
  ['CREATE TABLE … USING DELTA', 'CREATE TABLE d (id BIGINT, name STRING) USING DELTA', () => true],
  ["CREATE TABLE … LOCATION '…'", "CREATE TABLE e (id BIGINT) USING DELTA LOCATION 's3://bucket/e'", () => true],
  ['INSERT', "INSERT INTO t VALUES (4, 'd')", (r) => r[0]?.[0] === 'd', 'SELECT name FROM t WHERE x = 4'],
  [
    'MERGE INTO',
    "MERGE INTO t USING (SELECT 4 AS x, 'z' AS name) AS s ON t.x = s.x WHEN MATCHED THEN UPDATE SET name = s.name WHEN NOT MATCHED THEN INSERT (x, name) VALUES (s.x, s.name)",
    (r) => r[0]?.[0] === 'z',
    'SELECT name FROM t WHERE x = 4',
  ],
  ['COPY INTO', "COPY INTO t FROM 's3://bucket/landing' FILEFORMAT = CSV", () => true],
  ['`backtick` identifiers', 'SELECT `x` FROM `t` WHERE `x` = 1', (r) => r.length === 1],
];
/** Refusals: each must fail; a Databricks error class ([CLASS] … SQLSTATE) scores for the error columns. */
const REFUSALS = [
  ['missing table', 'SELECT * FROM nope', /^\[TABLE_OR_VIEW_NOT_FOUND\].*SQLSTATE: 42P01/],
  ['syntax error', 'SELEC 1', /^\[PARSE_SYNTAX_ERROR\].*SQLSTATE: 42601/],
  ['unknown function', 'SELECT no_such_fn(1)', /^\[UNRESOLVED_ROUTINE\].*SQLSTATE: 42883/],
];
/** Reaching files or JavaScript, in each engine's own words: must fail. */
const ESCAPES = {
  alasql: ["SELECT * FROM CSV('/etc/passwd')", 'SELECT ``1+1`` AS two'],
  duckdb: ["SELECT * FROM read_csv('/etc/passwd')", "COPY t TO '/tmp/pcsim-bench-escape.csv'"],
  pglite: ["SELECT pg_read_file('/etc/passwd')", "COPY t TO '/tmp/pcsim-bench-escape.csv'"],
  pcsim: ["SELECT * FROM read_csv('/etc/passwd')", "COPY t TO '/tmp/pcsim-bench-escape.csv'", 'SELECT ``1+1`` AS two'],
};

const str = (v) => (v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Each engine: import, start, and exec(sql) → rows of strings (throws on error). */
const ENGINES = {
  async alasql() {
    const t = performance.now();
    const alasql = (await import('alasql')).default;
    const importMs = performance.now() - t;
    const db = new alasql.Database('bench');
    return {
      importMs,
      exec: async (sql) => {
        const r = db.exec(sql);
        return Array.isArray(r) ? r.map((o) => Object.values(o).map(str)) : [];
      },
    };
  },
  async duckdb() {
    const t = performance.now();
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const importMs = performance.now() - t;
    const conn = await (
      await DuckDBInstance.create(':memory:', {
        enable_external_access: 'false',
        lock_configuration: 'true',
        threads: '1',
      })
    ).connect();
    return { importMs, exec: async (sql) => (await conn.runAndReadAll(sql)).getRowsJson().map((r) => r.map(str)) };
  },
  async pglite() {
    const t = performance.now();
    const { PGlite } = await import('@electric-sql/pglite');
    const importMs = performance.now() - t;
    const db = await PGlite.create();
    return {
      importMs,
      exec: async (sql) => (await db.query(sql, [], { rowMode: 'array' })).rows.map((r) => r.map(str)),
    };
  },
  async pcsim() {
    const t = performance.now();
    const { SqlEngine } = await import('../dist/workspace/sql.js');
    const e = new SqlEngine();
    let importMs = 0;
    const cat = { catalogs: ['main', 'hive_metastore'] };
    const exec = async (sql) => {
      const o = await e.execute('1', sql, {}, cat);
      if (o.state !== 'SUCCEEDED') throw new Error(o.error.message);
      return o.rows;
    };
    // The engine loads on the first statement: that is its import.
    await exec('SELECT 1');
    importMs = performance.now() - t;
    return { importMs, exec };
  },
};

async function measure(name) {
  const rss0 = process.memoryUsage().rss;
  const t = performance.now();
  const { exec, importMs } = await ENGINES[name]();
  const startMs = performance.now() - t;
  const rssStarted = process.memoryUsage().rss;
  await exec('CREATE TABLE t (x INT, name VARCHAR(20))');
  await exec("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  const list = [];
  for (const [label, sql, ok, verify] of QUERIES) {
    try {
      let rows = await exec(sql);
      if (verify) rows = await exec(verify);
      list.push([label, ok(rows) ? 'yes' : 'wrong result']);
    } catch (e) {
      list.push([label, `no: ${String(e.message).split('\n')[0].slice(0, 70)}`]);
    }
  }
  const refusals = [];
  for (const [label, sql, re] of REFUSALS) {
    try {
      await exec(sql);
      refusals.push([label, 'not refused']);
    } catch (e) {
      refusals.push([
        label,
        re.test(e.message) ? 'Databricks class' : `engine text: ${String(e.message).split('\n')[0].slice(0, 60)}`,
      ]);
    }
  }
  const escapes = [];
  for (const sql of ESCAPES[name]) {
    try {
      await exec(sql);
      const host = sql.startsWith('COPY') ? existsSync('/tmp/pcsim-bench-escape.csv') : true;
      rmSync('/tmp/pcsim-bench-escape.csv', { force: true });
      escapes.push([sql, host ? 'RAN' : 'ran in a virtual file system (host untouched)']);
    } catch {
      escapes.push([sql, 'refused']);
    }
  }
  const rate = async (fn) => {
    let n = 0;
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) await fn(n++);
    return Math.round(n / seconds);
  };
  await exec('CREATE TABLE b (id INT, name VARCHAR(20))');
  const select1 = await rate(() => exec('SELECT 1'));
  const insertSelect = await rate(async (i) => {
    await exec(`INSERT INTO b VALUES (${i}, 'n${i}')`);
    await exec(`SELECT name FROM b WHERE id = ${i}`);
  });
  return {
    name,
    importMs: Math.round(importMs),
    startMs: Math.round(startMs),
    rssStartMb: Math.round((rssStarted - rss0) / 1e6),
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
    list,
    refusals,
    escapes,
    select1,
    insertSelect,
  };
}

if (engine) {
  process.stdout.write(JSON.stringify(await measure(engine)));
  process.exit(0);
}

const results = [];
for (const name of Object.keys(ENGINES).filter((n) => !only || only.includes(n))) {
  try {
    results.push(
      JSON.parse(
        execFileSync(process.execPath, [fileURLToPath(import.meta.url), `--engine=${name}`, String(seconds)], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      ),
    );
  } catch (e) {
    console.log(
      `${name}: not measured (${
        String(e.stderr ?? e.message)
          .split('\n')
          .find((l) => /Error|Cannot find/.test(l)) ?? 'failed'
      }); install it with npm install --no-save, or build for pcsim`,
    );
  }
}
const pad = (s, n) => String(s).padEnd(n);
console.log(
  `\n${pad('engine', 8)} ${pad('import ms', 10)} ${pad('start ms', 9)} ${pad('+RSS MB', 8)} ${pad('RSS MB', 7)} ${pad('list', 6)} ${pad('errors', 7)} ${pad('escapes', 8)} ${pad('SELECT 1/s', 11)} insert+select/s`,
);
for (const r of results) {
  const list = `${r.list.filter(([, v]) => v === 'yes').length}/${r.list.length}`;
  const errs = `${r.refusals.filter(([, v]) => v === 'Databricks class').length}/${r.refusals.length}`;
  const esc = `${r.escapes.filter(([, v]) => v !== 'RAN').length}/${r.escapes.length}`;
  console.log(
    `${pad(r.name, 8)} ${pad(r.importMs, 10)} ${pad(r.startMs, 9)} ${pad(r.rssStartMb, 8)} ${pad(r.rssMb, 7)} ${pad(list, 6)} ${pad(errs, 7)} ${pad(esc, 8)} ${pad(r.select1, 11)} ${r.insertSelect}`,
  );
}
console.log(
  '\nimport ms: the module (pcsim: up to its first answer); start ms: import + first instance; +RSS: RSS added by that; list: query list answered right; errors: refusals with a Databricks error class; escapes: host file or JavaScript access refused.',
);
for (const [label] of QUERIES)
  console.log(
    `  ${pad(label, 38)} ${results.map((r) => pad(`${r.name}: ${r.list.find(([l]) => l === label)[1]}`, 40)).join(' ')}`,
  );
for (const r of results) console.log(`  ${r.name} escapes: ${r.escapes.map(([s, v]) => `${v} ← ${s}`).join('; ')}`);

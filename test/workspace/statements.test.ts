/**
 * The Statement Execution API over real HTTP: documented shapes (fixtures/workspace/statements),
 * parameters, limits, chunks, async execution and cancel, Databricks error classes, and P200
 * judged only from statements that SUCCEEDED.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { p200Verdict } from '../../src/workspace/verdicts.js';
import { call, partnerConfig, startWorkspace, type TestWorkspace } from './harness.js';

let w: TestWorkspace;
afterEach(async () => w?.close());

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/workspace/statements/${name}.json`, import.meta.url), 'utf8'));
/** The shape of a JSON value: keys and value types, arrays by their first element. */
const shape = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, shape(x)]),
    );
  return v === null ? 'null' : typeof v;
};

async function post(body: Record<string, unknown>) {
  return call(w.base, 'POST', '/api/2.0/sql/statements', {
    token: w.resources.pat!,
    body: { warehouse_id: w.resources.warehouse!.id, ...body },
  });
}
const get = (path: string) => call(w.base, 'GET', path, { token: w.resources.pat! });

describe('Statement Execution API', () => {
  it('answers in the documented shapes: chunks of a large result, the last chunk, a failure with sql_state', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const sql =
      'SELECT id, CASE WHEN id = 10001 THEN NULL ELSE CAST(1.50 AS DECIMAL(10,2)) END AS amount FROM range(10002) AS r(id)';
    const ok = await post({ statement: sql, wait_timeout: '30s' });
    expect(ok.status).toBe(200);
    expect(shape(ok.body)).toEqual(shape(fixture('succeeded-chunked')));
    expect(ok.body.manifest).toMatchObject({
      total_chunk_count: 2,
      total_row_count: 10002,
      truncated: false,
      schema: fixture('succeeded-chunked').manifest.schema,
    });
    const id = ok.body.statement_id;
    expect(ok.body.result.next_chunk_internal_link).toBe(`/api/2.0/sql/statements/${id}/result/chunks/1`);
    const last = await get(ok.body.result.next_chunk_internal_link);
    expect(last.status).toBe(200);
    expect(last.body).toEqual(fixture('chunk-last'));
    expect((await get(`/api/2.0/sql/statements/${id}/result/chunks/2`)).body.error_code).toBe(
      'INVALID_PARAMETER_VALUE',
    );

    const failed = await post({ statement: 'SELECT * FROM nope' });
    expect(shape(failed.body)).toEqual(shape(fixture('failed')));
    expect(failed.body.status).toEqual(fixture('failed').status);
  });

  it('binds named parameters as typed values and reports Databricks type_text for computed and empty results', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const r = await post({
      statement: 'SELECT :n + 1 AS next, :name AS name, :price AS price, :day AS day, :missing IS NULL AS absent',
      parameters: [
        { name: 'n', value: '41', type: 'INT' },
        { name: 'name', value: "o'brien" },
        { name: 'price', value: '9.5', type: 'DECIMAL(10,2)' },
        { name: 'day', value: '2024-02-29', type: 'DATE' },
        { name: 'missing' },
      ],
    });
    expect(r.body.status).toEqual({ state: 'SUCCEEDED' });
    expect(
      r.body.manifest.schema.columns.map(
        (c: { type_text: string; type_name: string }) => `${c.type_text}/${c.type_name}`,
      ),
    ).toEqual(['int/INT', 'string/STRING', 'decimal(10,2)/DECIMAL', 'date/DATE', 'boolean/BOOLEAN']);
    expect(r.body.result.data_array).toEqual([['42', "o'brien", '9.50', '2024-02-29', 'true']]);

    const unbound = await post({ statement: 'SELECT :nope' });
    expect(unbound.body.status).toMatchObject({
      state: 'FAILED',
      error: { error_code: 'BAD_REQUEST', message: expect.stringMatching(/^\[UNBOUND_SQL_PARAMETER\]/) },
      sql_state: '42P02',
    });
    const badCast = await post({ statement: 'SELECT :n', parameters: [{ name: 'n', value: 'x', type: 'INT' }] });
    expect(badCast.body.status).toMatchObject({ state: 'FAILED', sql_state: '22018' });
    const badParams = await post({ statement: 'SELECT 1', parameters: [{ value: '1' }] });
    expect(badParams).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('parameters[0].name') },
    });

    await post({ statement: 'CREATE TABLE main.default.sales (id INT, amount DECIMAL(10,2))' });
    const empty = await post({
      statement:
        'SELECT max(amount) AS top, count(*) AS n, max(id) + 1 AS next, avg(id) AS mean, upper(max(CAST(id AS STRING))) AS label FROM main.default.sales WHERE id > 5',
    });
    expect(
      empty.body.manifest.schema.columns.map((c: { name: string; type_text: string }) => `${c.name}:${c.type_text}`),
    ).toEqual(['top:decimal(10,2)', 'n:bigint', 'next:int', 'mean:double', 'label:string']);
  });

  it('cuts results at row_limit and byte_limit and says so in manifest.truncated', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const rows = await post({ statement: 'SELECT id FROM range(10) AS r(id) ORDER BY id', row_limit: 3 });
    expect(rows.body.manifest).toMatchObject({ total_row_count: 3, truncated: true });
    expect(rows.body.result.data_array).toEqual([['0'], ['1'], ['2']]);
    const all = await post({ statement: 'SELECT id FROM range(3) AS r(id)', row_limit: 3 });
    expect(all.body.manifest.truncated).toBe(false);
    const bytes = await post({ statement: "SELECT repeat('x', 100) AS s FROM range(10)", byte_limit: 350 });
    expect(bytes.body.manifest).toMatchObject({ total_row_count: 3, truncated: true });
    expect((await post({ statement: 'SELECT 1', row_limit: -1 })).status).toBe(400);
  });

  it('runs asynchronously with wait_timeout 0s, cancels, and refuses what the simulated warehouse does not support', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const pending = await post({ statement: 'SELECT 42 AS answer', wait_timeout: '0s' });
    expect(pending.body).toEqual({ ...fixture('pending'), statement_id: pending.body.statement_id });
    let polled = await get(`/api/2.0/sql/statements/${pending.body.statement_id}`);
    for (let i = 0; i < 50 && ['PENDING', 'RUNNING'].includes(polled.body.status.state); i++) {
      await new Promise((r) => setTimeout(r, 50));
      polled = await get(`/api/2.0/sql/statements/${pending.body.statement_id}`);
    }
    expect(polled.body).toMatchObject({ status: { state: 'SUCCEEDED' }, result: { data_array: [['42']] } });

    const slow = await post({
      statement: 'SELECT count(*) FROM range(300000000) AS r(id) WHERE id % 7 = 3',
      wait_timeout: '0s',
    });
    const cancel = await call(w.base, 'POST', `/api/2.0/sql/statements/${slow.body.statement_id}/cancel`, {
      token: w.resources.pat!,
    });
    expect(cancel).toMatchObject({ status: 200, body: {} });
    const canceled = await get(`/api/2.0/sql/statements/${slow.body.statement_id}`);
    expect(canceled.body).toEqual({ ...fixture('canceled'), statement_id: slow.body.statement_id });

    const links = await post({ statement: 'SELECT 1', disposition: 'EXTERNAL_LINKS' });
    expect(links).toMatchObject({
      status: 501,
      body: { error_code: 'NOT_IMPLEMENTED', message: expect.stringContaining('EXTERNAL_LINKS') },
    });
    const arrow = await post({ statement: 'SELECT 1', format: 'ARROW_STREAM' });
    expect(arrow).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    const onWait = await post({ statement: 'SELECT 1', on_wait_timeout: 'LATER' });
    expect(onWait).toMatchObject({ status: 400, body: { message: expect.stringContaining('on_wait_timeout') } });
    // Statements of a workspace run one after another: this one ends after the cancelled one did.
    expect((await post({ statement: 'SELECT 1', wait_timeout: '50s' })).body.status.state).toBe('SUCCEEDED');
  });

  it('fails USE CATALOG of a missing catalog as Databricks does, knows hive_metastore, and forgets dropped tables', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const missing = await post({ statement: 'USE CATALOG nope' });
    expect(missing.body.status).toMatchObject({
      state: 'FAILED',
      error: { message: expect.stringMatching(/^\[NO_SUCH_CATALOG_EXCEPTION\] Catalog 'nope' was not found/) },
      sql_state: '42704',
    });
    const cats = await post({ statement: 'SHOW CATALOGS' });
    expect(cats.body.result.data_array).toEqual([['main'], ['hive_metastore'], ['samples']]);
    const hive = await post({ statement: 'CREATE TABLE hive_metastore.default.t (a INT)' });
    expect(hive.body.status.state).toBe('SUCCEEDED');
    expect((await post({ statement: 'SELECT * FROM t', catalog: 'hive_metastore' })).body.status.state).toBe(
      'SUCCEEDED',
    );
    expect(w.store.read().sql_tables!.map((t) => t.name)).toEqual(['hive_metastore.default.t']);
    expect((await post({ statement: 'DROP TABLE hive_metastore.default.t' })).body.status.state).toBe('SUCCEEDED');
    expect(w.store.read().sql_tables).toEqual([]);
    // Only documented ServiceErrorCode values: a write to the read-only samples catalog is a BAD_REQUEST.
    const samples = await post({ statement: 'DROP TABLE samples.nyctaxi.trips' });
    expect(samples.body.status).toMatchObject({ error: { error_code: 'BAD_REQUEST' }, sql_state: '42501' });
    const again = await post({ statement: 'DROP TABLE hive_metastore.default.t' });
    expect(again.body.status.error.message).toMatch(/^\[TABLE_OR_VIEW_NOT_FOUND\]/);
    const ifExists = await post({ statement: 'DROP TABLE IF EXISTS hive_metastore.default.t' });
    expect(ifExists.body.status.state).toBe('SUCCEEDED');
  });

  it('ALTER TABLE … ADD COLUMNS: the columns are there, and in State.sql_tables for the next start', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    expect((await post({ statement: 'CREATE TABLE main.default.ev (id BIGINT)' })).body.status.state).toBe('SUCCEEDED');
    const created = w.store.read().sql_tables![0]!.created_at;
    const alter = await post({
      statement: "ALTER TABLE main.default.ev ADD COLUMNS (note STRING COMMENT 'free text', amount DECIMAL(10,2))",
    });
    expect(alter.body.status.state).toBe('SUCCEEDED');
    expect((await post({ statement: 'ALTER TABLE main.default.ev ADD COLUMN seen TIMESTAMP' })).body.status.state).toBe(
      'SUCCEEDED',
    );
    const described = await post({ statement: 'DESCRIBE TABLE main.default.ev' });
    expect(described.body.result.data_array.map((r: string[]) => r.slice(0, 2))).toEqual([
      ['id', 'bigint'],
      ['note', 'string'],
      ['amount', 'decimal(10,2)'],
      ['seen', 'timestamp'],
    ]);
    expect(w.store.read().sql_tables).toEqual([
      expect.objectContaining({
        name: 'main.default.ev',
        columns: [
          { name: 'id', type: 'BIGINT' },
          { name: 'note', type: 'STRING' },
          { name: 'amount', type: 'DECIMAL(10,2)' },
          { name: 'seen', type: 'TIMESTAMP' },
        ],
        created_at: created,
      }),
    ]);
    const twice = await post({ statement: 'ALTER TABLE main.default.ev ADD COLUMNS (extra INT, NOTE STRING)' });
    expect(twice.body.status).toMatchObject({
      state: 'FAILED',
      error: { message: expect.stringMatching(/^\[FIELD_ALREADY_EXISTS\] Cannot add column, because `NOTE`/) },
      sql_state: '42710',
    });
    // Checked before any column is added: extra is not there either.
    expect((await post({ statement: 'SELECT extra FROM main.default.ev' })).body.status.state).toBe('FAILED');
    const missing = await post({ statement: 'ALTER TABLE main.default.nope ADD COLUMN x INT' });
    expect(missing.body.status.error.message).toMatch(/^\[TABLE_OR_VIEW_NOT_FOUND\]/);

    // Any other ALTER the engine runs leaves State.sql_tables as the table is; RENAME TO moves the record.
    const state = async (statement: string) => (await post({ statement })).body.status.state;
    expect(await state('ALTER TABLE main.default.ev DROP COLUMN note')).toBe('SUCCEEDED');
    expect(await state('ALTER TABLE main.default.ev RENAME COLUMN seen TO seen_at')).toBe('SUCCEEDED');
    expect(await state('ALTER TABLE main.default.ev RENAME TO main.default.events')).toBe('SUCCEEDED');
    expect(w.store.read().sql_tables).toEqual([
      expect.objectContaining({
        name: 'main.default.events',
        columns: [
          { name: 'id', type: 'BIGINT' },
          { name: 'amount', type: 'DECIMAL(10,2)' },
          { name: 'seen_at', type: 'TIMESTAMP' },
        ],
        created_at: created,
      }),
    ]);
    // Metadata pcsim does not keep is accepted once the table is known.
    for (const statement of [
      "ALTER TABLE main.default.events SET TBLPROPERTIES ('delta.appendOnly' = 'false')",
      "ALTER TABLE main.default.events ALTER COLUMN id COMMENT 'the id'",
      "COMMENT ON TABLE main.default.events IS 'what happened'",
      'GRANT SELECT ON TABLE main.default.events TO `analysts`',
    ])
      expect({ statement, state: await state(statement) }).toEqual({ statement, state: 'SUCCEEDED' });
    const unknown = await post({ statement: "ALTER TABLE main.default.ev SET TBLPROPERTIES ('a' = 'b')" });
    expect(unknown.body.status.error.message).toMatch(/^\[TABLE_OR_VIEW_NOT_FOUND\]/);
  });
});

describe('POST /api/2.0/sql/statements on its exact path and through the routes', () => {
  it('answers and records the same on the exact path (its own dispatch), with a trailing slash and in capitals', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const body = { warehouse_id: w.resources.warehouse!.id, statement: 'SELECT 1 AS one' };
    const paths = ['/api/2.0/sql/statements', '/api/2.0/sql/statements/', '/API/2.0/SQL/Statements'];
    const answers = [];
    for (const path of paths) {
      const ok = await call(w.base, 'POST', path, { token: w.resources.pat!, body });
      const unauthenticated = await call(w.base, 'POST', path, { body });
      const malformed = await call(w.base, 'POST', path, { token: w.resources.pat!, body: '{"statement":' });
      const { statement_id, ...rest } = ok.body;
      expect(statement_id).toMatch(/^01ef/);
      answers.push({
        ok: [ok.status, ok.headers.get('content-type'), ok.headers.get('cache-control'), rest],
        unauthenticated: [
          unauthenticated.status,
          unauthenticated.headers.get('www-authenticate'),
          unauthenticated.body,
        ],
        malformed: [malformed.status, malformed.body.error_code],
      });
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(answers[0]!.ok[0]).toBe(200);
    expect(answers[0]!.unauthenticated[0]).toBe(401);
    expect(answers[0]!.malformed).toEqual([400, 'MALFORMED_REQUEST']);
    const recorded = (w.store.read().activity ?? []).map((a) => [a.path, a.status, a.kind, a.ok]);
    // The refused ones name no connection (no token; a body read before the token): not recorded.
    expect(recorded).toEqual(paths.map((path) => [path, 200, 'query', true]));
  });
});

describe('P200 from statements', () => {
  const bi = partnerConfig({ category: 'BI_AND_VIZ', auth_options: ['AUTH_PAT'] });
  const verdict = (catalog?: string) =>
    p200Verdict({ config: bi, resources: w.resources, activity: w.store.read().activity ?? [], catalog });

  it('does not pass a BI partner whose only query FAILED and which then read its status and cancelled it', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const failed = await post({ statement: 'SELECT * FROM main.default.missing' });
    expect(failed.body.status.state).toBe('FAILED');
    expect((await get(`/api/2.0/sql/statements/${failed.body.statement_id}`)).status).toBe(200);
    expect(
      (
        await call(w.base, 'POST', `/api/2.0/sql/statements/${failed.body.statement_id}/cancel`, {
          token: w.resources.pat!,
        })
      ).status,
    ).toBe(200);
    await post({ statement: 'USE CATALOG main' });
    const v = verdict();
    expect(v.status).toBe('pending');
    expect(v.reason).toContain('TABLE_OR_VIEW_NOT_FOUND');
  });

  it('passes a BI partner whose query SUCCEEDED, naming the catalog; judged with hive_metastore it needs a statement there', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    await post({ statement: 'SELECT count(*) FROM samples.nyctaxi.trips', wait_timeout: '0s' });
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 50 && verdict().status !== 'passed'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(verdict()).toMatchObject({ status: 'passed', reason: expect.stringContaining('on catalog samples') });
    expect(verdict('hive_metastore')).toMatchObject({
      status: 'pending',
      reason: expect.stringContaining('not hive_metastore'),
    });
    expect((await post({ statement: 'SHOW TABLES', catalog: 'hive_metastore' })).body.status.state).toBe('SUCCEEDED');
    expect(verdict('hive_metastore')).toMatchObject({
      status: 'passed',
      reason: expect.stringContaining('on catalog hive_metastore'),
    });
  });
});

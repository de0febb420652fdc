import { afterEach, describe, expect, it } from '@jest/globals';
import { call, startWorkspace, type TestWorkspace } from './harness.js';

let w: TestWorkspace;
afterEach(async () => w?.close());

describe('workspace REST with a PAT', () => {
  it('answers SCIM Me as the service principal, refuses a missing credential with 401 and wrong or revoked tokens with 403', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const pat = w.resources.pat!;
    const me = await call(w.base, 'GET', '/api/2.0/preview/scim/v2/Me', { token: pat });
    expect(me.status).toBe(200);
    // SCIM id is numeric, the UUID is the applicationId (and the userName of Me), as Databricks shows them.
    expect(me.body).toMatchObject({
      id: expect.stringMatching(/^\d{1,16}$/),
      applicationId: w.resources.service_principal_id,
      userName: w.resources.service_principal_id,
      active: true,
    });

    const none = await call(w.base, 'GET', '/api/2.0/preview/scim/v2/Me');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(none.body).toEqual({
      error_code: 'UNAUTHENTICATED',
      message: 'Credential was not sent or was of an unsupported type for this API.',
    });
    const wrong = await call(w.base, 'GET', '/api/2.0/preview/scim/v2/Me', { token: 'dapi0000' });
    expect(wrong).toMatchObject({ status: 403, body: { error_code: '403', message: 'Invalid access token.' } });

    // The user deletes the connection in Databricks: its resources go, the PAT is revoked.
    await w.dbx.deleteConnection(w.ws.id, w.resources.partner_id, { notifyPartner: false });
    const revoked = await call(w.base, 'GET', '/api/2.0/preview/scim/v2/Me', { token: pat });
    expect(revoked).toMatchObject({ status: 403, body: { error_code: '403', message: 'Invalid access token.' } });

    // pcsim's reason is in the activity log (for the UI and the verdicts), never in the answer.
    const activity = w.store.read().activity ?? [];
    expect(activity.map((a) => [a.status, a.kind, a.auth ?? null])).toEqual([
      [200, 'auth', 'pat'],
      [403, 'auth', null],
    ]);
    expect(activity[1]!.error).toMatch(/revoked/);
    expect(JSON.stringify(activity)).not.toContain(pat);
  });

  it('serves warehouses, clusters, catalogs and workspace objects in Databricks shapes', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const token = w.resources.pat!;
    const wh = await call(w.base, 'GET', `/api/2.0/sql/warehouses/${w.resources.warehouse!.id}`, { token });
    expect(wh.status).toBe(200);
    expect(wh.body).toMatchObject({
      id: w.resources.warehouse!.id,
      state: 'RUNNING',
      odbc_params: { path: w.resources.warehouse!.http_path },
    });
    const missingWh = await call(w.base, 'GET', '/api/2.0/sql/warehouses/nope', { token });
    expect(missingWh.status).toBe(404);
    expect(missingWh.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');

    const cluster = await call(w.base, 'GET', '/api/2.0/clusters/get?cluster_id=0000-000000-nope', { token });
    expect(cluster).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'Cluster 0000-000000-nope does not exist' },
    });
    const noId = await call(w.base, 'GET', '/api/2.0/clusters/get', { token });
    expect(noId.body.error_code).toBe('INVALID_PARAMETER_VALUE');

    const cats = await call(w.base, 'GET', '/api/2.1/unity-catalog/catalogs', { token });
    expect(cats.body.catalogs.map((c: { name: string }) => c.name)).toEqual(['main', 'hive_metastore', 'samples']);

    const home = `/Users/${w.resources.service_principal_id}`;
    expect(
      (await call(w.base, 'GET', `/api/2.0/workspace/get-status?path=${encodeURIComponent(home)}`, { token })).body
        .object_type,
    ).toBe('DIRECTORY');
    const content = Buffer.from('# Databricks notebook source\nprint(1)\n').toString('base64');
    const imp = await call(w.base, 'POST', '/api/2.0/workspace/import', {
      token,
      body: { path: `${home}/ingest`, format: 'SOURCE', language: 'PYTHON', content },
    });
    expect(imp).toMatchObject({ status: 200, body: {} });
    const again = await call(w.base, 'POST', '/api/2.0/workspace/import', {
      token,
      body: { path: `${home}/ingest`, format: 'SOURCE', language: 'PYTHON', content },
    });
    expect(again.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
    const nb = await call(w.base, 'GET', `/api/2.0/workspace/get-status?path=${encodeURIComponent(`${home}/ingest`)}`, {
      token,
    });
    expect(nb.body).toMatchObject({ object_type: 'NOTEBOOK', language: 'PYTHON', path: `${home}/ingest` });
    const gone = await call(w.base, 'GET', '/api/2.0/workspace/get-status?path=/Users/nobody/x', { token });
    expect(gone).toMatchObject({
      status: 404,
      body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Path (/Users/nobody/x) doesn't exist." },
    });
    expect((await call(w.base, 'GET', '/api/2.0/nothing/here', { token })).body.error_code).toBe('ENDPOINT_NOT_FOUND');
    expect(w.store.read().activity!.some((a) => a.kind === 'notebook' && a.ok)).toBe(true);
  });
});

describe('Statement Execution API', () => {
  it('runs SELECT on the sample catalog, CREATE TABLE with LOCATION, INSERT, and reports failures as Databricks does', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const token = w.resources.pat!;
    const warehouse_id = w.resources.warehouse!.id;
    const sel = await call(w.base, 'POST', '/api/2.0/sql/statements', {
      token,
      body: { warehouse_id, statement: 'SELECT COUNT(*) AS trips FROM samples.nyctaxi.trips', wait_timeout: '30s' },
    });
    expect(sel.status).toBe(200);
    expect(sel.body).toMatchObject({
      status: { state: 'SUCCEEDED' },
      manifest: {
        format: 'JSON_ARRAY',
        schema: { column_count: 1, columns: [{ name: 'trips', position: 0 }] },
        total_row_count: 1,
      },
      result: { data_array: [['5']] },
    });
    const again = await call(w.base, 'GET', `/api/2.0/sql/statements/${sel.body.statement_id}`, { token });
    expect(again.body).toEqual(sel.body);

    const create = await call(w.base, 'POST', '/api/2.0/sql/statements', {
      token,
      body: {
        warehouse_id,
        statement: "CREATE TABLE main.default.events (id BIGINT, name STRING) LOCATION 's3://bucket/landing/events'",
      },
    });
    expect(create.body.status.state).toBe('SUCCEEDED');
    const ins = await call(w.base, 'POST', '/api/2.0/sql/statements', {
      token,
      body: { warehouse_id, catalog: 'main', schema: 'default', statement: "INSERT INTO events VALUES (1, 'a')" },
    });
    expect(ins.body.result.data_array).toEqual([['1', '1']]);

    const bad = await call(w.base, 'POST', '/api/2.0/sql/statements', {
      token,
      body: { warehouse_id, statement: 'SELEC * FROM x' },
    });
    expect(bad.status).toBe(200);
    expect(bad.body).toEqual({
      statement_id: expect.any(String),
      status: {
        state: 'FAILED',
        error: { error_code: 'BAD_REQUEST', message: expect.stringMatching(/^\[PARSE_SYNTAX_ERROR\]/) },
        sql_state: '42601',
      },
    });

    const unknown = await call(w.base, 'POST', '/api/2.0/sql/statements', {
      token,
      body: { warehouse_id: 'nope', statement: 'SELECT 1' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: expect.stringContaining('SQL warehouse nope does not exist'),
    });
    const noWh = await call(w.base, 'POST', '/api/2.0/sql/statements', { token, body: { statement: 'SELECT 1' } });
    expect(noWh).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    const badWait = await call(w.base, 'POST', '/api/2.0/sql/statements', {
      token,
      body: { warehouse_id, statement: 'SELECT 1', wait_timeout: '3s' },
    });
    expect(badWait).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    const malformed = await call(w.base, 'POST', '/api/2.0/sql/statements', { token, body: '{"warehouse_id": ' });
    expect(malformed).toMatchObject({ status: 400, body: { error_code: 'MALFORMED_REQUEST' } });

    const acts = w.store.read().activity!;
    expect(acts.find((a) => a.table)).toMatchObject({
      kind: 'write',
      ok: true,
      table: { name: 'main.default.events', location: 's3://bucket/landing/events', managed: false },
    });
    expect(acts.find((a) => a.detail === 'SELEC * FROM x')).toMatchObject({
      ok: false,
      kind: 'query',
      error: expect.stringMatching(/PARSE_SYNTAX_ERROR/),
    });
    expect(w.store.read().sql_tables!.map((t) => t.name)).toEqual(['main.default.events']);
  });
});

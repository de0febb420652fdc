/**
 * The workspace REST APIs beyond SQL, over real HTTP: SCIM (filter, paging, ids), the Token API
 * (a created token authenticates, a deleted one does not), Unity Catalog schemas and tables
 * (those created by SQL included) and the Clusters API 2.0/2.1.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { CREATOR, call, startWorkspace, type TestWorkspace } from './harness.js';

let w: TestWorkspace;
afterEach(async () => w?.close());

const SCIM = '/api/2.0/preview/scim/v2';
const sql = (statement: string) =>
  call(w.base, 'POST', '/api/2.0/sql/statements', {
    token: w.resources.pat!,
    body: { warehouse_id: w.resources.warehouse!.id, statement },
  });

describe('SCIM', () => {
  it('lists, filters and pages users; gets one by id; answers errors in SCIM shape', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const token = w.resources.pat!;
    const all = await call(w.base, 'GET', `${SCIM}/Users`, { token });
    expect(all.body).toMatchObject({
      totalResults: 2,
      startIndex: 1,
      itemsPerPage: 2,
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    });
    expect(all.body.Resources.map((u: { userName: string }) => u.userName)).toEqual([
      'admin@acme.databricks-test.com',
      'analyst@acme.databricks-test.com',
    ]);

    const one = await call(
      w.base,
      'GET',
      `${SCIM}/Users?filter=${encodeURIComponent('userName eq "Analyst@acme.databricks-test.com"')}`,
      { token },
    );
    expect(one.body).toMatchObject({
      totalResults: 1,
      Resources: [{ id: '9007199254741995', displayName: 'Alan Analyst' }],
    });
    const either = await call(
      w.base,
      'GET',
      `${SCIM}/Users?filter=${encodeURIComponent('displayName co "ada" or emails.value sw "analyst"')}`,
      { token },
    );
    expect(either.body.totalResults).toBe(2);
    const both = await call(
      w.base,
      'GET',
      `${SCIM}/Users?filter=${encodeURIComponent('active eq true and userName ew "@elsewhere.com"')}`,
      { token },
    );
    expect(both.body).toEqual({
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    });

    const page2 = await call(w.base, 'GET', `${SCIM}/Users?startIndex=2&count=1&attributes=userName`, { token });
    expect(page2.body).toMatchObject({ totalResults: 2, startIndex: 2, itemsPerPage: 1 });
    expect(page2.body.Resources).toEqual([
      { schemas: expect.any(Array), id: '9007199254741995', userName: 'analyst@acme.databricks-test.com' },
    ]);
    const sorted = await call(w.base, 'GET', `${SCIM}/Users?sortBy=userName&sortOrder=descending&count=1`, { token });
    expect(sorted.body.Resources[0].userName).toBe('analyst@acme.databricks-test.com');

    const user = await call(w.base, 'GET', `${SCIM}/Users/${CREATOR}`, { token });
    expect(user.body).toMatchObject({
      id: CREATOR,
      userName: 'admin@acme.databricks-test.com',
      groups: expect.arrayContaining([expect.objectContaining({ display: 'admins' })]),
    });
    const missing = await call(w.base, 'GET', `${SCIM}/Users/123`, { token });
    expect(missing).toMatchObject({
      status: 404,
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404', detail: 'User 123 not found.' },
    });
    const bad = await call(w.base, 'GET', `${SCIM}/Users?filter=${encodeURIComponent('userName likes "x"')}`, {
      token,
    });
    expect(bad).toMatchObject({
      status: 400,
      body: { status: '400', scimType: 'invalidFilter', detail: expect.stringContaining('unknown operator "likes"') },
    });
    expect(
      (await call(w.base, 'GET', `${SCIM}/Users?filter=${encodeURIComponent('userName eq "a" and')}`, { token }))
        .status,
    ).toBe(400);
    // Odd paging input is refused or clamped, never a crash.
    expect(await call(w.base, 'GET', `${SCIM}/Users?startIndex=abc`, { token })).toMatchObject({
      status: 400,
      body: { scimType: 'invalidValue', detail: expect.stringContaining('startIndex') },
    });
    expect((await call(w.base, 'GET', `${SCIM}/Users?count=-5`, { token })).body).toMatchObject({ itemsPerPage: 0 });
    const clamped = await call(w.base, 'GET', `${SCIM}/Users?startIndex=0&count=1`, { token });
    expect(clamped.body).toMatchObject({ startIndex: 1, itemsPerPage: 1 });
  });

  it('shows service principals with a numeric id and the UUID as applicationId, the same in Me, and the built-in groups', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const token = w.resources.pat!;
    const sp = w.resources.service_principal_id;
    const other = await w.connect(['AUTH_PAT'], { partner: 'Other Partner' });
    const list = await call(w.base, 'GET', `${SCIM}/ServicePrincipals`, { token });
    expect(list.body.totalResults).toBe(2);
    const mine = await call(
      w.base,
      'GET',
      `${SCIM}/ServicePrincipals?filter=${encodeURIComponent(`applicationId eq "${sp}"`)}`,
      { token },
    );
    expect(mine.body.Resources).toHaveLength(1);
    const id = mine.body.Resources[0].id as string;
    expect(id).toMatch(/^\d{1,16}$/);
    expect(id).not.toBe(sp);
    const me = await call(w.base, 'GET', `${SCIM}/Me`, { token });
    expect(me.body).toMatchObject({
      id,
      applicationId: sp,
      userName: sp,
      displayName: 'Test Partner (Partner Connect)',
    });
    expect((await call(w.base, 'GET', `${SCIM}/ServicePrincipals/${id}`, { token })).body.applicationId).toBe(sp);
    expect((await call(w.base, 'GET', `${SCIM}/ServicePrincipals/${sp}`, { token })).status).toBe(404);

    const groups = await call(w.base, 'GET', `${SCIM}/Groups`, { token });
    const byName = Object.fromEntries(
      groups.body.Resources.map((g: { displayName: string; members: { value: string }[] }) => [
        g.displayName,
        g.members.map((m) => m.value),
      ]),
    );
    expect(byName.admins).toEqual([CREATOR]);
    expect(byName.users).toEqual([CREATOR, '9007199254741995', id, expect.stringMatching(/^\d+$/)]);
    const admins = groups.body.Resources.find((g: { displayName: string }) => g.displayName === 'admins');
    expect((await call(w.base, 'GET', `${SCIM}/Groups/${admins.id}`, { token })).body.displayName).toBe('admins');
    // A deleted connection's service principal is gone.
    await w.dbx.deleteConnection(w.ws.id, other.partner_id, { notifyPartner: false });
    expect((await call(w.base, 'GET', `${SCIM}/ServicePrincipals`, { token })).body.totalResults).toBe(1);
  });
});

describe('Token API', () => {
  it('creates a token that authenticates, lists it without its value, and refuses it once deleted', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const pat = w.resources.pat!;
    const created = await call(w.base, 'POST', '/api/2.0/token/create', {
      token: pat,
      body: { comment: 'ingest job', lifetime_seconds: 600 },
    });
    expect(created.status).toBe(200);
    const value = created.body.token_value as string;
    expect(value).toMatch(/^dapi[0-9a-f]{32}$/);
    const info = created.body.token_info;
    expect(info).toMatchObject({
      token_id: expect.stringMatching(/^[0-9a-f]{64}$/),
      comment: 'ingest job',
      expiry_time: info.creation_time + 600_000,
    });

    const me = await call(w.base, 'GET', `${SCIM}/Me`, { token: value });
    expect(me).toMatchObject({ status: 200, body: { applicationId: w.resources.service_principal_id } });
    expect(w.store.read().activity!.at(-1)).toMatchObject({ auth: 'pat', ok: true, resources_id: w.resources.id });

    const list = await call(w.base, 'GET', '/api/2.0/token/list', { token: value });
    expect(list.body.token_infos.map((t: { comment: string }) => t.comment)).toEqual(['Partner Connect', 'ingest job']);
    expect(JSON.stringify(list.body)).not.toContain(value);

    expect(
      await call(w.base, 'POST', '/api/2.0/token/delete', { token: pat, body: { token_id: info.token_id } }),
    ).toMatchObject({ status: 200, body: {} });
    expect(await call(w.base, 'GET', `${SCIM}/Me`, { token: value })).toMatchObject({
      status: 403,
      body: { error_code: '403', message: 'Invalid access token.' },
    });
    const again = await call(w.base, 'POST', '/api/2.0/token/delete', {
      token: pat,
      body: { token_id: info.token_id },
    });
    expect(again).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });

    // Only digests are kept; no value reaches the state or the activity log.
    expect(JSON.stringify(w.store.read())).not.toContain(value);
    expect(JSON.stringify(w.store.read())).not.toContain(pat);
  });

  it('expires a token after lifetime_seconds, can delete the Connect PAT, and refuses bad input', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const pat = w.resources.pat!;
    const short = (await call(w.base, 'POST', '/api/2.0/token/create', { token: pat, body: { lifetime_seconds: 60 } }))
      .body.token_value as string;
    expect((await call(w.base, 'GET', `${SCIM}/Me`, { token: short })).status).toBe(200);
    w.clock.now = new Date(w.clock.now.getTime() + 61_000);
    expect((await call(w.base, 'GET', `${SCIM}/Me`, { token: short })).status).toBe(403);
    expect(w.store.read().activity!.at(-1)).toMatchObject({
      status: 403,
      ok: false,
      error: expect.stringContaining('expired'),
    });

    const forever = (await call(w.base, 'POST', '/api/2.0/token/create', { token: pat, body: {} })).body;
    expect(forever.token_info.expiry_time).toBe(-1);
    const connect = (await call(w.base, 'GET', '/api/2.0/token/list', { token: pat })).body.token_infos.find(
      (t: { comment: string }) => t.comment === 'Partner Connect',
    );
    expect(
      await call(w.base, 'POST', '/api/2.0/token/delete', {
        token: forever.token_value,
        body: { token_id: connect.token_id },
      }),
    ).toMatchObject({ status: 200 });
    expect((await call(w.base, 'GET', `${SCIM}/Me`, { token: pat })).status).toBe(403);
    expect((await call(w.base, 'GET', `${SCIM}/Me`, { token: forever.token_value })).status).toBe(200);
    expect(
      (await call(w.base, 'GET', '/api/2.0/token/list', { token: forever.token_value })).body.token_infos.map(
        (t: { comment?: string }) => t.comment ?? null,
      ),
    ).toEqual([null, null]);

    const bad = await call(w.base, 'POST', '/api/2.0/token/create', {
      token: forever.token_value,
      body: { lifetime_seconds: '1h' },
    });
    expect(bad).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('lifetime_seconds is "1h"') },
    });
    expect(
      (await call(w.base, 'POST', '/api/2.0/token/delete', { token: forever.token_value, body: {} })).body.error_code,
    ).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('Unity Catalog', () => {
  it('lists and gets schemas and tables, those created by SQL included, with UC types', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const token = w.resources.pat!;
    expect((await sql('CREATE SCHEMA main.sales')).body.status.state).toBe('SUCCEEDED');
    expect(
      (await sql('CREATE TABLE main.sales.orders (id BIGINT, amount DECIMAL(10,2), at TIMESTAMP, ok BOOLEAN)')).body
        .status.state,
    ).toBe('SUCCEEDED');
    expect(
      (await sql("CREATE TABLE main.sales.returns (id INT) LOCATION 's3://bucket/returns'")).body.status.state,
    ).toBe('SUCCEEDED');

    const schemas = await call(w.base, 'GET', '/api/2.1/unity-catalog/schemas?catalog_name=main', { token });
    expect(schemas.body.schemas.map((s: { full_name: string }) => s.full_name)).toEqual([
      'main.default',
      'main.information_schema',
      'main.sales',
    ]);
    const tables = await call(w.base, 'GET', '/api/2.1/unity-catalog/tables?catalog_name=main&schema_name=sales', {
      token,
    });
    expect(
      tables.body.tables.map((t: { full_name: string; table_type: string }) => [t.full_name, t.table_type]),
    ).toEqual([
      ['main.sales.orders', 'MANAGED'],
      ['main.sales.returns', 'EXTERNAL'],
    ]);
    expect(
      tables.body.tables[0].columns.map((c: { type_name: string; type_text: string }) => [c.type_name, c.type_text]),
    ).toEqual([
      ['LONG', 'bigint'],
      ['DECIMAL', 'decimal(10,2)'],
      ['TIMESTAMP', 'timestamp'],
      ['BOOLEAN', 'boolean'],
    ]);
    expect(tables.body.tables[0].columns[1]).toMatchObject({ type_precision: 10, type_scale: 2, position: 1 });
    const paged = await call(
      w.base,
      'GET',
      '/api/2.1/unity-catalog/tables?catalog_name=main&schema_name=sales&max_results=1&omit_columns=true',
      { token },
    );
    expect(paged.body.tables).toEqual([expect.not.objectContaining({ columns: expect.anything() })]);
    const next = await call(
      w.base,
      'GET',
      `/api/2.1/unity-catalog/tables?catalog_name=main&schema_name=sales&max_results=1&page_token=${paged.body.next_page_token}`,
      { token },
    );
    expect(next.body).toEqual({
      tables: [expect.objectContaining({ name: 'returns', storage_location: 's3://bucket/returns' })],
    });

    expect(
      (await call(w.base, 'GET', '/api/2.1/unity-catalog/tables/main.sales.orders', { token })).body,
    ).toMatchObject({ name: 'orders', schema_name: 'sales', data_source_format: 'DELTA' });
    expect((await call(w.base, 'GET', '/api/2.1/unity-catalog/schemas/main.sales', { token })).body).toMatchObject({
      catalog_type: 'MANAGED_CATALOG',
      full_name: 'main.sales',
    });
    expect(
      (await call(w.base, 'GET', '/api/2.1/unity-catalog/tables?catalog_name=samples&schema_name=nyctaxi', { token }))
        .body.tables[0],
    ).toMatchObject({ full_name: 'samples.nyctaxi.trips' });
    const cats = await call(w.base, 'GET', '/api/2.1/unity-catalog/catalogs', { token });
    expect(cats.body.catalogs.map((c: { name: string; catalog_type: string }) => [c.name, c.catalog_type])).toEqual([
      ['main', 'MANAGED_CATALOG'],
      ['hive_metastore', 'INTERNAL_CATALOG'],
      ['samples', 'SYSTEM_CATALOG'],
    ]);
    expect((await call(w.base, 'GET', '/api/2.1/unity-catalog/catalogs/main', { token })).body.name).toBe('main');

    expect(await call(w.base, 'GET', '/api/2.1/unity-catalog/tables/main.sales.nope', { token })).toMatchObject({
      status: 404,
      body: { error_code: 'NOT_FOUND', message: "Table 'main.sales.nope' does not exist." },
    });
    expect(await call(w.base, 'GET', '/api/2.1/unity-catalog/schemas?catalog_name=nope', { token })).toMatchObject({
      status: 404,
      body: { error_code: 'NOT_FOUND' },
    });
    expect(
      await call(w.base, 'GET', '/api/2.1/unity-catalog/tables?catalog_name=main&schema_name=nope', { token }),
    ).toMatchObject({ status: 404, body: { message: "Schema 'main.nope' does not exist." } });
    expect(await call(w.base, 'GET', '/api/2.1/unity-catalog/schemas', { token })).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('catalog_name is missing') },
    });
    expect((await call(w.base, 'GET', '/api/2.1/unity-catalog/tables/orders', { token })).status).toBe(400);
    const garbage = '/api/2.1/unity-catalog/schemas?catalog_name=main&page_token=not-ours';
    expect(await call(w.base, 'GET', garbage, { token })).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('page_token') },
    });
    const badMax = '/api/2.1/unity-catalog/schemas?catalog_name=main&max_results=x';
    expect((await call(w.base, 'GET', badMax, { token })).status).toBe(400);
  });
});

describe('Clusters API', () => {
  it("lists (2.0 and 2.1, with filters and pages) and gets the connections' clusters", async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const token = w.resources.pat!;
    const a = await w.connect(['AUTH_PAT'], { partner: 'Cluster A', resources: ['InteractiveCluster'] });
    const b = await w.connect(['AUTH_PAT'], { partner: 'Cluster B', resources: ['InteractiveCluster'] });
    const ids = [a.cluster!.id, b.cluster!.id];
    expect(
      (await call(w.base, 'GET', '/api/2.0/clusters/list', { token })).body.clusters.map(
        (c: { cluster_id: string }) => c.cluster_id,
      ),
    ).toEqual(ids);
    const first = await call(w.base, 'GET', '/api/2.1/clusters/list?page_size=1', { token });
    expect(first.body.clusters.map((c: { cluster_id: string }) => c.cluster_id)).toEqual([ids[0]]);
    const second = await call(
      w.base,
      'GET',
      `/api/2.1/clusters/list?page_size=1&page_token=${first.body.next_page_token}`,
      { token },
    );
    expect(second.body).toMatchObject({
      clusters: [{ cluster_id: ids[1], cluster_name: 'Cluster B cluster', state: 'RUNNING' }],
      prev_page_token: expect.any(String),
    });
    expect(second.body.next_page_token).toBeUndefined();
    expect(
      (await call(w.base, 'GET', '/api/2.1/clusters/list?filter_by.cluster_states=TERMINATED', { token })).body
        .clusters,
    ).toEqual([]);
    expect(
      (
        await call(
          w.base,
          'GET',
          '/api/2.1/clusters/list?filter_by.cluster_states=RUNNING&filter_by.cluster_states=PENDING',
          { token },
        )
      ).body.clusters,
    ).toHaveLength(2);
    expect(await call(w.base, 'GET', '/api/2.1/clusters/list?filter_by.cluster_states=UP', { token })).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE' },
    });
    expect((await call(w.base, 'GET', '/api/2.1/clusters/list?page_size=101', { token })).status).toBe(400);

    expect((await call(w.base, 'GET', `/api/2.1/clusters/get?cluster_id=${ids[1]}`, { token })).body).toMatchObject({
      cluster_id: ids[1],
      creator_user_name: b.service_principal_id,
    });
    // Databricks answers an unknown cluster with 400 INVALID_PARAMETER_VALUE (the SDKs map it to "does not exist").
    expect(await call(w.base, 'GET', '/api/2.1/clusters/get?cluster_id=0000-000000-nope', { token })).toMatchObject({
      status: 400,
      body: { message: 'Cluster 0000-000000-nope does not exist' },
    });
  });
});

describe('a body the workspace cannot read', () => {
  it('is answered in the workspace shape ({error_code, message}) with the workspace limit, not the admin API shape', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const headers = { authorization: `Bearer ${w.resources.pat!}`, 'content-type': 'application/json' };
    const url = `${w.base}/api/2.0/sql/statements`;
    const tooLarge = await fetch(url, {
      method: 'POST',
      headers,
      body: `{"statement":"${'x'.repeat(10 * 1024 * 1024)}"}`,
    });
    expect(tooLarge.status).toBe(400);
    expect(await tooLarge.json()).toEqual({
      error_code: 'MALFORMED_REQUEST',
      message: 'Failed to read the request body: it is larger than 10mb. Expected at most 10mb.',
    });
    const badGzip = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-encoding': 'gzip' },
      body: 'not gzip at all',
    });
    expect(badGzip.status).toBe(400);
    const body = (await badGzip.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['error_code', 'message']);
    expect(body.error_code).toBe('MALFORMED_REQUEST');
    expect(body.message).toMatch(/^Failed to read the request body: .+\. Expected a complete JSON body\.$/);
    // A readable body still runs.
    const ok = await call(w.base, 'POST', '/api/2.0/sql/statements', {
      token: w.resources.pat!,
      body: { warehouse_id: w.resources.warehouse!.id, statement: 'SELECT 1' },
    });
    expect(ok.status).toBe(200);
  });
});

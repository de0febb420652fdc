/**
 * pcsim's answers against documented Databricks responses (test/workspace/fixtures/*.json): the
 * same call, then field names, JSON types, enum values and id formats compared.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { call, startWorkspace, type TestWorkspace } from './harness.js';
import { fixtureDiff, shapeDiff, type Fixture } from './shape.js';

const dir = new URL('./fixtures/', import.meta.url);
const fixture = (name: string): Fixture => JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as Fixture;

let w: TestWorkspace;
let token: string;
let cluster: string;
beforeAll(async () => {
  w = await startWorkspace(['AUTH_PAT']);
  token = w.resources.pat!;
  const withCluster = await w.connect(['AUTH_PAT'], { partner: 'Cluster Partner', resources: ['InteractiveCluster'] });
  cluster = withCluster.cluster!.id;
  const sql = await call(w.base, 'POST', '/api/2.0/sql/statements', {
    token,
    body: {
      warehouse_id: w.resources.warehouse!.id,
      statement:
        "CREATE TABLE main.default.fixture_events (id BIGINT, name STRING) LOCATION 's3://bucket/landing/fixture_events'",
    },
  });
  expect(sql.body.status.state).toBe('SUCCEEDED');
});
afterAll(async () => w?.close());

const CALLS: Record<string, () => [string, string, unknown?]> = {
  'invalid-token': () => ['GET', '/api/2.0/preview/scim/v2/Me'],
  'token-create': () => ['POST', '/api/2.0/token/create', { lifetime_seconds: 3600, comment: 'fixture' }],
  'token-list': () => ['GET', '/api/2.0/token/list'],
  'scim-me-service-principal': () => ['GET', '/api/2.0/preview/scim/v2/Me'],
  'scim-users-list': () => ['GET', '/api/2.0/preview/scim/v2/Users?startIndex=1&count=1'],
  'scim-service-principals-list': () => ['GET', '/api/2.0/preview/scim/v2/ServicePrincipals'],
  'scim-groups-list': () => ['GET', '/api/2.0/preview/scim/v2/Groups'],
  'uc-catalogs-list': () => ['GET', '/api/2.1/unity-catalog/catalogs'],
  'uc-schemas-list': () => ['GET', '/api/2.1/unity-catalog/schemas?catalog_name=main'],
  'uc-tables-get': () => ['GET', '/api/2.1/unity-catalog/tables/main.default.fixture_events'],
  'clusters-get': () => ['GET', `/api/2.1/clusters/get?cluster_id=${cluster}`],
  'clusters-list': () => ['GET', '/api/2.1/clusters/list'],
  'warehouses-get': () => ['GET', `/api/2.0/sql/warehouses/${w.resources.warehouse!.id}`],
};

describe('answers against documented responses', () => {
  it('has a call for every fixture and a fixture for every call', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''));
    expect(files.sort()).toEqual(Object.keys(CALLS).sort());
  });

  it.each(Object.keys(CALLS))('%s', async (name) => {
    const f = fixture(name);
    const [method, path, body] = CALLS[name]!();
    const res = await call(w.base, method, path, {
      token: name === 'invalid-token' ? 'dapi-not-a-real-token' : token,
      body,
    });
    expect(fixtureDiff(f, res.status, res.body)).toEqual([]);
  });

  it('the comparison catches a missing field, a wrong type and an undocumented enum value', () => {
    const f = fixture('uc-catalogs-list');
    const good = structuredClone(f.body) as { catalogs: Record<string, unknown>[] };
    expect(fixtureDiff(f, 200, good)).toEqual([]);
    const bad = structuredClone(good);
    delete bad.catalogs[0]!.metastore_id;
    bad.catalogs[0]!.created_at = '1700000000000';
    bad.catalogs[0]!.catalog_type = 'HIVE_METASTORE_CATALOG';
    expect(fixtureDiff(f, 200, bad)).toEqual([
      'catalogs[0].metastore_id: documented, missing',
      'catalogs[0].created_at: documented number, got string',
      'catalogs[].catalog_type: "HIVE_METASTORE_CATALOG" is not a documented value (DELTASHARING_CATALOG, FOREIGN_CATALOG, INTERNAL_CATALOG, MANAGED_CATALOG, MANAGED_ONLINE_CATALOG, SYSTEM_CATALOG)',
    ]);
    expect(shapeDiff({ a: [{ b: 1 }] }, { a: [] })).toEqual(['a: documented items, got an empty array']);
  });
});

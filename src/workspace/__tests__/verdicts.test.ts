import { describe, expect, it } from '@jest/globals';
import { PartnerConfig } from '../../contract/partner-config.js';
import type { Resources } from '../../databricks/model.js';
import type { Activity } from '../types.js';
import { coreKindOf, p200Verdict, p201Verdict } from '../verdicts.js';

const config = (over: Record<string, unknown> = {}) =>
  PartnerConfig.parse({
    api_version: '2.1.1',
    name: 'P',
    description_blurb: '',
    category: 'INGEST',
    base_url: 'http://127.0.0.1:9',
    endpoints: { connect_path: '/c' },
    resources_to_provision: [{ resource_type: 'SqlEndpoint' }],
    supported_clouds: ['aws'],
    hostnames: ['127.0.0.1'],
    new_user_action: 'auto_add',
    ...over,
  });
const res = (id: string, destination_location?: string): Resources => ({
  id,
  workspace_id: '1',
  partner_id: 'p',
  service_principal_id: 'sp',
  status: 'active',
  created_at: '',
  ...(destination_location ? { destination_location } : {}),
});
let n = 0;
const act = (over: Partial<Activity>): Activity => ({
  id: `a${++n}`,
  at: '',
  workspace_id: '1',
  resources_id: 'r1',
  method: 'POST',
  path: '/api/2.0/sql/statements',
  status: 200,
  kind: 'query',
  auth: 'pat',
  ok: true,
  ...over,
});

describe('coreKindOf', () => {
  it('writes for ingest, queries for BI, notebooks without a warehouse', () => {
    expect(coreKindOf(config())).toBe('write');
    expect(coreKindOf(config({ category: 'BI_AND_VIZ' }))).toBe('query');
    expect(
      coreKindOf(config({ category: 'ML', resources_to_provision: [{ resource_type: 'InteractiveCluster' }] })),
    ).toBe('notebook');
  });
});

describe('p200Verdict', () => {
  it('is pending without calls, passes on a successful call of the core kind with the given credentials', () => {
    expect(p200Verdict({ config: config(), resources: res('r1'), activity: [] })).toMatchObject({
      status: 'pending',
      reason: expect.stringContaining('made no call'),
    });
    expect(p200Verdict({ config: config(), resources: res('r1'), activity: [act({ kind: 'query' })] })).toMatchObject({
      status: 'pending',
      reason: expect.stringContaining('successful call(s) of kind query'),
    });
    expect(
      p200Verdict({
        config: config(),
        resources: res('r1'),
        activity: [act({ kind: 'write', ok: false, error: '[PARSE_SYNTAX_ERROR] x' })],
      }).reason,
    ).toContain('PARSE_SYNTAX_ERROR');
    expect(p200Verdict({ config: config(), resources: res('r1'), activity: [act({ kind: 'write' })] }).status).toBe(
      'passed',
    );
    expect(
      p200Verdict({
        config: config({ category: 'BI_AND_VIZ' }),
        resources: res('r1'),
        activity: [act({ kind: 'query', resources_id: 'other' })],
      }).status,
    ).toBe('pending');
  });

  it('does not count credentials outside auth_options', () => {
    const m2m = config({ auth_options: ['AUTH_OAUTH_M2M'] });
    expect(
      p200Verdict({ config: m2m, resources: res('r1'), activity: [act({ kind: 'write', auth: 'pat' })] }),
    ).toMatchObject({ status: 'pending', reason: expect.stringContaining('auth_options do not include') });
    expect(
      p200Verdict({ config: m2m, resources: res('r1'), activity: [act({ kind: 'write', auth: 'oauth_m2m' })] }).status,
    ).toBe('passed');
  });
});

describe('p201Verdict', () => {
  const create = (rid: string, location?: string) =>
    act({
      resources_id: rid,
      kind: 'write',
      table: { name: 'main.default.t', location, managed: location === undefined },
    });
  it('passes when tables follow the destination, fails at once when one does not', () => {
    const withDest = res('r1', 's3://b/landing/');
    const without = res('r2');
    expect(
      p201Verdict([
        { resources: withDest, activity: [create('r1', 's3://b/landing/t')] },
        { resources: without, activity: [] },
      ]).status,
    ).toBe('pending');
    expect(
      p201Verdict([
        { resources: withDest, activity: [create('r1', 's3://b/landing/t')] },
        { resources: without, activity: [create('r2')] },
      ]).status,
    ).toBe('passed');
    expect(p201Verdict([{ resources: withDest, activity: [create('r1')] }])).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('as a managed table'),
    });
    expect(p201Verdict([{ resources: withDest, activity: [create('r1', 's3://b/landing2/t')] }]).status).toBe('failed');
    expect(p201Verdict([{ resources: without, activity: [create('r2', 's3://x')] }])).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining("LOCATION 's3://x'"),
    });
  });
});

import { describe, expect, it } from '@jest/globals';
import { PartnerModel, domainOf, isTestDomain, type ConnectInput, type ModelSettings } from '../model.js';

function model(s: Partial<ModelSettings> = {}) {
  let n = 0;
  return new PartnerModel({
    newUserAction: 'auto_add',
    trialType: 'account',
    requireManualSignup: false,
    supportsDemo: true,
    faults: new Set(),
    newId: () => `c${(n += 1)}`,
    ...s,
  });
}

const input = (over: Partial<ConnectInput>): ConnectInput => ({
  email: 'u1@a.databricks-test.com',
  databricksUserId: '1',
  workspaceId: '10',
  established: false,
  demo: false,
  cloud: 'aws',
  ...over,
});

describe('PartnerModel', () => {
  it('keys accounts by email domain and users by email, case-insensitively', () => {
    const m = model();
    const r = m.connect(input({ email: 'Ada@A.Databricks-Test.com' }));
    expect(r).toMatchObject({ ok: true, kind: 'created', connectionId: 'c1' });
    expect([...m.accounts.keys()]).toEqual(['a.databricks-test.com']);
    expect([...m.users.keys()]).toEqual(['ada@a.databricks-test.com']);
    expect(m.connections.get('c1')).toMatchObject({
      workspaceId: '10',
      domain: 'a.databricks-test.com',
      deleted: false,
      demo: false,
    });
    expect(m.connect(input({ email: 'ada@a.databricks-test.com' }))).toMatchObject({
      answer: { user_status: 'existing', account_status: 'active' },
    });
  });

  it('recognises test domains and their sub-domains only', () => {
    expect(isTestDomain('databricks-test.com')).toBe(true);
    expect(isTestDomain('X.Databricks-Demo.com.')).toBe(true);
    expect(isTestDomain('databricks-test.com.example')).toBe(false);
    expect(isTestDomain('mydatabricks-test.com')).toBe(false);
    expect(domainOf('a@B.com')).toBe('b.com');
  });

  it('a demo create registers no user or account', () => {
    const m = model();
    expect(m.connect(input({ demo: true }))).toMatchObject({
      ok: true,
      answer: {
        redirect_value: 'create_trial',
        user_status: 'new',
        account_status: 'new',
        configured_resources: true,
        connection_id: 'c1',
      },
    });
    expect(m.users.size).toBe(0);
    expect(m.accounts.size).toBe(0);
    expect(m.connections.get('c1')?.demo).toBe(true);
  });

  it('an expired create configures nothing and gives no id', () => {
    const m = model();
    m.connect(input({}));
    expect(m.expireAccount('u1@a.databricks-test.com')).toEqual({ ok: true });
    expect(m.accounts.get('a.databricks-test.com')?.expired).toBe(true);
    const r = m.connect(input({ workspaceId: '11' }));
    expect(r).toEqual({
      ok: true,
      kind: 'refused',
      answer: {
        redirect_value: 'purchase_product',
        user_status: 'existing',
        account_status: 'expired',
        configured_resources: false,
      },
    });
    expect(m.connections.size).toBe(1);
  });

  it('sign-in answers never carry a connection_id', () => {
    for (const newUserAction of ['auto_add', 'invite'] as const) {
      const m = model({ newUserAction });
      m.connect(input({}));
      for (const email of ['u1@a.databricks-test.com', 'u2@a.databricks-test.com']) {
        const r = m.connect(input({ email, established: true, connectionId: 'c1' }));
        expect(r.ok && r.answer).not.toHaveProperty('connection_id');
      }
    }
  });

  it('invite under an expired account trial reports the account expired', () => {
    const m = model({ newUserAction: 'invite' });
    m.connect(input({}));
    m.expireAccount('u1@a.databricks-test.com');
    expect(
      m.connect(input({ email: 'u2@a.databricks-test.com', established: true, connectionId: 'c1' })),
    ).toMatchObject({
      answer: { redirect_value: 'contact_admin', user_status: 'not_applicable', account_status: 'expired' },
    });
  });

  it('delete-account removes only that account', () => {
    const m = model();
    m.connect(input({}));
    m.connect(input({ email: 'u@b.databricks-test.com' }));
    expect(m.deleteAccount('A.databricks-test.com')).toEqual({ ok: true });
    expect([...m.accounts.keys()]).toEqual(['b.databricks-test.com']);
    expect([...m.users.keys()]).toEqual(['u@b.databricks-test.com']);
    expect([...m.connections.keys()]).toEqual(['c2']);
    expect(m.deleteAccount('example.com')).toMatchObject({
      ok: false,
      status: 400,
      error: { error_reason: 'bad_request' },
    });
  });

  it('expire-account under trial_type user marks the user, not the account', () => {
    const m = model({ trialType: 'user' });
    m.connect(input({}));
    m.expireAccount('U1@a.databricks-test.com');
    expect(m.users.get('u1@a.databricks-test.com')?.expired).toBe(true);
    expect(m.accounts.get('a.databricks-test.com')?.expired).toBe(false);
    expect(m.expireAccount('nobody@a.databricks-test.com')).toEqual({ ok: true });
  });

  it('clear() forgets everything', () => {
    const m = model();
    m.connect(input({}));
    m.clear();
    expect([m.accounts.size, m.users.size, m.connections.size]).toEqual([0, 0, 0]);
  });
});

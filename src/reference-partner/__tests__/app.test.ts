import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { inspect } from 'node:util';
import { Connection, ConnectorsResponse, ErrorResponse, TestConnectionResponse } from '../../contract/messages.js';
import { validatePartnerConfig } from '../../contract/partner-config.js';
import { createReferencePartnerApp, type ReferencePartnerOptions } from '../index.js';
import { caller, connectBody, freshDomain, freshId } from './helpers.js';

function setup(opts: ReferencePartnerOptions = {}) {
  const partner = createReferencePartnerApp(opts);
  return { ...partner, call: caller(partner.app) };
}

/** "Validate new" of JOURNEYS.md. */
function expectNew(body: unknown) {
  expect(Connection.safeParse(body).success).toBe(true);
  const c = body as Record<string, unknown>;
  expect(c.configured_resources).toBe(true);
  expect(typeof c.connection_id).toBe('string');
  expect(c.connection_id).not.toBe('');
  return c as {
    connection_id: string;
    redirect_uri: string;
    redirect_value: string;
    user_status: string;
    account_status: string;
  };
}

/** "Validate sign-in" of JOURNEYS.md. */
function expectSignIn(body: unknown) {
  expect(Connection.safeParse(body).success).toBe(true);
  const c = body as Record<string, unknown>;
  expect(c.configured_resources).toBe(false);
  expect(c).not.toHaveProperty('connection_id');
  return c as { redirect_uri: string; redirect_value: string; user_status: string; account_status: string };
}

function expectError(
  res: { status: number; body: unknown; headers: Record<string, string> },
  status: number,
  reason: string,
) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(ErrorResponse.safeParse(res.body).success).toBe(true);
  expect((res.body as { error_reason: string }).error_reason).toBe(reason);
}

describe('int64 ids', () => {
  it('keeps a workspace id above 2^53 exact from raw JSON text to state and redirect_uri', async () => {
    const { app, model } = setup();
    // Raw text on purpose: 4645065419173783088 is not representable as a JS number.
    const text = `{"user_info":{"email":"ada@${freshDomain()}","first_name":"Ada","last_name":"","databricks_user_id":4645065419173783089,"databricks_organization_id":4645065419173783088,"is_connection_established":false,"auth":{"personal_access_token":"dapi-x"}},"hostname":"h.cloud.databricks.com","port":443,"workspace_url":"https://h.cloud.databricks.com/?o=4645065419173783088","workspace_id":4645065419173783088,"demo":false,"cloud_provider":"aws","is_free_trial":false}`;
    const res = await request(app)
      .post('/connect')
      .auth('databricks', 'pcsim-reference-secret')
      .set('Content-Type', 'application/json')
      .send(text);
    expect(res.status).toBe(200);
    const c = expectNew(res.body);
    expect(new URL(c.redirect_uri).searchParams.get('o')).toBe('4645065419173783088');
    expect(model.connections.get(c.connection_id)?.workspaceId).toBe('4645065419173783088');
    expect([...model.users.values()][0]?.databricksUserId).toBe('4645065419173783089');
  });

  it('refuses an id sent as a string or a fraction, naming the field', async () => {
    const { call } = setup();
    const base = connectBody({ email: `a@${freshDomain()}`, workspaceId: 4645065419173783088n });
    const asString = base.replace(/"workspace_id":4645065419173783088/, '"workspace_id":"4645065419173783088"');
    const res = await call.raw('post', '/connect', asString);
    expectError(res, 400, 'bad_request');
    expect(res.body.display_message).toMatch(/^Failed to read the Connect request: workspace_id/);
    expect(res.body.display_message).toMatch(/Expected/);
    const fraction = base.replace(/"workspace_id":4645065419173783088/, '"workspace_id":1.5');
    expectError(await call.raw('post', '/connect', fraction), 400, 'bad_request');
  });
});

describe('connect: creating connections', () => {
  it('P100: a new user in a new workspace gets create_trial, new, new and a connection id (JSON, redirect on our host)', async () => {
    const { app, call } = setup();
    const res = await call.connect({ email: `u1@${freshDomain()}`, workspaceId: freshId() });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const c = expectNew(res.body);
    expect(c).toMatchObject({ redirect_value: 'create_trial', user_status: 'new', account_status: 'new' });
    const uri = new URL(c.redirect_uri);
    expect(uri.hostname).toBe('127.0.0.1');
    const page = await request(app).get(uri.pathname + uri.search);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
  });

  it('P101: an existing user in a new workspace gets a new separate connection, user existing, account active', async () => {
    const { call } = setup();
    const email = `u1@${freshDomain()}`;
    const first = expectNew((await call.connect({ email, workspaceId: freshId() })).body);
    const second = expectNew((await call.connect({ email, workspaceId: freshId() })).body);
    expect(second).toMatchObject({ user_status: 'existing', account_status: 'active', redirect_value: 'sign_in' });
    expect(second.connection_id).not.toBe(first.connection_id);
  });

  it('P400: re-creating in the same workspace configures a new, separate connection', async () => {
    const { call, model } = setup();
    const email = `u1@${freshDomain()}`;
    const ws = freshId();
    const a = expectNew((await call.connect({ email, workspaceId: ws })).body);
    const b = expectNew((await call.connect({ email, workspaceId: ws })).body);
    expect(b.connection_id).not.toBe(a.connection_id);
    expect(model.liveConnection(a.connection_id)).toBeDefined();
  });

  it('a new user of a known account gets user new, account active, sign_in', async () => {
    const { call } = setup();
    const domain = freshDomain();
    await call.connect({ email: `u1@${domain}`, workspaceId: freshId() });
    const c = expectNew((await call.connect({ email: `u2@${domain}`, workspaceId: freshId() })).body);
    expect(c).toMatchObject({ user_status: 'new', account_status: 'active', redirect_value: 'sign_in' });
  });

  it('never keeps the PAT it receives', async () => {
    const { call, model } = setup();
    await call.connect({ email: `u1@${freshDomain()}`, workspaceId: freshId(), pat: 'dapi-very-secret-0123' });
    expect(inspect(model, { depth: 10 })).not.toContain('dapi-very-secret-0123');
  });
});

describe('connect: signing in', () => {
  it('P300: the creator signs in again: sign_in, existing, active, no connection_id', async () => {
    const { call } = setup();
    const email = `u1@${freshDomain()}`;
    const ws = freshId();
    const { connection_id } = expectNew((await call.connect({ email, workspaceId: ws })).body);
    const res = await call.connect({ email, workspaceId: ws, established: true, connectionId: connection_id });
    expect(res.status).toBe(200);
    expect(expectSignIn(res.body)).toMatchObject({
      redirect_value: 'sign_in',
      user_status: 'existing',
      account_status: 'active',
    });
  });

  it('answers 404 connection_not_found for an unknown or missing connection_id', async () => {
    const { call } = setup();
    const email = `u1@${freshDomain()}`;
    expectError(
      await call.connect({ email, workspaceId: freshId(), established: true, connectionId: 'nope' }),
      404,
      'connection_not_found',
    );
    const res = await call.connect({ email, workspaceId: freshId(), established: true });
    expectError(res, 404, 'connection_not_found');
    expect(res.body.display_message).toMatch(/^Failed to sign in: .*Expected/);
  });

  it('P600: one user, two workspaces: each creates then signs in', async () => {
    const { call } = setup();
    const email = `u1@${freshDomain()}`;
    for (const ws of [freshId(), freshId()]) {
      const { connection_id } = expectNew((await call.connect({ email, workspaceId: ws })).body);
      expectSignIn(
        (await call.connect({ email, workspaceId: ws, established: true, connectionId: connection_id })).body,
      );
    }
  });

  it('P301/P302 auto_add: a new user is added (user new), then is an existing user', async () => {
    const { call } = setup({ newUserAction: 'auto_add' });
    const domain = freshDomain();
    const ws = freshId();
    const { connection_id } = expectNew((await call.connect({ email: `u1@${domain}`, workspaceId: ws })).body);
    const first = await call.connect({
      email: `u2@${domain}`,
      workspaceId: ws,
      established: true,
      connectionId: connection_id,
    });
    expect(expectSignIn(first.body)).toMatchObject({
      redirect_value: 'sign_in',
      user_status: 'new',
      account_status: 'active',
    });
    const again = await call.connect({
      email: `u2@${domain}`,
      workspaceId: ws,
      established: true,
      connectionId: connection_id,
    });
    expect(expectSignIn(again.body)).toMatchObject({
      redirect_value: 'sign_in',
      user_status: 'existing',
      account_status: 'active',
    });
  });

  it('P302 invite: contact_admin, user not_applicable, account active', async () => {
    const { call } = setup({ newUserAction: 'invite' });
    const domain = freshDomain();
    const ws = freshId();
    const { connection_id } = expectNew((await call.connect({ email: `u1@${domain}`, workspaceId: ws })).body);
    const res = await call.connect({
      email: `u2@${domain}`,
      workspaceId: ws,
      established: true,
      connectionId: connection_id,
    });
    expect(expectSignIn(res.body)).toMatchObject({
      redirect_value: 'contact_admin',
      user_status: 'not_applicable',
      account_status: 'active',
    });
  });

  it('P302 not_found: 404 account_not_found; error: 500 general_error', async () => {
    for (const [action, status, reason] of [
      ['not_found', 404, 'account_not_found'],
      ['error', 500, 'general_error'],
    ] as const) {
      const { call } = setup({ newUserAction: action });
      const domain = freshDomain();
      const ws = freshId();
      const { connection_id } = expectNew((await call.connect({ email: `u1@${domain}`, workspaceId: ws })).body);
      const res = await call.connect({
        email: `u2@${domain}`,
        workspaceId: ws,
        established: true,
        connectionId: connection_id,
      });
      expectError(res, status, reason);
      expect(res.body.display_message).toMatch(/^Failed to sign in: /);
      // The creator still signs in.
      expectSignIn(
        (await call.connect({ email: `u1@${domain}`, workspaceId: ws, established: true, connectionId: connection_id }))
          .body,
      );
    }
  });

  it('require_manual_signup: an unseen user gets 404 account_not_found, a known one signs in', async () => {
    const { call } = setup({ requireManualSignup: true, newUserAction: 'auto_add' });
    const domain = freshDomain();
    const ws = freshId();
    const { connection_id } = expectNew((await call.connect({ email: `u1@${domain}`, workspaceId: ws })).body);
    expectError(
      await call.connect({ email: `u2@${domain}`, workspaceId: ws, established: true, connectionId: connection_id }),
      404,
      'account_not_found',
    );
    expectSignIn(
      (await call.connect({ email: `u1@${domain}`, workspaceId: ws, established: true, connectionId: connection_id }))
        .body,
    );
  });
});

describe('connect: demo (P700)', () => {
  it('always answers the trial flow, for seen users too, and sign-in answers it without an id', async () => {
    const { call } = setup();
    const domain = freshDomain();
    const ws = freshId();
    await call.connect({ email: `u1@${domain}`, workspaceId: ws }); // the partner now knows u1 and the account
    for (const email of [`u1@${domain}`, `u2@${domain}`, `u1@${domain}`]) {
      const created = expectNew((await call.connect({ email, workspaceId: ws, demo: true })).body);
      expect(created).toMatchObject({ redirect_value: 'create_trial', user_status: 'new', account_status: 'new' });
      const signIn = await call.connect({
        email,
        workspaceId: ws,
        demo: true,
        established: true,
        connectionId: created.connection_id,
      });
      expect(expectSignIn(signIn.body)).toMatchObject({
        redirect_value: 'create_trial',
        user_status: 'new',
        account_status: 'new',
      });
    }
  });

  it('with supports_demo false the demo flag is ignored', async () => {
    const { call } = setup({ supportsDemo: false });
    const email = `u1@${freshDomain()}`;
    await call.connect({ email, workspaceId: freshId() });
    const c = expectNew((await call.connect({ email, workspaceId: freshId(), demo: true })).body);
    expect(c.user_status).toBe('existing');
  });
});

describe('delete-connection', () => {
  it('P401/P402/P801: deletes (POST or DELETE); sign-in and test-connection then 404; re-create works', async () => {
    for (const method of ['post', 'delete'] as const) {
      const { call } = setup();
      const email = `u1@${freshDomain()}`;
      const ws = freshId();
      const { connection_id } = expectNew((await call.connect({ email, workspaceId: ws })).body);
      const del = await call.deleteConnection(connection_id, method);
      expect(del.status).toBe(200);
      expect(del.headers['content-type']).toMatch(/^application\/json/);
      expect(del.body).toEqual({ resource_status: 'resources_deleted' });
      expectError(
        await call.connect({ email, workspaceId: ws, established: true, connectionId: connection_id }),
        404,
        'connection_not_found',
      );
      expectError(await call.testConnection(connection_id), 404, 'connection_not_found');
      expectError(await call.deleteConnection(connection_id), 404, 'connection_not_found');
      expectNew((await call.connect({ email, workspaceId: ws })).body);
    }
  });

  it('answers 404 for an unknown id and 400 naming a missing field', async () => {
    const { call } = setup();
    expectError(await call.deleteConnection('unknown'), 404, 'connection_not_found');
    const res = await call.raw('post', '/delete-connection', '{"connection_id":"x","databricks_organization_id":1}');
    expectError(res, 400, 'bad_request');
    expect(res.body.display_message).toMatch(/cloud_provider/);
  });
});

describe('delete-account', () => {
  it('P403/P404: deletes the account, its users and connections; re-create is new again', async () => {
    const { call, model } = setup();
    const domain = freshDomain();
    const email = `u1@${domain}`;
    const ws = freshId();
    const { connection_id } = expectNew((await call.connect({ email, workspaceId: ws })).body);
    const del = await call.deleteAccount(domain);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({});
    expect(model.accounts.has(domain)).toBe(false);
    expectError(
      await call.connect({ email, workspaceId: ws, established: true, connectionId: connection_id }),
      404,
      'connection_not_found',
    );
    const again = expectNew((await call.connect({ email, workspaceId: ws })).body);
    expect(again).toMatchObject({ redirect_value: 'create_trial', user_status: 'new', account_status: 'new' });
  });

  it('accepts POST, sub-domains and unknown accounts; refuses look-alikes', async () => {
    const { call } = setup();
    expect((await call.deleteAccount('databricks-test.com', 'post')).status).toBe(200);
    expect((await call.deleteAccount(freshDomain('databricks-demo.com'))).status).toBe(200);
    expectError(await call.deleteAccount('databricks-test.com.evil.example'), 400, 'bad_request');
    expectError(await call.deleteAccount('notdatabricks-test.com'), 400, 'bad_request');
  });

  it('P405: refuses a real domain with 400 and a display_message; the connection still works', async () => {
    const { call } = setup();
    const email = 'ceo@example.com';
    const ws = freshId();
    const { connection_id } = expectNew((await call.connect({ email, workspaceId: ws })).body);
    const res = await call.deleteAccount('example.com');
    expectError(res, 400, 'bad_request');
    expect(res.body.display_message).toMatch(
      /^Failed to delete the account: domain "example.com" is not a test domain\. Expected /,
    );
    expectSignIn((await call.connect({ email, workspaceId: ws, established: true, connectionId: connection_id })).body);
  });
});

describe('expire-account and trial types', () => {
  it('trial_type account: P501 sign-in is purchase_product/expired, P500 re-create is refused, P502 a new user is expired too', async () => {
    const { call } = setup({ trialType: 'account' });
    const domain = freshDomain();
    const ws = freshId();
    const u1 = `u1@${domain}`;
    const { connection_id } = expectNew((await call.connect({ email: u1, workspaceId: ws })).body);
    const exp = await call.expireAccount(u1);
    expect(exp.status).toBe(200);
    expect(exp.body).toEqual({});
    const p501 = await call.connect({ email: u1, workspaceId: ws, established: true, connectionId: connection_id });
    expect(expectSignIn(p501.body)).toMatchObject({
      redirect_value: 'purchase_product',
      user_status: 'existing',
      account_status: 'expired',
    });
    const p502 = await call.connect({
      email: `u2@${domain}`,
      workspaceId: ws,
      established: true,
      connectionId: connection_id,
    });
    expect(expectSignIn(p502.body)).toMatchObject({ user_status: 'new', account_status: 'expired' });
    const p500 = await call.connect({ email: u1, workspaceId: ws });
    expect(p500.status).toBe(200);
    expect(p500.body).toMatchObject({
      configured_resources: false,
      redirect_value: 'purchase_product',
      account_status: 'expired',
      user_status: 'existing',
    });
    expect(p500.body).not.toHaveProperty('connection_id');
    expect(Connection.safeParse(p500.body).success).toBe(true);
  });

  it('trial_type user: only that user expires; a new user of the account is active', async () => {
    const { call } = setup({ trialType: 'user' });
    const domain = freshDomain();
    const ws = freshId();
    const u1 = `u1@${domain}`;
    const { connection_id } = expectNew((await call.connect({ email: u1, workspaceId: ws })).body);
    expect((await call.expireAccount(u1, 'post')).status).toBe(200);
    const p501 = await call.connect({ email: u1, workspaceId: ws, established: true, connectionId: connection_id });
    expect(expectSignIn(p501.body)).toMatchObject({ redirect_value: 'purchase_product', account_status: 'expired' });
    const p502 = await call.connect({
      email: `u2@${domain}`,
      workspaceId: ws,
      established: true,
      connectionId: connection_id,
    });
    expect(expectSignIn(p502.body)).toMatchObject({
      redirect_value: 'sign_in',
      user_status: 'new',
      account_status: 'active',
    });
    expect((await call.connect({ email: u1, workspaceId: freshId() })).body).toMatchObject({
      configured_resources: false,
      account_status: 'expired',
      user_status: 'existing',
    });
    expectNew((await call.connect({ email: `u3@${domain}`, workspaceId: freshId() })).body);
  });

  it('refuses a non-test domain with 400', async () => {
    const { call } = setup();
    const res = await call.expireAccount('ceo@example.com');
    expectError(res, 400, 'bad_request');
    expect(res.body.display_message).toMatch(/^Failed to expire the account: .*Expected/);
  });
});

describe('test-connection (P800)', () => {
  it('answers PASS results with a message for a live connection', async () => {
    const { call } = setup();
    const { connection_id } = expectNew(
      (await call.connect({ email: `u1@${freshDomain()}`, workspaceId: freshId() })).body,
    );
    const res = await call.testConnection(connection_id);
    expect(res.status).toBe(200);
    expect(TestConnectionResponse.safeParse(res.body).success).toBe(true);
    expect(res.body.test_results.length).toBeGreaterThan(0);
    for (const r of res.body.test_results)
      expect(r).toEqual({ test_name: expect.any(String), status: 'PASS', message: expect.any(String) });
    expect(res.body.test_results[0].test_name).toBe('reach SQL warehouse');
    expectError(await call.testConnection('unknown'), 404, 'connection_not_found');
  });
});

describe('connectors (P900)', () => {
  it('serves 3 pages linked by pagination_token, the last without one', async () => {
    const { call } = setup();
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await call.connectors(token);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(ConnectorsResponse.safeParse(res.body).success).toBe(true);
      seen.push(...res.body.connectors.map((c: { identifier: string }) => c.identifier));
      token = res.body.pagination_token;
      pages += 1;
    } while (token && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThan(3);
  });

  it('refuses an unknown token with 400', async () => {
    const { call } = setup();
    expectError(await call.connectors('bogus'), 400, 'bad_request');
  });
});

describe('authentication (AUTH)', () => {
  const routes: [string, 'get' | 'post' | 'put' | 'delete'][] = [
    ['/connect', 'post'],
    ['/delete-connection', 'post'],
    ['/delete-account', 'delete'],
    ['/expire-account', 'put'],
    ['/test-connection', 'post'],
    ['/connectors', 'get'],
  ];
  it('answers 401 unauthorized on every API route for wrong or missing credentials', async () => {
    const { app } = setup();
    for (const [path, method] of routes) {
      expectError(await request(app)[method](path).auth('databricks', 'wrong').send('{}'), 401, 'unauthorized');
      expectError(
        await request(app)[method](path).auth('someone', 'pcsim-reference-secret').send('{}'),
        401,
        'unauthorized',
      );
      expectError(await request(app)[method](path).send('{}'), 401, 'unauthorized');
    }
  });

  it('honours custom credentials', async () => {
    const { app } = setup({ basicUser: 'u', basicPassword: 'p:with:colons' });
    const ok = caller(app, ['u', 'p:with:colons']);
    expect((await ok.connect({ email: `u1@${freshDomain()}`, workspaceId: freshId() })).status).toBe(200);
    expectError(
      await caller(app).connect({ email: `u1@${freshDomain()}`, workspaceId: freshId() }),
      401,
      'unauthorized',
    );
  });

  it('needs no credentials for the pages a person opens', async () => {
    const { app } = setup();
    for (const path of ['/', '/signup', '/privacy', '/tos', '/launch']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
    }
  });
});

describe('requests Databricks would never send', () => {
  it('answers 400 bad_request for malformed JSON, an empty body, a non-object, a bad email or cloud', async () => {
    const { call } = setup();
    const good = connectBody({ email: `u1@${freshDomain()}`, workspaceId: freshId() });
    for (const [text, field] of [
      [good.slice(0, 40), /not valid JSON/],
      ['', /empty/],
      ['[]', /\(body\)/],
      [good.replace(/"email":"[^"]+"/, '"email":"not-an-email"'), /user_info\.email/],
      [good.replace(/"cloud_provider":"aws"/, '"cloud_provider":"ibm"'), /cloud_provider/],
      [
        good.replace(/"user_info":\{/, '"user_info":{"x":1,').replace(/"first_name":"Ada",/, ''),
        /user_info\.first_name is missing/,
      ],
    ] as const) {
      const res = await call.raw('post', '/connect', text);
      expectError(res, 400, 'bad_request');
      expect(res.body.display_message).toMatch(field);
    }
  });

  it('answers 405 for a wrong method and 404 for a disabled hook', async () => {
    const { app, configFor } = setup({ hooks: { delete_account: false, get_connectors: false } });
    const res = await request(app).get('/connect').auth('databricks', 'pcsim-reference-secret');
    expectError(res, 405, 'bad_request');
    expect(res.headers.allow).toBe('POST');
    expect((await caller(app).deleteAccount('databricks-test.com')).status).toBe(404);
    expect((await caller(app).connectors()).status).toBe(404);
    const cfg = configFor('http://localhost:8080');
    expect(cfg.endpoints).toEqual({
      connect_path: '/connect',
      test_connection_path: '/test-connection',
      expire_account_path: '/expire-account',
      delete_connection_path: '/delete-connection',
    });
  });
});

describe('pages', () => {
  it('escapes everything the launch page shows', async () => {
    const { app } = setup();
    const res = await request(app)
      .get('/launch')
      .query({ '<k>': '<script>alert(1)</script>', o: '4645065419173783088' });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<script>');
    expect(res.text).toContain('&lt;script&gt;');
    expect(res.text).toContain('&lt;k&gt;');
    expect(res.text).toContain('4645065419173783088');
  });

  it('answers an unknown path with 404', async () => {
    const { app } = setup();
    expect((await request(app).get('/nowhere')).status).toBe(404);
  });
});

describe('configFor', () => {
  it('builds a valid partner.json in the official format from the options', () => {
    const { configFor } = setup({
      newUserAction: 'invite',
      trialType: 'user',
      requireManualSignup: true,
      supportsDemo: false,
      category: 'BI_AND_VIZ',
      name: 'acme',
    });
    const cfg = configFor('http://partner.internal:9000/');
    const checked = validatePartnerConfig(cfg);
    expect(checked.ok).toBe(true);
    expect(checked.warnings).toEqual([]);
    expect(cfg).toMatchObject({
      api_version: '2.1.1',
      name: 'acme',
      category: 'BI_AND_VIZ',
      base_url: 'http://partner.internal:9000',
      new_user_action: 'invite',
      trial_type: 'user',
      require_manual_signup: true,
      supports_demo: false,
      sign_up_page: 'http://partner.internal:9000/signup',
      resources_to_provision: [{ resource_type: 'SqlEndpoint' }],
      supported_clouds: ['aws', 'azure', 'gcp'],
    });
    expect(cfg.hostnames).toEqual(expect.arrayContaining(['partner.internal', 'localhost']));
    expect(Object.keys(cfg.endpoints)).toHaveLength(6);
  });

  it('refuses unknown faults and enum values in options', () => {
    expect(() => createReferencePartnerApp({ faults: ['nope' as never] })).toThrow(
      /^Failed to configure the reference partner: a fault is "nope"\. Expected one of slow, /,
    );
    expect(() => createReferencePartnerApp({ newUserAction: 'maybe' as never })).toThrow(/newUserAction/);
  });
});

import { afterEach, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { call, CREATOR, startWorkspace, type TestWorkspace } from './harness.js';

let w: TestWorkspace;
afterEach(async () => w?.close());

const insecure = { execute: [client.allowInsecureRequests] };

describe('OAuth M2M (client credentials)', () => {
  it('issues RS256 tokens verifiable with the JWKS, accepted as Bearer, refused once expired', async () => {
    w = await startWorkspace(['AUTH_OAUTH_M2M']);
    const sp = w.resources.service_principal_id;
    const secret = w.resources.oauth_secret!;
    const issuer = `${w.base}/oidc`;
    // Basic client authentication (client_secret_basic)
    const config = await client.discovery(new URL(issuer), sp, undefined, client.ClientSecretBasic(secret), insecure);
    expect(config.serverMetadata().token_endpoint).toBe(`${issuer}/v1/token`);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'all-apis' });
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 3600, scope: 'all-apis' });

    const { payload, protectedHeader } = await jwtVerify(
      tokens.access_token,
      createRemoteJWKSet(new URL(`${issuer}/v1/keys`)),
      { issuer, audience: sp, currentDate: w.clock.now },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ sub: sp, client_id: sp, scope: 'all-apis', ws: w.ws.id });

    // Form-field client authentication (client_secret_post) works too.
    const post = await client.discovery(new URL(issuer), sp, secret, undefined, insecure);
    expect((await client.clientCredentialsGrant(post, { scope: 'all-apis' })).access_token).toBeTruthy();

    const me = await call(w.base, 'GET', '/api/2.0/preview/scim/v2/Me', { token: tokens.access_token });
    expect(me).toMatchObject({ status: 200, body: { applicationId: sp, id: expect.stringMatching(/^\d+$/) } });
    expect(
      w.store
        .read()
        .activity!.filter((a) => a.auth === 'oauth_m2m')
        .map((a) => a.kind),
    ).toEqual(['auth', 'auth', 'auth']);

    w.clock.now = new Date(w.clock.now.getTime() + 2 * 3600_000);
    const expired = await call(w.base, 'GET', '/api/2.0/preview/scim/v2/Me', { token: tokens.access_token });
    expect(expired).toMatchObject({ status: 403, body: { error_code: '403', message: 'Invalid access token.' } });
    expect(JSON.stringify(w.store.read().activity)).not.toContain(tokens.access_token);
    expect(JSON.stringify(w.store.read().activity)).not.toContain(secret);
  });

  it('refuses a wrong secret (401 invalid_client) and malformed grants (400)', async () => {
    w = await startWorkspace(['AUTH_OAUTH_M2M']);
    const sp = w.resources.service_principal_id;
    const config = await client.discovery(new URL(`${w.base}/oidc`), sp, 'wrong-secret', undefined, insecure);
    const err = await client.clientCredentialsGrant(config, { scope: 'all-apis' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(client.ResponseBodyError);
    expect(err).toMatchObject({ error: 'invalid_client', status: 401 });
    expect(w.store.read().activity!.at(-1)).toMatchObject({
      kind: 'auth',
      status: 401,
      ok: false,
      resources_id: w.resources.id,
    });

    const form = (body: string) =>
      call(w.base, 'POST', '/oidc/v1/token', {
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    expect(await form('client_id=x')).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', error_description: expect.stringContaining('grant_type is missing') },
    });
    expect(await form('grant_type=password&username=a&password=b')).toMatchObject({
      status: 400,
      body: { error: 'unsupported_grant_type' },
    });
    expect(
      await form(
        `grant_type=client_credentials&client_id=${sp}&client_secret=${w.resources.oauth_secret}&scope=everything`,
      ),
    ).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    expect(await call(w.base, 'POST', '/oidc/v1/token', { body: { grant_type: 'client_credentials' } })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });

    await w.dbx.deleteConnection(w.ws.id, w.resources.partner_id, { notifyPartner: false });
    const revoked = await form(
      `grant_type=client_credentials&client_id=${sp}&client_secret=${w.resources.oauth_secret}`,
    );
    expect(revoked).toMatchObject({
      status: 401,
      body: { error: 'invalid_client', error_description: expect.stringContaining('revoked') },
    });
  });

  it('serves both discovery documents', async () => {
    w = await startWorkspace(['AUTH_OAUTH_M2M']);
    for (const p of ['/oidc/.well-known/oauth-authorization-server', '/oidc/.well-known/openid-configuration']) {
      const d = await call(w.base, 'GET', p);
      expect(d.body).toMatchObject({
        issuer: `${w.base}/oidc`,
        jwks_uri: `${w.base}/oidc/v1/keys`,
        code_challenge_methods_supported: ['S256'],
      });
    }
  });
});

describe('OAuth U2M (authorization code + PKCE)', () => {
  const redirect_uri = 'http://127.0.0.1:8020/callback';

  async function authorize(
    w: TestWorkspace,
    config: client.Configuration,
    verifier: string,
    state: string,
    redirect = redirect_uri,
  ) {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirect,
      scope: 'all-apis offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const page = await fetch(url);
    const html = await page.text();
    return { page, html };
  }

  async function consent(w: TestWorkspace, html: string): Promise<URL> {
    const requestId = /name="request_id" value="([^"]+)"/.exec(html)![1]!;
    const userId = /<option value="(\d+)" selected>/.exec(html)![1]!;
    const res = await fetch(`${w.base}/oidc/v1/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request_id: requestId, user_id: userId, decision: 'allow' }),
    });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  }

  it('signs in as the connection creator on a script-free consent page, and the code + verifier buy tokens', async () => {
    w = await startWorkspace(['AUTH_OAUTH_U2M']);
    const appId = w.resources.u2m_app_id!;
    const config = await client.discovery(new URL(`${w.base}/oidc`), appId, undefined, client.None(), insecure);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const { page, html } = await authorize(w, config, verifier, state);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).not.toContain('<script');
    expect(html).toContain('Acme Production');
    expect(/<option value="(\d+)" selected>/.exec(html)![1]).toBe(CREATOR);

    const back = await consent(w, html);
    expect(`${back.origin}${back.pathname}`).toBe(redirect_uri);
    const tokens = await client.authorizationCodeGrant(config, back, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.id_token).toBeUndefined(); // no openid scope, no ID token
    const me = await call(w.base, 'GET', '/api/2.0/preview/scim/v2/Me', { token: tokens.access_token });
    expect(me).toMatchObject({ status: 200, body: { id: CREATOR, userName: 'admin@acme.databricks-test.com' } });

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect((await call(w.base, 'GET', '/api/2.0/preview/scim/v2/Me', { token: refreshed.access_token })).status).toBe(
      200,
    );
    // A token the signed-in user makes with the Token API acts as that user and is listed as theirs only.
    const made = await call(w.base, 'POST', '/api/2.0/token/create', {
      token: refreshed.access_token,
      body: { comment: 'mine' },
    });
    const asUser = await call(w.base, 'GET', '/api/2.0/preview/scim/v2/Me', { token: made.body.token_value });
    expect(asUser.body).toMatchObject({ id: CREATOR, userName: 'admin@acme.databricks-test.com' });
    const listed = await call(w.base, 'GET', '/api/2.0/token/list', { token: made.body.token_value });
    expect(listed.body.token_infos.map((t: { comment: string }) => t.comment)).toEqual(['mine']);
    // The redirect_uri was registered on first use (its host is in the partner's hostnames).
    expect(w.store.read().u2m_redirects).toEqual([
      { u2m_app_id: appId, redirect_uri, registered_at: expect.any(String) },
    ]);
  });

  it('with scope openid, returns an ID token for the signed-in user, with the nonce, verifiable with the JWKS', async () => {
    w = await startWorkspace(['AUTH_OAUTH_U2M']);
    const appId = w.resources.u2m_app_id!;
    const config = await client.discovery(new URL(`${w.base}/oidc`), appId, undefined, client.None(), insecure);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri,
      scope: 'openid email offline_access all-apis',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const back = await consent(w, await (await fetch(url)).text());
    // openid-client checks the ID token itself: issuer, audience, expiry, signature (JWKS) and nonce.
    const tokens = await client.authorizationCodeGrant(config, back, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    expect(tokens.claims()).toMatchObject({
      sub: CREATOR,
      aud: appId,
      nonce,
      email: 'admin@acme.databricks-test.com',
      iss: `${w.base}/oidc`,
    });
    const { payload, protectedHeader } = await jwtVerify(
      tokens.id_token!,
      createRemoteJWKSet(new URL(`${w.base}/oidc/v1/keys`)),
      { issuer: `${w.base}/oidc`, audience: appId },
    );
    expect({ alg: protectedHeader.alg, sub: payload.sub }).toEqual({ alg: 'RS256', sub: CREATOR });
    // An ID token is not an access token: the workspace refuses it as Bearer, as Databricks does.
    const misuse = await call(w.base, 'GET', '/api/2.0/preview/scim/v2/Me', { token: tokens.id_token! });
    expect(misuse).toMatchObject({ status: 403, body: { error_code: '403', message: 'Invalid access token.' } });
    // A refresh also carries an ID token (without the nonce); without openid there is none.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.claims()).toMatchObject({ sub: CREATOR });
    expect(refreshed.claims()!.nonce).toBeUndefined();
  });

  it("refuses a PKCE mismatch (invalid_grant) and redirect_uris that are not the partner's", async () => {
    w = await startWorkspace(['AUTH_OAUTH_U2M']);
    const config = await client.discovery(
      new URL(`${w.base}/oidc`),
      w.resources.u2m_app_id!,
      undefined,
      client.None(),
      insecure,
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const { html } = await authorize(w, config, verifier, state);
    const back = await consent(w, html);
    const err = await client
      .authorizationCodeGrant(config, back, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: state })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(client.ResponseBodyError);
    expect(err).toMatchObject({ error: 'invalid_grant', status: 400 });

    const evil = await authorize(w, config, verifier, state, 'https://evil.example.net/callback');
    expect(evil.page.status).toBe(400);
    expect(evil.page.redirected).toBe(false);
    expect(evil.html).toContain('is not the one registered');
    const unknownClient = await fetch(
      `${w.base}/oidc/v1/authorize?client_id=nope&response_type=code&redirect_uri=${encodeURIComponent(redirect_uri)}`,
    );
    expect(unknownClient.status).toBe(400);
  });
});

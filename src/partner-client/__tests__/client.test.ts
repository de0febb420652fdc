/**
 * The partner client against a bare node:http server that records what arrives: the exact
 * headers and bytes Databricks sends, its retry policy, and what never leaves redacted.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringifyJson } from '../../contract/json.js';
import { validatePartnerConfig, type PartnerConfig } from '../../contract/partner-config.js';
import { PartnerClient } from '../client.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

async function partner(
  handler: (req: Seen, res: ServerResponse, n: number) => void,
): Promise<{ config: PartnerConfig; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body };
      seen.push(s);
      handler(s, res, seen.length);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const r = validatePartnerConfig({
    api_version: '2.1.1',
    name: 'capture',
    description_blurb: '',
    category: 'BI_AND_VIZ',
    base_url: `http://127.0.0.1:${port}`,
    endpoints: { connect_path: '/connect', delete_account_path: '/acct' },
    resources_to_provision: [],
    supported_clouds: ['aws'],
    hostnames: ['127.0.0.1'],
    new_user_action: 'auto_add',
  });
  if (!r.ok) throw new Error('bad test config');
  return { config: r.config, seen };
}

const creds = { user: 'databricks', password: 'hunter2-very-secret' };
const connection = {
  redirect_uri: '',
  redirect_value: 'create_trial',
  user_status: 'new',
  account_status: 'new',
  configured_resources: true,
  connection_id: 'c-1',
};

function answer(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

describe('what Databricks sends', () => {
  it('sends the contract headers, Basic auth and the exact int64 digits', async () => {
    const { config, seen } = await partner((req, res) =>
      req.method === 'GET'
        ? res.end('ok')
        : answer(res, 200, { ...connection, redirect_uri: `${config.base_url}/welcome` }),
    );
    const client = new PartnerClient({ config, credentials: creds, retryBackoffMs: [] });
    const ex = await client.call({
      kind: 'connect',
      body: {
        workspace_id: 4645065419173783088n,
        user_info: { auth: { personal_access_token: 'dapi-test-token-123' } },
      },
      established: false,
    });
    expect(ex.violations).toEqual([]);
    const req = seen[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/connect');
    expect(req.headers['user-agent']).toBe('databricks');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['accept-language']).toBe('en-US');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('databricks:hunter2-very-secret').toString('base64')}`);
    expect(req.body).toContain('"workspace_id":4645065419173783088');
    // The launch check opened the redirect_uri.
    expect(seen[1]).toMatchObject({ method: 'GET', url: '/welcome' });
    expect(ex.redirect).toMatchObject({ status: 200 });
  });

  it('opens no redirect_uri that fails the host or scheme rule (the launch check follows the judgement)', async () => {
    let next = '';
    const { config, seen } = await partner((req, res) =>
      req.method === 'GET' ? res.end('ok') : answer(res, 200, { ...connection, redirect_uri: next }),
    );
    const client = new PartnerClient({ config, credentials: creds, retryBackoffMs: [] });
    const port = new URL(config.base_url).port;
    for (const [uri, rule] of [
      [`http://localhost:${port}/welcome`, 'connect.redirect_uri.host'], // a live page, but not on the hostnames
      [`ftp://127.0.0.1:${port}/welcome`, 'connect.redirect_uri.scheme'],
    ]) {
      next = uri!;
      const ex = await client.call({ kind: 'connect', body: {}, established: false });
      expect(ex.violations.map((v) => v.rule)).toEqual([rule]);
      expect(ex.redirect).toBeUndefined();
    }
    expect(seen.map((r) => r.method)).toEqual(['POST', 'POST']);
  });

  it('gives the answer headers in lower case, a repeated one joined', async () => {
    const { config } = await partner((_req, res) => {
      res.setHeader('X-Trace', ['a', 'b']);
      answer(res, 200, { ...connection, redirect_uri: `${config.base_url}/welcome` });
    });
    const client = new PartnerClient({ config, credentials: creds, retryBackoffMs: [], openRedirects: false });
    const ex = await client.call({ kind: 'connect', body: {}, established: false });
    expect(ex.response?.headers).toMatchObject({ 'x-trace': 'a, b', 'content-type': 'application/json' });
  });

  it('sends DELETE with a JSON body for delete-account', async () => {
    const { config, seen } = await partner((_req, res) => answer(res, 200, {}));
    const client = new PartnerClient({ config, credentials: creds, retryBackoffMs: [] });
    await client.call({ kind: 'delete_account', body: { domain: 'x.databricks-test.com' } });
    expect(seen[0]).toMatchObject({ method: 'DELETE', url: '/acct', body: '{"domain":"x.databricks-test.com"}' });
  });

  it('never records a secret in clear text', async () => {
    const pat = 'dapi-secret-pat-0001';
    const { config } = await partner((req, res) =>
      answer(res, 401, {
        error_reason: 'unauthorized',
        debugging_message: `bad token ${pat} for ${req.headers.authorization}`,
      }),
    );
    const client = new PartnerClient({ config, credentials: creds, retryBackoffMs: [] });
    const ex = await client.call({
      kind: 'connect',
      body: {
        user_info: { auth: { personal_access_token: pat } },
        service_principal_oauth_secret: 'dose-oauth-secret-9',
      },
      established: false,
    });
    const text = stringifyJson(ex);
    expect(text).not.toContain(pat);
    expect(text).not.toContain('dose-oauth-secret-9');
    expect(text).not.toContain('hunter2-very-secret');
    expect(text).not.toContain(Buffer.from('databricks:hunter2-very-secret').toString('base64'));
    expect(ex.request.headers.Authorization).toBe('Basic ***redacted***');
    // Credentials given for one call (the AUTH journey's wrong pair) are scrubbed as well.
    const wrong = { user: 'pcsim-wrong-user', password: 'pcsim-wrong-password' };
    const other = stringifyJson(
      await client.call({ kind: 'connect', body: {}, established: false, credentials: wrong }),
    );
    expect(other).not.toContain(Buffer.from('pcsim-wrong-user:pcsim-wrong-password').toString('base64'));
    expect(other).not.toContain('hunter2-very-secret');
  });
});

describe("Databricks' retry policy", () => {
  it('retries a 500 three times with the configured back-off, then gives up', async () => {
    const { config, seen } = await partner((_req, res) => answer(res, 500, { error_reason: 'general_error' }));
    const waits: number[] = [];
    const client = new PartnerClient({
      config,
      credentials: creds,
      retryBackoffMs: [1000, 2000, 4000],
      sleep: async (ms) => void waits.push(ms),
    });
    const ex = await client.call({ kind: 'connect', body: {}, established: false });
    expect(seen).toHaveLength(4);
    expect(waits).toEqual([1000, 2000, 4000]);
    expect(ex.attempts.map((a) => [a.n, a.status, a.waited_ms])).toEqual([
      [1, 500, 0],
      [2, 500, 1000],
      [3, 500, 2000],
      [4, 500, 4000],
    ]);
    expect(ex.violations).toEqual([]); // a well-formed 500 is a legal answer; the journey decides
  });

  it('does not retry a 4xx', async () => {
    const { config, seen } = await partner((_req, res) => answer(res, 404, { error_reason: 'connection_not_found' }));
    const client = new PartnerClient({ config, credentials: creds, retryBackoffMs: [0, 0, 0] });
    await client.call({ kind: 'connect', body: {}, established: true });
    expect(seen).toHaveLength(1);
  });

  it('retries a network failure and reports it as a verdict, not an exception', async () => {
    const { config } = await partner((req) => req.headers.host && (server!.closeAllConnections(), undefined));
    const client = new PartnerClient({ config, credentials: creds, retryBackoffMs: [0, 0] });
    const ex = await client.call({ kind: 'connect', body: {}, established: false });
    expect(ex.attempts).toHaveLength(3);
    expect(ex.response).toBeUndefined();
    expect(ex.violations[0]).toMatchObject({ rule: 'http.network' });
  });

  it('does not retry a timeout: a hanging partner costs one timeout, not four plus the back-off', async () => {
    const { config, seen } = await partner(() => undefined); // accepts, never answers
    const waits: number[] = [];
    const client = new PartnerClient({
      config,
      credentials: creds,
      timeoutMs: 200,
      retryBackoffMs: [1000, 2000, 4000],
      sleep: async (ms) => void waits.push(ms),
    });
    const started = performance.now();
    const ex = await client.call({ kind: 'connect', body: {}, established: false });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(seen).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(ex.attempts).toHaveLength(1);
    expect(ex.violations[0]?.message).toContain('no complete answer within 200 ms (timeout)');
  });
});

it('cuts a body beyond the cap and says so', async () => {
  const big = JSON.stringify({ ...connection, padding: 'x'.repeat(3 * 1024 * 1024) });
  const { config } = await partner((_req, res) => answer(res, 200, big));
  const client = new PartnerClient({ config, credentials: creds, retryBackoffMs: [], maxBodyBytes: 64 * 1024 });
  const ex = await client.call({ kind: 'connect', body: {}, established: false });
  expect(ex.response?.body_bytes).toBe(64 * 1024);
  expect(ex.violations.map((v) => v.rule)).toEqual(['http.body_too_large']);
});

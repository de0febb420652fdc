/**
 * Injection: partner-controlled text (names, display_message, debugging_message) is escaped in
 * the HTML report; redirect_uri with a scheme other than http(s) is refused with a violation
 * (and never opened); the admin API and the UI send security headers, refuse cross-site
 * requests, and `pcsim serve` binds to loopback by default.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { judgeAnswer, redirectUriRules } from '../../src/contract/rules.js';
import { validatePartnerConfig } from '../../src/contract/partner-config.js';
import { selectJourneys } from '../../src/journeys/catalogue.js';
import { renderHtml } from '../../src/journeys/reporters/html.js';
import { runJourneys } from '../../src/journeys/runner.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { killAll, pcsim, servingUrl, exitWithin } from './support/pcsim-process.js';
import { SCRIPT, startMisbehavingPartner, type MisbehavingPartner } from './support/misbehaving-partner.js';

let partner: MisbehavingPartner;
beforeAll(async () => {
  partner = await startMisbehavingPartner();
});
afterAll(async () => {
  killAll();
  await partner?.close();
});

describe('the HTML report escapes what the partner controls', () => {
  it('a <script> in the partner name, display_message and debugging_message is shown as text', async () => {
    const v = validatePartnerConfig(partner.configFor('script', `${SCRIPT} Partner`));
    if (!v.ok) throw new Error(v.problems[0]!.message);
    const sel = selectJourneys('P100,AUTH');
    if ('error' in sel) throw new Error(sel.error);
    const report = await runJourneys({
      config: v.config,
      credentials: { user: 'u', password: 'injection-pw' },
      journeys: sel.journeys,
      timeoutMs: 2000,
      retryBackoffMs: [0, 0, 0],
    });
    expect(report.journeys[0]!.reason).toContain(SCRIPT); // the raw text is in the JSON report…
    const html = renderHtml(report);
    // …and only escaped in the HTML one.
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toMatch(/<[a-z]+[^>]*\sonerror=/i);
    expect(html).toContain('&lt;script&gt;alert(');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('redirect_uri with a scheme other than http/https is refused', () => {
  const connect200 = (uri: string) => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    truncated: false,
    body: Buffer.from(
      JSON.stringify({
        redirect_uri: uri,
        redirect_value: 'create_trial',
        user_status: 'new',
        account_status: 'new',
        configured_resources: true,
        connection_id: 'c1',
      }),
    ),
  });

  it.each([
    'javascript:alert(document.cookie)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'ftp://127.0.0.1/x',
    'JAVASCRIPT:alert(1)',
  ])('%s → [connect.redirect_uri.scheme] naming the scheme', (uri) => {
    const direct = redirectUriRules(uri, ['127.0.0.1']);
    expect(direct).toHaveLength(1);
    expect(direct[0]).toMatchObject({ rule: 'connect.redirect_uri.scheme', field: 'redirect_uri', severity: 'error' });
    expect(direct[0]!.message).toMatch(/scheme [a-z]+: is refused\. Expected http or https\./);
    const judged = judgeAnswer(
      { kind: 'connect', established: false, hostnames: ['127.0.0.1'] },
      connect200(uri),
      1024 * 1024,
    );
    expect(judged.violations.map((x) => x.rule)).toEqual(['connect.redirect_uri.scheme']);
  });
});

describe('pcsim serve: headers, cross-site requests, loopback', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      port: 0,
      dataDir: null,
      credentials: { user: 'u', password: 'headers-pw' },
      seed: false,
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('binds to 127.0.0.1 when no host is given', () => {
    expect((server.server.address() as AddressInfo).address).toBe('127.0.0.1');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it.each(['/', '/api/health', '/api/no-such-route'])(
    '%s sends CSP (frame-ancestors none), nosniff, X-Frame-Options',
    async (p) => {
      const res = await fetch(`${server.url}${p}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toMatch(/^(DENY|SAMEORIGIN)$/);
      expect(res.headers.get('x-powered-by')).toBeNull();
      await res.arrayBuffer();
    },
  );

  it("the workspace's REST APIs answer programs: JSON, nosniff, no-store, none of the page headers", async () => {
    const res = await fetch(`${server.url}/api/2.0/preview/scim/v2/Me`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(res.headers.get('content-security-policy')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(await res.text()));
  });

  it.each([
    ['Origin of another site', { origin: 'http://evil.example' }, 'Origin http://evil.example is not this server'],
    [
      'Sec-Fetch-Site cross-site',
      { 'sec-fetch-site': 'cross-site' },
      'the request came from another site (Sec-Fetch-Site: cross-site)',
    ],
    ['Origin null (sandboxed or file: page)', { origin: 'null' }, 'Origin null'],
  ])('a cross-site POST (%s) is refused 403 cross_site_request and changes nothing', async (_what, headers, says) => {
    const before = server.store.read().workspaces.length;
    const res = await fetch(`${server.url}/api/workspaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ name: 'csrf' }),
    });
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status).toBe(403);
    expect(body.error.code).toBe('cross_site_request');
    expect(body.error.message).toContain(says);
    expect(server.store.read().workspaces.length).toBe(before);
  });

  it('a same-origin POST (the UI) is accepted', async () => {
    const res = await fetch(`${server.url}/api/workspaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url, 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ name: 'same-origin' }),
    });
    expect(res.status).toBe(201);
    await res.arrayBuffer();
  });

  it('a Host header that is not this server is refused (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/api/health`, { headers: { host: 'attacker.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('pcsim serve (the CLI) listens on 127.0.0.1 by default', async () => {
    const p = pcsim(['serve', '--port', '0', '--memory']);
    const url = await servingUrl(p);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    p.child.kill('SIGTERM');
    expect((await exitWithin(p, 10000)).code).toBe(0);
  });
});

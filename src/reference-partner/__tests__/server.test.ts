import { afterEach, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import { validatePartnerConfig } from '../../contract/partner-config.js';
import { startReferencePartner, type RunningReferencePartner } from '../index.js';
import { connectBody, freshDomain } from './helpers.js';

const AUTH = `Basic ${Buffer.from('databricks:pcsim-reference-secret').toString('base64')}`;
const running: RunningReferencePartner[] = [];

async function start(opts: Parameters<typeof startReferencePartner>[0] = {}) {
  const p = await startReferencePartner(opts);
  running.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.close()));
});

/** One raw HTTP call that keeps the socket alive afterwards, as Databricks' client pool would. */
function post(
  url: string,
  body: string,
  agent?: import('node:http').Agent,
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: { Authorization: AUTH, 'Content-Type': 'application/json', 'User-Agent': 'databricks' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('startReferencePartner', () => {
  it('listens on an ephemeral port of 127.0.0.1 and describes itself with a valid config', async () => {
    const p = await start();
    expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const checked = validatePartnerConfig(p.config);
    expect(checked.ok).toBe(true);
    expect(checked.warnings).toEqual([]);
    expect(p.config).toMatchObject({
      base_url: p.url,
      api_version: '2.1.1',
      sign_up_page: `${p.url}/signup`,
      supported_clouds: ['aws', 'azure', 'gcp'],
      resources_to_provision: [{ resource_type: 'SqlEndpoint' }],
    });
    expect(p.config.hostnames).toEqual(expect.arrayContaining(['127.0.0.1', 'localhost']));
    expect(p.config.endpoints).toEqual({
      connect_path: '/connect',
      get_connectors_path: '/connectors',
      test_connection_path: '/test-connection',
      delete_account_path: '/delete-account',
      delete_connection_path: '/delete-connection',
      expire_account_path: '/expire-account',
    });
  });

  it('lists only the enabled hooks', async () => {
    const p = await start({ hooks: { expire_account: false, test_connection: false } });
    expect(Object.keys(p.config.endpoints).sort()).toEqual([
      'connect_path',
      'delete_account_path',
      'delete_connection_path',
      'get_connectors_path',
    ]);
  });

  it('round-trips an int64 above 2^53 over a real socket, and its redirect_uri opens', async () => {
    const p = await start();
    const body = connectBody({
      email: `u1@${freshDomain()}`,
      workspaceId: 4645065419173783088n,
      userId: 4645065419173783089n,
    });
    expect(body).toContain('"workspace_id":4645065419173783088');
    const res = await post(`${p.url}/connect`, body);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const c = JSON.parse(res.text) as { redirect_uri: string; connection_id: string };
    expect(p.model.connections.get(c.connection_id)?.workspaceId).toBe('4645065419173783088');
    const uri = new URL(c.redirect_uri);
    expect(p.config.hostnames).toContain(uri.hostname);
    expect(uri.searchParams.get('o')).toBe('4645065419173783088');
    const page = await fetch(c.redirect_uri);
    expect(page.status).toBe(200);
    await page.text();
  });

  it('close() ends keep-alive connections at once', async () => {
    const p = await start();
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true });
    try {
      expect(
        (await post(`${p.url}/connect`, connectBody({ email: `u1@${freshDomain()}`, workspaceId: 1n }), agent)).status,
      ).toBe(200);
      const t0 = performance.now();
      await p.close();
      expect(performance.now() - t0).toBeLessThan(1000);
      await p.close(); // idempotent
    } finally {
      agent.destroy();
    }
  });

  it('hang: connect never answers, and close() still ends the hung socket', async () => {
    const p = await start({ faults: ['hang'] });
    const pending = post(`${p.url}/connect`, connectBody({ email: `u1@${freshDomain()}`, workspaceId: 1n }));
    const outcome = await Promise.race([
      pending.then(
        () => 'answered',
        () => 'failed',
      ),
      new Promise((r) => setTimeout(() => r('still waiting'), 300)),
    ]);
    expect(outcome).toBe('still waiting');
    const t0 = performance.now();
    await p.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    await expect(pending).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it('reset: connect destroys the socket mid-response; other APIs answer', async () => {
    const p = await start({ faults: ['reset'] });
    await expect(
      post(`${p.url}/connect`, connectBody({ email: `u1@${freshDomain()}`, workspaceId: 1n })),
    ).rejects.toThrow(/aborted|ECONNRESET|socket hang up/);
    const res = await fetch(`${p.url}/connectors`, { headers: { Authorization: AUTH } });
    expect(res.status).toBe(200);
    await res.text();
  });

  it('slow: a real client waits slowMs for the answer', async () => {
    const p = await start({ faults: ['slow'], slowMs: 200 });
    const t0 = performance.now();
    const res = await post(`${p.url}/connect`, connectBody({ email: `u1@${freshDomain()}`, workspaceId: 1n }));
    expect(res.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, fetch } from 'undici';
import { loadUserTls, tlsHostNames, workspaceTls, type WorkspaceTls } from '../certificate.js';
import { acceptTlsToo, type TlsOnSamePort } from '../https.js';

describe('workspace certificate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pcsim-tls-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("is made by pcsim's own CA for the served host names, kept in the state directory and reused", async () => {
    const first = await workspaceTls(dir, tlsHostNames(['pcsim.example.test']));
    expect(first.source).toBe('generated');
    const cert = new X509Certificate(first.cert);
    const ca = new X509Certificate(first.ca);
    expect(ca.ca).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkHost('pcsim.example.test')).toBe('pcsim.example.test');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(first.caFile).toBe(path.join(dir, 'tls', 'ca.pem'));
    expect((await stat(path.join(dir, 'tls', 'ca-key.pem'))).mode & 0o077).toBe(0);
    const again = await workspaceTls(dir, tlsHostNames(['pcsim.example.test']));
    expect(again).toMatchObject({ source: 'stored', cert: first.cert, ca: first.ca });
    // Another host name: a new server certificate from the same CA, so a partner's trust holds.
    const moved = await workspaceTls(dir, tlsHostNames(['other.example.test']));
    expect(moved.source).toBe('generated');
    expect(moved.ca).toBe(first.ca);
    expect(new X509Certificate(moved.cert).checkHost('other.example.test')).toBe('other.example.test');
  });

  it('forks for a new certificate only once beforeFork resolves; a stored one does not wait for it', async () => {
    const own = await mkdtemp(path.join(tmpdir(), 'pcsim-tls-wait-'));
    try {
      let go: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (go = resolve));
      let asked = 0;
      let settled = false;
      const made = workspaceTls(own, tlsHostNames(['wait.example.test']), new Date(), () => {
        asked++;
        return gate;
      }).finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(asked).toBe(1);
      expect(settled).toBe(false);
      await expect(stat(path.join(own, 'tls'))).rejects.toThrow(); // nothing made yet
      go();
      expect((await made).source).toBe('generated');
      const never = () => new Promise<void>(() => undefined);
      expect(await workspaceTls(own, tlsHostNames(['wait.example.test']), new Date(), never)).toMatchObject({
        source: 'stored',
      });
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });

  it("takes the user's pair with --tls-cert/--tls-key and names a mismatched key", async () => {
    const a = await workspaceTls(null, tlsHostNames());
    const b = await workspaceTls(null, tlsHostNames(['another.example.test']));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'c.pem'), a.cert);
    await writeFile(path.join(dir, 'k.pem'), a.key);
    await writeFile(path.join(dir, 'other-k.pem'), b.key);
    const user = await loadUserTls(path.join(dir, 'c.pem'), path.join(dir, 'k.pem'));
    expect(user).toMatchObject({ source: 'user', cert: a.cert, ca: a.cert, caFile: path.join(dir, 'c.pem') });
    await expect(loadUserTls(path.join(dir, 'c.pem'), path.join(dir, 'other-k.pem'))).rejects.toThrow(
      /Failed to use --tls-key .*other-k\.pem: the key does not belong/,
    );
    await expect(loadUserTls(path.join(dir, 'k.pem'), path.join(dir, 'k.pem'))).rejects.toThrow(
      /Failed to read --tls-cert .*Expected a PEM certificate/,
    );
    await expect(loadUserTls(path.join(dir, 'none.pem'), path.join(dir, 'k.pem'))).rejects.toThrow(
      /Failed to read --tls-cert .*none\.pem/,
    );
    expect(await readFile(path.join(dir, 'c.pem'), 'utf8')).toBe(a.cert);
  });
});

describe('HTTPS and HTTP on one port', () => {
  let server: Server;
  let tls: WorkspaceTls;
  let both: TlsOnSamePort;
  let port: number;
  const app: RequestListener = (req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => res.end(`${req.method} ${n} ${'encrypted' in req.socket ? 'tls' : 'plain'}`));
  };
  beforeAll(async () => {
    tls = await workspaceTls(null, tlsHostNames());
    server = createServer(app);
    both = acceptTlsToo(server, app, tls);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    both.closeAll();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('answers https (trusting the CA) and http, with keep-alive and large bodies', async () => {
    const agent = new Agent({ connect: { ca: tls.ca } });
    for (const base of [`https://127.0.0.1:${port}`, `https://localhost:${port}`, `http://127.0.0.1:${port}`]) {
      for (const size of [0, 300_000]) {
        const res = await fetch(`${base}/`, { method: 'POST', body: 'x'.repeat(size), dispatcher: agent });
        expect(await res.text()).toBe(`POST ${size} ${base.startsWith('https') ? 'tls' : 'plain'}`);
      }
    }
    await agent.close();
  });

  it('refuses a client that does not trust the CA, and keeps serving', async () => {
    const err = await fetch(`https://127.0.0.1:${port}/`).catch((e: Error) => e);
    expect(String((err as Error & { cause?: { code?: string } }).cause?.code)).toMatch(/CERT|SELF_SIGNED|UNABLE/);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('GET 0 plain');
  });
});

/** checkReachable: a TCP connection to base_url's host and port, with the back-off of a call. */
import { describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { checkReachable, hostPort } from '../reach.js';

describe('checkReachable', () => {
  it('is ok when something accepts connections, sending nothing', async () => {
    const received: Buffer[] = [];
    const s = createServer((c) => c.on('data', (d: Buffer) => received.push(d)));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    try {
      const r = await checkReachable(`http://127.0.0.1:${(s.address() as { port: number }).port}/api`, {
        retryBackoffMs: [0, 0, 0],
        timeoutMs: 1000,
      });
      expect(r.ok).toBe(true);
      await new Promise((res) => setTimeout(res, 50));
      expect(received).toEqual([]);
    } finally {
      s.close();
    }
  });

  it('retries a refused connection with the back-off, then says so', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const { port } = s.address() as { port: number };
    await new Promise((r) => s.close(r));
    const r = await checkReachable(`http://127.0.0.1:${port}`, { retryBackoffMs: [10, 20], timeoutMs: 1000 });
    expect(r).toMatchObject({ ok: false, code: 'ECONNREFUSED', attempts: 3 });
    expect(r.duration_ms).toBeGreaterThanOrEqual(30);
  });

  it('stops waiting when the run is stopped', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    const r = await checkReachable('http://127.0.0.1:1', {
      retryBackoffMs: [5000],
      timeoutMs: 1000,
      signal: stop.signal,
    });
    expect(r).toMatchObject({ ok: false, code: 'STOPPED' });
    expect(r.duration_ms).toBeLessThan(2000);
  });

  it('knows default ports and IPv6 literals', () => {
    expect(hostPort('https://partner.example/x')).toEqual({ host: 'partner.example', port: 443 });
    expect(hostPort('http://[::1]:8080')).toEqual({ host: '::1', port: 8080 });
  });
});

/**
 * Limits: a request body over the limit is refused 413 on every mutating route of the admin API
 * (before any handler runs, so nothing changes), and the journal keeps at most journalLimit
 * exchanges: the oldest are dropped and counted, and GET /api/journal shows the count.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { ROUTES } from '../../src/server/app.js';
import { startServer } from '../../src/server/start.js';
import { ACME, ADMIN, harness, type Harness } from '../server/harness.js';

const MUTATING = ROUTES.filter((r) => r.method !== 'get');
/** An import carries the whole state: PUT /api/state has its own, larger limit (AppDeps.stateLimit). */
const IMPORT = (r: (typeof ROUTES)[number]) => r.method === 'put' && r.path === '/api/state';
/** Just over the default 1mb limit, and valid JSON, so only the size can be refused. */
const OVERSIZED = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 16) });

describe('request body limit (default 1mb)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('covers at least the mutating routes the issue names', () => {
    expect(MUTATING.length).toBeGreaterThanOrEqual(12);
  });

  it.each(MUTATING.filter((r) => !IMPORT(r)).map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))(
    '%s → 413 body_too_large, nothing changed',
    async (_name, route) => {
      const url = route.path
        .replace('{ws}', ACME)
        .replace('{user}', ADMIN)
        .replace('{partner}', h.partner.id)
        .replace('{journey}', 'P200')
        .replace('{id}', 'x');
      const before = JSON.stringify(h.store.read(), (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
      const res = await request(h.app)[route.method](url).set('Content-Type', 'application/json').send(OVERSIZED);
      expect(res.status).toBe(413);
      const message = 'Failed to read the request body: it is larger than 1mb. Expected a JSON body of at most 1mb.';
      expect(res.body).toEqual({
        type: 'urn:pcsim:problem:body_too_large',
        title: 'Body too large',
        status: 413,
        detail: message,
        instance: url.replace(/[{}]/g, encodeURIComponent), // as the client sent it
        code: 'body_too_large',
        error: { code: 'body_too_large', message, details: { limit: '1mb' } },
      });
      expect(JSON.stringify(h.store.read(), (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).toBe(before);
    },
  );

  it('PUT /api/state takes bodies over 1mb, up to its own limit (then 413, nothing changed)', async () => {
    const over = await request(h.app).put('/api/state').set('Content-Type', 'application/json').send(OVERSIZED);
    expect(over.status).toBe(400); // read, then refused for what it holds: not an export
    expect(over.body.error.code).toBe('validation_failed');
    const small = await harness({ app: { stateLimit: '1kb' } });
    try {
      const before = JSON.stringify(small.store.read(), (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
      const res = await request(small.app)
        .put('/api/state')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ x: 'x'.repeat(2048) }));
      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({ code: 'body_too_large', details: { limit: '1kb' } });
      expect(JSON.stringify(small.store.read(), (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).toBe(before);
    } finally {
      await small.close();
    }
  });

  it('a body just under the limit is read (and judged on its content, not its size)', async () => {
    const res = await request(h.app)
      .post('/api/workspaces')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ name: 'y'.repeat(1000 * 1000) }));
    expect(res.status).toBe(400);
    expect(res.body.error.details.field).toBe('name');
  });
});

describe('journal cap', () => {
  it('journalLimit 3, 5 exchanges: the newest 3 are kept, GET /api/journal says dropped: 2', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pcsim-limits-'));
    const server = await startServer({
      port: 0,
      dataDir: dir,
      journalLimit: 3,
      credentials: { user: 'databricks', password: 'limits-pw' },
      retryBackoffMs: [0, 0, 0],
      seed: false,
      log: () => undefined,
    });
    try {
      const post = async (p: string, body: unknown) => {
        const res = await fetch(`${server.url}${p}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return (await res.json()) as Record<string, any>;
      };
      const ws = (await post('/api/workspaces', {})).id as string;
      const user = (await post(`/api/workspaces/${ws}/users`, { email: 'cap@cap.databricks-test.com' })).id as string;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push(
          ...((await post(`/api/workspaces/${ws}/partners/${server.reference!.id}/connect`, { user_id: user }))
            .exchange_ids as string[]),
        );
      expect(ids).toHaveLength(5);
      const journal = (await (await fetch(`${server.url}/api/journal`)).json()) as {
        exchanges: Array<{ id: string }>;
        total: number;
        dropped: number;
      };
      expect(journal.dropped).toBe(2);
      expect(journal.total).toBe(3);
      expect(journal.exchanges.map((e) => e.id)).toEqual(ids.slice(2).reverse()); // newest first
      const health = (await (await fetch(`${server.url}/api/health`)).json()) as {
        counts: { journal: number; journal_dropped: number };
      };
      expect(health.counts).toMatchObject({ journal: 3, journal_dropped: 2 });
      const dropped = await fetch(`${server.url}/api/journal/${ids[0]}`);
      expect(dropped.status).toBe(404);
      expect(((await dropped.json()) as { error: { message: string } }).error.message).toContain(
        'it may have been dropped',
      );
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

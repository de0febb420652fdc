/**
 * The admin API's lists come a page at a time: limit + page_token → next_page_token until the end,
 * every item exactly once and in order; a token pcsim did not issue is a 400 naming page_token.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { startServer, type RunningServer } from '../../src/server/start.js';

let s: RunningServer | undefined;
afterAll(async () => {
  await s?.close();
});

describe('pagination of the admin API lists', () => {
  it("GET /api/workspaces and a workspace's users page through everything, each once, in order", async () => {
    s = await startServer({
      port: 0,
      dataDir: null,
      seed: false,
      credentials: { user: 'u', password: 'p' },
      log: () => undefined,
    });
    const created: string[] = [];
    for (let i = 0; i < 25; i++) created.push((await s.databricks.createWorkspace({ name: `w${i}` })).id);
    for (let i = 0; i < 12; i++) await s.databricks.addUser(created[0]!, { email: `u${i}@page.databricks-test.com` });
    const walk = async (path: string, field: string) => {
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const res = await fetch(`${s!.url}${path}?limit=10${token ? `&page_token=${token}` : ''}`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as Record<string, unknown>;
        seen.push(...(body[field] as Array<{ id: string }>).map((x) => x.id));
        token = body.next_page_token as string | undefined;
        pages++;
      } while (token && pages < 10);
      return { seen, pages };
    };
    const ws = await walk('/api/workspaces', 'workspaces');
    expect(ws).toEqual({ seen: created, pages: 3 });
    const users = await walk(`/api/workspaces/${created[0]}/users`, 'users');
    expect(users.seen).toHaveLength(12);
    expect(new Set(users.seen).size).toBe(12);
    expect(users.pages).toBe(2);

    const bad = await fetch(`${s.url}/api/workspaces?page_token=bm9wZQ`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: { field: string } } }).error.details.field).toBe('page_token');
    const doc = (await (await fetch(`${s.url}/api/openapi.json`)).json()) as {
      paths: Record<string, { get?: { parameters?: Array<{ name: string }> } }>;
    };
    expect(doc.paths['/api/workspaces']!.get!.parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining(['limit', 'page_token']),
    );
  });
});

/**
 * `pcsim state` against a real `pcsim serve` on a loopback port: export to a file, import it,
 * snapshot and restore, move the clock; and the refusals name what was wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli.js';
import type { CliIO } from '../../src/cli/io.js';
import { startServer, type RunningServer } from '../../src/server/start.js';

let server: RunningServer;
let dir: string;
beforeAll(async () => {
  server = await startServer({
    port: 0,
    dataDir: null,
    credentials: { user: 'databricks', password: 'pcsim-reference-secret' },
    retryBackoffMs: [0, 0, 0],
    reference: { faults: ['no-core-integration'] },
  });
  dir = await mkdtemp(path.join(tmpdir(), 'pcsim-cli-state-'));
});
afterAll(async () => {
  await server?.close();
});

async function pcsim(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (s) => void out.push(s), err: (s) => void err.push(s), env: {}, isTTY: false };
  const code = await main([...args, '--url', server.url], io);
  return { code, out: out.join(''), err: err.join('') };
}

const workspaces = async () =>
  ((await (await fetch(`${server.url}/api/workspaces`)).json()) as { workspaces: { name: string }[] }).workspaces.map(
    (w) => w.name,
  );

describe('pcsim state', () => {
  it('exports to a file and imports it back; snapshots and restores', async () => {
    const file = path.join(dir, 'state.json');
    expect(await pcsim('state', 'export', '--out', file)).toMatchObject({
      code: 0,
      err: expect.stringContaining(`to ${file}`),
    });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ format: 'pcsim-state', version: 1 });
    const before = await workspaces();

    const snap = await pcsim('state', 'snapshot', '--name', 'before extra');
    expect(snap.code).toBe(0);
    const id = snap.out.split('\t')[0]!;
    expect((await pcsim('state', 'snapshots')).out).toContain(`${id}\t`);
    await fetch(`${server.url}/api/workspaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'extra' }),
    });
    expect(await workspaces()).toContain('extra');
    expect((await pcsim('state', 'restore', id)).code).toBe(0);
    expect(await workspaces()).toEqual(before);

    await fetch(`${server.url}/api/workspaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'extra again' }),
    });
    expect(await pcsim('state', 'import', file)).toMatchObject({ code: 0, out: expect.stringContaining('imported') });
    expect(await workspaces()).toEqual(before);
  });

  it('moves the clock and resets it', async () => {
    expect((await pcsim('state', 'clock', '--advance', '3601')).out).toContain('3601 s ahead');
    expect((await pcsim('state', 'clock')).out).toContain('3601 s ahead');
    expect((await pcsim('state', 'clock', '--reset')).out).toContain('\t0 s ahead');
  });

  it('refuses with the reason: an unknown action, a file that is not an export, an unknown snapshot', async () => {
    expect(await pcsim('state', 'rewind')).toMatchObject({
      code: 2,
      err: expect.stringContaining('Expected one of export, import'),
    });
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, '{"format": "other"}');
    expect(await pcsim('state', 'import', bad)).toMatchObject({
      code: 2,
      err: expect.stringContaining('format is "other". Expected "pcsim-state"'),
    });
    expect(await pcsim('state', 'restore', 'nope')).toMatchObject({
      code: 2,
      err: expect.stringContaining('Failed to find snapshot nope'),
    });
    expect(await pcsim('state', 'clock', '--advance', 'soon')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--advance "soon"'),
    });
  });
});

/**
 * CLI scenarios kept as data (fixtures/cli/*.json) and replayed through the real binary,
 * bin/pcsim.js, as a partner's CI would run it. `{{PARTNER_CONFIG}}` is a partner.json for a
 * reference partner started for the scenario (with its `partner` options); `{{TMP}}` a temp dir.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReferencePartner } from '../../src/reference-partner/index.js';
import { startServer } from '../../src/server/start.js';
import type { ReferencePartnerOptions } from '../../src/reference-partner/types.js';
import { VERSION } from '../../src/version.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = join(root, 'fixtures/cli');

interface Command {
  args: string[];
  env?: Record<string, string>;
  exit: number;
  stdout?: string[];
  stderr?: string[];
  files?: string[];
  no_ansi?: boolean;
}

interface Scenario extends Command {
  name: string;
  partner?: ReferencePartnerOptions;
  /** A pcsim serve (memory, seeded) at {{SERVE_URL}}, clicked through its admin API before the command; {{SERVE_PARTNER}} is its reference partner's id. */
  serve?: { clicks: Array<{ method: string; path: string; body?: unknown }> };
  /** A second command in the same temp dir (e.g. replay what the first recorded). */
  then?: Command;
}

const scenarios = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as Scenario] as const);
const closers: Array<() => Promise<void>> = [];
afterAll(async () => void (await Promise.all(closers.map((c) => c()))));

function pcsim(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !['BASIC_USER', 'BASIC_PASSWORD', 'PAT_TOKEN', 'NO_COLOR', 'FORCE_COLOR'].includes(k),
      ),
    );
    execFile(
      process.execPath,
      [join(root, 'bin/pcsim.js'), ...args],
      { cwd: root, env: { ...clean, ...env }, timeout: 60000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('pcsim CLI scenarios (fixtures/cli)', () => {
  it('has scenarios', () => expect(scenarios.length).toBeGreaterThan(5));

  it.each(scenarios)('%s', async (_file, s) => {
    const tmp = await mkdtemp(join(tmpdir(), 'pcsim-cli-'));
    const vars: Record<string, string> = { TMP: tmp, VERSION };
    if (s.partner) {
      const ref = await startReferencePartner(s.partner);
      closers.push(ref.close);
      vars.PARTNER_CONFIG = join(tmp, 'partner.json');
      await writeFile(vars.PARTNER_CONFIG, JSON.stringify(ref.config, null, 2));
    }
    const fill = (x: string) => x.replace(/\{\{(\w+)\}\}/g, (_m, k: string) => vars[k] ?? `{{${k}}}`);
    if (s.serve) {
      const srv = await startServer({
        port: 0,
        dataDir: null,
        credentials: { user: 'databricks', password: 'pcsim-reference-secret' },
        retryBackoffMs: [0, 0, 0],
      });
      closers.push(srv.close);
      vars.SERVE_URL = srv.url;
      vars.SERVE_PARTNER = srv.reference!.id;
      for (const c of s.serve.clicks) {
        const res = await fetch(`${srv.url}${fill(c.path)}`, {
          method: c.method,
          headers: { 'content-type': 'application/json' },
          body: c.body === undefined ? undefined : fill(JSON.stringify(c.body)),
        });
        expect({
          click: `${c.method} ${c.path}`,
          status: res.status < 300 ? 'ok' : `${res.status} ${await res.text()}`,
        }).toEqual({ click: `${c.method} ${c.path}`, status: 'ok' });
      }
    }
    for (const cmd of s.then ? [s, s.then] : [s]) {
      const r = await pcsim(cmd.args.map(fill), cmd.env ?? {});
      const context = `pcsim ${cmd.args.map(fill).join(' ')}\nexit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
      expect({ code: r.code, context }).toMatchObject({ code: cmd.exit });
      for (const text of cmd.stdout ?? [])
        expect({ stdout: r.stdout, context }).toMatchObject({ stdout: expect.stringContaining(fill(text)) });
      for (const text of cmd.stderr ?? [])
        expect({ stderr: r.stderr, context }).toMatchObject({ stderr: expect.stringContaining(fill(text)) });
      for (const f of cmd.files ?? []) expect(existsSync(join(tmp, f))).toBe(true);
      if (cmd.no_ansi) expect(r.stdout).not.toMatch(/\u001b\[/);
    }
  });
});

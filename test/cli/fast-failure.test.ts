/**
 * A partner that is down or hangs, met by the real binary with the default back-off: a closed
 * loopback port ends the run within seconds with one message naming base_url (every journey
 * skipped with that reason, in every reporter); a server that accepts and never answers costs
 * at most the call timeout per journey, with progress on stderr. Loopback only, bounded.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createReferencePartnerApp } from '../../src/reference-partner/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let hanging: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise((r) => (hanging ? hanging.close(r) : r(undefined)));
  hanging = undefined;
});

function pcsim(args: string[]): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['NO_COLOR', 'FORCE_COLOR'].includes(k)));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'bin/pcsim.js'), ...args],
      { cwd: root, env, timeout: 60000 },
      (err, stdout, stderr) => {
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : -1) : 0,
          stdout,
          stderr,
          ms: performance.now() - started,
        });
      },
    );
  });
}

/** A port nothing listens on: the kernel's pick, released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

async function partnerFile(dir: string, port: number): Promise<string> {
  const file = join(dir, 'partner.json');
  await writeFile(file, JSON.stringify(createReferencePartnerApp().configFor(`http://127.0.0.1:${port}`), null, 2));
  return file;
}

describe('a partner that is down or hangs', () => {
  it('down: a closed loopback port is reported within 15 s with the default back-off, once, naming base_url', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pcsim-down-'));
    const port = await closedPort();
    const file = await partnerFile(dir, port);
    const r = await pcsim([
      'run',
      '--partner',
      file,
      '--no-color',
      '--reporter',
      'console',
      '--reporter',
      `json:${dir}/r.json`,
      '--reporter',
      `junit:${dir}/r.xml`,
      '--reporter',
      `html:${dir}/r.html`,
    ]);
    const base = `http://127.0.0.1:${port}`;
    // Wall clock includes Node's start-up on a shared machine; the run's own time is the report's.
    expect(r.ms).toBeLessThan(20000);
    expect(r.code).toBe(1);
    const messages = r.stderr.split('\n').filter((l) => l.includes('Failed to reach the partner'));
    expect(messages).toHaveLength(1);
    const [before, after] = [
      `pcsim: Failed to reach the partner at base_url ${base} (${file}): connection refused: nothing is listening at that address (is the partner server running?) (4 attempts over `,
      ' s). Expected a server accepting connections there: start the partner, or correct base_url.',
    ];
    expect(messages[0]!.startsWith(before) && messages[0]!.endsWith(after)).toBe(true);
    expect(Number(messages[0]!.slice(before.length, -after.length))).toBeGreaterThanOrEqual(7); // 1 s + 2 s + 4 s of back-off
    const json = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as {
      journeys: Array<{ status: string; reason: string; steps: unknown[] }>;
      summary: { skipped: number; total: number };
      duration_ms: number;
    };
    expect(json.summary.skipped).toBe(json.summary.total);
    expect(json.duration_ms).toBeGreaterThanOrEqual(7000);
    expect(json.duration_ms).toBeLessThan(15000);
    expect(json.journeys.length).toBeGreaterThan(5);
    for (const j of json.journeys) {
      expect(j).toMatchObject({ status: 'skipped', steps: [] });
      expect(j.reason).toContain(`nothing answers at base_url ${base}: connection refused`);
    }
    const xml = await readFile(join(dir, 'r.xml'), 'utf8');
    expect(xml).toContain(`skipped="${json.summary.total}"`);
    expect(xml).toContain(`nothing answers at base_url ${base}`);
    expect(await readFile(join(dir, 'r.html'), 'utf8')).toContain(`nothing answers at base_url ${base}`);
    expect(r.stdout).toContain(`not started: nothing answers at base_url ${base}`);
  }, 30000);

  it('hanging: each journey costs one call timeout (no retries of a timeout), with progress on stderr and nothing on stdout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pcsim-hang-'));
    hanging = createServer((s) => void sockets.push(s.on('data', () => undefined))); // accepts, never answers
    await new Promise<void>((r) => hanging!.listen(0, '127.0.0.1', r));
    const file = await partnerFile(dir, (hanging.address() as { port: number }).port);
    const r = await pcsim([
      'run',
      '--partner',
      file,
      '--journeys',
      'P100,P300,P400',
      '--timeout-ms',
      '1000',
      '--reporter',
      `json:${dir}/r.json`,
    ]);
    expect(r.code).toBe(1);
    // 3 journeys × 1 s, plus start-up; with retries it would be 3 × (4 s + 7 s of back-off).
    expect(r.ms).toBeLessThan(3 * 1000 + 15000);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/pcsim: P100 is still running after 0\.5 s/);
    expect(r.stderr).toMatch(
      /pcsim: \[1\/3\] P100 failed \(1\.\d s\): .*no complete answer within 1000 ms \(timeout\)/,
    );
    expect(r.stderr).toMatch(/pcsim: \[3\/3\] P400 failed/);
    const json = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as {
      journeys: Array<{ status: string; duration_ms: number; steps: Array<{ attempts: number }> }>;
    };
    for (const j of json.journeys) {
      expect(j.status).toBe('failed');
      expect(j.steps.map((s) => s.attempts)).toEqual([1]);
      expect(j.duration_ms).toBeLessThan(1000 + 1500);
    }
  }, 30000);

  it('hanging with --fail-fast: the first journey fails after one timeout, the rest are skipped saying why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pcsim-hang-'));
    hanging = createServer((s) => void sockets.push(s.on('data', () => undefined)));
    await new Promise<void>((r) => hanging!.listen(0, '127.0.0.1', r));
    const file = await partnerFile(dir, (hanging.address() as { port: number }).port);
    const r = await pcsim([
      'run',
      '--partner',
      file,
      '--journeys',
      'P100,P300,P400',
      '--timeout-ms',
      '1000',
      '--fail-fast',
      '--reporter',
      `junit:${dir}/r.xml`,
    ]);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(1000 + 15000);
    expect(r.stderr).toContain(
      'pcsim: [2/3] P300 skipped (0.0 s): not started: --fail-fast stopped the run after P100 failed',
    );
    const xml = await readFile(join(dir, 'r.xml'), 'utf8');
    expect(xml).toContain('failures="1"');
    expect(xml).toContain('skipped="2"');
    expect(xml).toContain('--fail-fast stopped the run after P100 failed');
  }, 30000);
});

/**
 * Ctrl-C during `pcsim run` and `pcsim load` (the real binary): the run stops before its next
 * partner call (load: starts no new copy), the reports are still written, and the exit code is 130.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReferencePartner } from '../../src/reference-partner/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const closers: Array<() => Promise<void>> = [];
afterAll(async () => void (await Promise.all(closers.map((c) => c()))));

const scenario = (name: string, steps: string) =>
  `name: ${name}\nworkspaces: [{ name: w }]\nusers: [{ name: u, email: "u@\${domain}", member_of: [w] }]\nsteps:\n  - connect: { workspace: w, user: u }\n${steps}`;

describe('pcsim run, interrupted', () => {
  it('writes the reports, marks what did not run as stopped, and exits 130', async () => {
    const ref = await startReferencePartner({});
    closers.push(ref.close);
    const tmp = await mkdtemp(join(tmpdir(), 'pcsim-int-'));
    await writeFile(join(tmp, 'partner.json'), JSON.stringify(ref.config));
    await writeFile(
      join(tmp, 'a-slow.yaml'),
      scenario('slow', '  - wait: { ms: 600000 }\n  - signin: { workspace: w, user: u }\n'),
    );
    await writeFile(join(tmp, 'b-later.yaml'), scenario('later', ''));
    const env = { ...process.env, BASIC_USER: 'databricks', BASIC_PASSWORD: 'pcsim-reference-secret', NO_COLOR: '1' };
    const child = spawn(
      process.execPath,
      [
        join(root, 'bin/pcsim.js'),
        'run',
        '--partner',
        join(tmp, 'partner.json'),
        '--scenario',
        tmp,
        '--reporter',
        'console',
        '--reporter',
        `json:${join(tmp, 'report.json')}`,
      ],
      { cwd: root, env },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30000); // bounded, whatever happens

    // The slow scenario is waiting once its connect has gone out: the partner has a connection.
    for (let i = 0; i < 200 && ref.model.connections.size === 0; i++) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGINT');
    const code = await exited;
    clearTimeout(killer);

    expect({ code, stderr }).toMatchObject({
      code: 130,
      stderr: expect.stringContaining('pcsim: stopping after the call under way'),
    });
    expect(stdout).toContain('0 passed, 0 failed, 2 skipped, 0 manual');
    const report = JSON.parse(await readFile(join(tmp, 'report.json'), 'utf8')) as {
      journeys: Array<{ id: string; status: string; reason: string }>;
    };
    expect(report.journeys.map((j) => [j.id, j.status, j.reason])).toEqual([
      ['slow', 'skipped', 'stopped: the run was stopped before "#2 wait 600000 ms" (1 step done)'],
      ['later', 'skipped', 'not started: the run was stopped'],
    ]);
  });

  it('load: ends the measurement early and still reports it', async () => {
    const ref = await startReferencePartner({});
    closers.push(ref.close);
    const tmp = await mkdtemp(join(tmpdir(), 'pcsim-int-'));
    await writeFile(join(tmp, 'partner.json'), JSON.stringify(ref.config));
    const env = { ...process.env, BASIC_USER: 'databricks', BASIC_PASSWORD: 'pcsim-reference-secret', NO_COLOR: '1' };
    const child = spawn(
      process.execPath,
      [
        join(root, 'bin/pcsim.js'),
        'load',
        '--partner',
        join(tmp, 'partner.json'),
        '--journeys',
        'P100',
        '--concurrency',
        '2',
        '--duration',
        '600',
        '--report',
        `json:${join(tmp, 'load.json')}`,
      ],
      { cwd: root, env },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30000);
    for (let i = 0; i < 400 && ref.model.connections.size < 20; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGINT');
    const code = await exited;
    clearTimeout(killer);
    expect({ code, stderr }).toMatchObject({ code: 130, stderr: expect.stringContaining('pcsim load: stopping') });
    const report = JSON.parse(await readFile(join(tmp, 'load.json'), 'utf8')) as {
      duration_ms: number;
      copies: { completed: number; failed: number };
    };
    expect(report.copies.completed).toBeGreaterThan(0);
    expect(report.copies.failed).toBe(0);
    expect(report.duration_ms).toBeLessThan(600000);
  });
});

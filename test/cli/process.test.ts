/**
 * The real binary meeting the machine: a port already taken is the user's to fix (exit 2, said
 * plainly), and a reader that goes away (`pcsim … | head`) ends the output quietly.
 */
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function pcsim(
  args: string[],
  opts: { closeStdout?: boolean } = {},
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/pcsim.js'), ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    if (opts.closeStdout)
      child.stdout.destroy(); // the reader is gone before pcsim writes a byte
    else child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('pcsim and its process', () => {
  it('partner: a port in use is a usage error naming it, not a crash', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await pcsim(['partner', '--port', String(port)]);
      expect(r).toEqual({
        stdout: '',
        code: 2,
        stderr: `pcsim: Failed to listen on 127.0.0.1:${port}: the port is in use. Expected a free port (pass --port, or --port 0 for any free one).\n`,
      });
    } finally {
      busy.close();
    }
  });

  it('a closed stdout (pcsim --help | head) ends quietly, without an EPIPE trace', async () => {
    const r = await pcsim(['run', '--help'], { closeStdout: true });
    expect(r.stderr).not.toMatch(/EPIPE|at \w+ \(/);
    expect(r.code).toBe(0);
  });

  it("the top-level help, a command's help and the version come from the small help bundle, complete", async () => {
    const help = await pcsim(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    for (const command of ['run', 'serve', 'partner', 'load', 'record', 'state', 'validate'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    const serve = await pcsim(['help', 'serve']);
    expect(serve).toMatchObject({ code: 0, stderr: '' });
    expect(serve.stdout).toContain('Usage: pcsim serve [options]');
    expect(serve.stdout).toContain('--port');
    const version = await pcsim(['--version']);
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

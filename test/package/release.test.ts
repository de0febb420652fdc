/**
 * The release script's plan, checked statically (no Docker engine here): the tarball step, and
 * the image built from this Dockerfile, tagged with the package version, saved when asked.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  scripts: Record<string, string>;
};

function release(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'scripts/release.mjs'), ...args],
      { cwd: root, env, timeout: 30000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('scripts/release.mjs', () => {
  it('is the npm release script', () => expect(pkg.scripts.release).toBe('node scripts/release.mjs'));

  it('plans the tarball, then the image from this Dockerfile tagged with the version, then its archive', async () => {
    const r = await release(['--dry-run', '--out', 'dist-release', '--image', 'ghcr.io/acme/pcsim', '--save-image']);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.replace(/ +#.*$/, ''));
    expect(lines).toEqual([
      `npm pack --pack-destination ${join(root, 'dist-release')}`,
      `docker build --file ${join(root, 'Dockerfile')} --tag ghcr.io/acme/pcsim:${pkg.version} --tag ghcr.io/acme/pcsim:latest ${root}`,
      `docker save --output ${join(root, 'dist-release', `pcsim-image-${pkg.version}.tar`)} ghcr.io/acme/pcsim:${pkg.version}`,
    ]);
    expect(existsSync(join(root, 'Dockerfile'))).toBe(true);
    expect(existsSync(join(root, 'dist-release'))).toBe(false); // a dry run writes nothing
  });

  it('refuses --image up front when there is no docker command, naming what is missing', async () => {
    const r = await release(['--image', '--out', 'never'], { ...process.env, PATH: '/nonexistent' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Failed to build the image: no docker command on this machine.');
    expect(existsSync(join(root, 'never'))).toBe(false);
  });

  it('refuses an unknown argument', async () => {
    const r = await release(['--tag', 'x']);
    expect(r).toMatchObject({ code: 2, stderr: expect.stringContaining('Failed to read "--tag": unknown argument.') });
  });
});

/**
 * From a partner's repository, with no network: the release script packs the checkout (the
 * dependencies bundled in the tarball), an empty project installs it as a devDependency with
 * `npm install --offline` and an empty cache (the registry pointed at a closed port), and
 * `npx pcsim` validates, runs and loads. The bare name `pcsim` is never looked up.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  bundleDependencies: unknown;
};
let dir: string;
let project: string;
let tarball: string;

/** No network for npm: offline mode, an empty cache, and a registry nothing listens on. */
const offline = () => ({
  ...process.env,
  npm_config_offline: 'true',
  npm_config_cache: join(dir, 'npm-cache'),
  npm_config_registry: 'http://127.0.0.1:9/',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
});

function sh(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, timeout: 180000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pcsim-install-'));
  // dist/ is built by `npm test` before the tests; packing without re-running prepare keeps the
  // checkout's dist/ stable for the other test files spawning bin/pcsim.js meanwhile.
  const release = await sh(process.execPath, [join(root, 'scripts/release.mjs'), '--out', join(dir, 'out')], root, {
    ...process.env,
    npm_config_ignore_scripts: 'true',
  });
  expect({ code: release.code, stderr: release.stderr.slice(-2000) }).toMatchObject({ code: 0 });
  tarball = release.stdout.trim().split('\n').at(-1)!;
  project = join(dir, 'partner-repo');
  await sh('mkdir', ['-p', project], dir, process.env);
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({ name: 'partner-repo', version: '1.0.0', private: true }),
  );
}, 240000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the packed tarball in a partner repository, offline', () => {
  it('is scoped (@pcsim/cli), keeps the pcsim bin, and bundles its dependencies', () => {
    expect(pkg.name).toBe('@pcsim/cli');
    expect(pkg.bin).toEqual({ pcsim: 'bin/pcsim.js' });
    expect(pkg.bundleDependencies).toBe(true);
    expect(tarball).toBe(join(dir, 'out', `pcsim-cli-${pkg.version}.tgz`));
    expect(readFileSync(`${tarball}.sha256`, 'utf8')).toMatch(
      new RegExp(`^[0-9a-f]{64}  pcsim-cli-${pkg.version}\\.tgz\\n$`),
    );
  });

  it('installs as a devDependency with no network, and npx pcsim validates, runs and loads', async () => {
    const env = offline();
    const install = await sh('npm', ['install', '--save-dev', tarball], project, env);
    expect({ code: install.code, stderr: install.stderr.slice(-2000) }).toMatchObject({ code: 0 });
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(Object.keys(manifest.devDependencies)).toEqual(['@pcsim/cli']);
    expect(existsSync(join(project, 'node_modules/.bin/pcsim'))).toBe(true);

    const version = await sh('npx', ['--offline', 'pcsim', '--version'], project, env);
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });

    // The partner's own partner.json (here the reference partner's), validated.
    const printed = await sh('npx', ['--offline', 'pcsim', 'partner', '--print-config', '--port', '0'], project, env);
    expect(printed.code).toBe(0);
    await writeFile(join(project, 'partner.json'), printed.stdout);
    const validate = await sh('npx', ['--offline', 'pcsim', 'validate', 'partner.json'], project, env);
    expect(validate).toMatchObject({ code: 0, stdout: expect.stringContaining('valid partner config') });

    const run = await sh(
      'npx',
      [
        '--offline',
        'pcsim',
        'run',
        '--journeys',
        'P100,P300',
        '--retry-backoff-ms',
        '0,0,0',
        '--reporter',
        'junit:reports/pcsim.xml',
      ],
      project,
      env,
    );
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    expect(readFileSync(join(project, 'reports/pcsim.xml'), 'utf8')).toContain('tests="2" failures="0"');

    const load = await sh(
      'npx',
      [
        '--offline',
        'pcsim',
        'load',
        '--journeys',
        'P100',
        '--concurrency',
        '2',
        '--duration',
        '1',
        '--progress',
        '0',
        '--no-color',
      ],
      project,
      env,
    );
    expect({ code: load.code, stderr: load.stderr }).toMatchObject({ code: 0 });
    expect(load.stdout).toContain('throughput:');

    // The example scenarios travel in the package, for --scenario in the partner's repository.
    const scenario = await sh(
      'npx',
      ['--offline', 'pcsim', 'validate', 'node_modules/@pcsim/cli/fixtures/scenarios/hooks.yaml'],
      project,
      env,
    );
    expect(scenario.code).toBe(0);
  }, 240000);
});

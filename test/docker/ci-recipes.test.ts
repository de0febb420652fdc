/**
 * The CI recipes under docs/ci/ work as written: their YAML parses, every shell step that needs
 * no Docker runs against the checkout (standing in for the installed tarball: node_modules/@pcsim/cli
 * is this checkout, as `npm ci` would lay it out), the exit codes reach the CI, and the JUnit file
 * the CI publishes is the one pcsim writes. The Docker steps are checked for what makes them work
 * on a hosted runner (the caller's uid, the mounted workspace, the release's image name), and
 * their pcsim arguments run through the same binary.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const groups: number[] = [];

afterAll(() => {
  // The partners the recipes start in the background live in the process groups of the shells run here.
  for (const g of groups) {
    try {
      process.kill(-g, 'SIGTERM');
    } catch {
      // already gone
    }
  }
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

/** A partner repository with pcsim installed as npm ci would: node_modules/@pcsim/cli and its bin. */
async function partnerRepo(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pcsim-ci-'));
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'partner-repo',
      private: true,
      devDependencies: { '@pcsim/cli': `file:tools/pcsim-cli-${pkg.version}.tgz` },
    }),
  );
  await mkdir(join(dir, 'node_modules/@pcsim'), { recursive: true });
  await mkdir(join(dir, 'node_modules/.bin'));
  await symlink(root, join(dir, 'node_modules/@pcsim/cli'));
  await symlink('../@pcsim/cli/bin/pcsim.js', join(dir, 'node_modules/.bin/pcsim'));
  return dir;
}

/** One shell as the CI runs it (bash -eo pipefail), in its own process group. */
function shell(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    groups.push(child.pid!);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 120000);
    // 'exit', not 'close': the partner started with & keeps the pipes open.
    child.on('exit', (code) => {
      clearTimeout(killer);
      setTimeout(() => done({ code: code ?? -1, out }), 50);
    });
  });
}

const baseEnv = () => {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('PCSIM_') && !['BASIC_USER', 'BASIC_PASSWORD', 'PAT_TOKEN', 'NO_COLOR'].includes(k),
    ),
  );
  return { ...clean, npm_config_offline: 'true', npm_config_update_notifier: 'false' };
};

/** GitHub expressions (`${{ secrets.X }}`) are empty here, as for a repository without the secrets. */
const githubValue = (v: unknown) => String(v).replace(/\$\{\{[^}]*\}\}/g, '');

interface GithubStep {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}
const github = parse(readFileSync(join(root, 'docs/ci/github-actions.yml'), 'utf8')) as {
  env: Record<string, string>;
  jobs: Record<string, { steps: GithubStep[] }>;
};
const gitlab = parse(readFileSync(join(root, 'docs/ci/gitlab-ci.yml'), 'utf8')) as Record<
  string,
  { script: string[]; artifacts: { when: string; paths: string[]; reports: { junit: string } }; image: unknown }
> & { variables: Record<string, string> };

const JUNIT = /--reporter junit:(\S+)/;

describe('docs/ci/github-actions.yml', () => {
  const { tarball, image } = github.jobs;

  it('publishes the JUnit file pcsim writes, and keeps the reports, even when the run failed', () => {
    for (const job of [tarball!, image!]) {
      const run = job.steps.find((s) => /pcsim(:\S+)? run /.test(s.run ?? ''))!;
      const junit = JUNIT.exec(run.run!)?.[1];
      const publish = job.steps.find((s) => s.uses?.startsWith('mikepenz/action-junit-report@'))!;
      expect(publish).toMatchObject({ if: 'always()', with: { report_paths: junit } });
      const keep = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
      expect(keep.if).toBe('always()');
      expect(junit?.startsWith(keep.with!.path!)).toBe(true);
    }
  });

  async function runJob(
    extraEnv: Record<string, string>,
  ): Promise<{ dir: string; env: NodeJS.ProcessEnv; results: Array<{ name: string; code: number; out: string }> }> {
    const dir = await partnerRepo();
    const env = {
      ...baseEnv(),
      ...Object.fromEntries(Object.entries(github.env).map(([k, v]) => [k, githubValue(v)])),
      PARTNER_PORT: String(await freePort()),
      ...extraEnv,
    };
    const results: Array<{ name: string; code: number; out: string }> = [];
    for (const step of tarball!.steps.filter((s) => s.run && s.run.trim() !== 'npm ci')) {
      const r = await shell(step.run!, dir, env);
      results.push({ name: step.name ?? '', ...r });
      if (r.code !== 0) break; // the CI stops at a failed step (the if: always() steps are uses: steps)
    }
    return { dir, env, results };
  }

  it('the tarball job runs as written against a compliant partner: exit 0, a JUnit report with no failure', async () => {
    const { dir, env: jobEnv, results } = await runJob({});
    expect(results.map((r) => ({ name: r.name, code: r.code, out: r.code ? r.out : '' }))).toEqual(
      tarball!.steps.filter((s) => s.run && s.run.trim() !== 'npm ci').map((s) => ({ name: s.name, code: 0, out: '' })),
    );
    const xml = readFileSync(join(dir, 'reports/pcsim.xml'), 'utf8');
    expect(xml).toMatch(/failures="0"/);
    for (const f of ['reports/pcsim.html', 'reports/pcsim.json', 'partner.json'])
      expect(existsSync(join(dir, f))).toBe(true);

    // The image job's pcsim arguments, run by the same binary against the same partner (no Docker here).
    const step = image!.steps.find((s) => s.run?.includes('--user'))!.run!;
    const args = step
      .slice(step.indexOf(`pcsim:${pkg.version} `) + `pcsim:${pkg.version} `.length)
      .replace(/junit:reports\//, 'junit:image-reports/');
    const r = await shell(`npx pcsim ${args}`, dir, jobEnv);
    expect({ code: r.code, out: r.code ? r.out : '' }).toEqual({ code: 0, out: '' });
    expect(readFileSync(join(dir, 'image-reports/pcsim.xml'), 'utf8')).toMatch(/failures="0"/);
  }, 180000);

  it('a partner that breaks the contract fails the run step with exit 1, the report written for the CI to publish', async () => {
    const { dir, results } = await runJob({ PCSIM_FAULTS: 'id-on-sign-in', PCSIM_JOURNEYS: 'P100,P300' });
    const last = results.at(-1)!;
    expect(last).toMatchObject({ name: 'Replay the journeys', code: 1 });
    expect(last.out).toContain('connect.connection_id.on_sign_in');
    expect(readFileSync(join(dir, 'reports/pcsim.xml'), 'utf8')).toMatch(/failures="1"/);
  }, 180000);

  it('the image job runs pcsim as the caller, with the workspace mounted, from the image the release makes', () => {
    const load = image!.steps.find((s) => s.run?.startsWith('docker load'))!.run!;
    expect(load.trim()).toBe(`docker load --input tools/pcsim-image-${pkg.version}.tar`); // scripts/release.mjs --save-image's name
    const run = image!.steps.find((s) => s.run?.includes('--user'))!.run!;
    expect(run).toContain('--user "$(id -u):$(id -g)"');
    expect(run).toContain('--volume "$PWD:/work" --workdir /work');
    expect(run).toContain('--env BASIC_USER --env BASIC_PASSWORD');
    expect(run).toMatch(new RegExp(`pcsim:${pkg.version.replace(/\./g, '\\.')} run `));
  });
});

describe('docs/ci/gitlab-ci.yml', () => {
  it('hands GitLab the JUnit file pcsim writes, kept even when the job failed', () => {
    for (const job of [gitlab.pcsim!, gitlab['pcsim-image']!]) {
      const run = job.script.find((l) => l.includes('pcsim run'))!;
      expect(job.artifacts).toMatchObject({ when: 'always', reports: { junit: JUNIT.exec(run)?.[1] } });
      expect(job.artifacts.paths).toContain('reports/');
    }
    expect(gitlab['pcsim-image']!.image).toMatchObject({
      name: expect.stringMatching(new RegExp(`/pcsim:${pkg.version.replace(/\./g, '\\.')}$`)),
      entrypoint: [''],
    });
  });

  it.each(['pcsim', 'pcsim-image'])(
    'the %s job script runs as written (one shell, as GitLab runs it): exit 0 and the JUnit report',
    async (name) => {
      const dir = await partnerRepo();
      const env = {
        ...baseEnv(),
        ...gitlab.variables,
        PARTNER_PORT: String(await freePort()),
        PATH: `${join(dir, 'node_modules/.bin')}:${process.env.PATH}`,
      };
      const script = gitlab[name]!.script.filter((l) => l.trim() !== 'npm ci').join('\n');
      const r = await shell(script, dir, env);
      expect({ code: r.code, out: r.code ? r.out : '' }).toEqual({ code: 0, out: '' });
      expect(readFileSync(join(dir, gitlab[name]!.artifacts.reports.junit), 'utf8')).toMatch(/failures="0"/);
    },
    180000,
  );
});

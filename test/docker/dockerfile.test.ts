/**
 * There is no Docker engine where pcsim is developed, so the Dockerfile is kept a thin wrapper
 * over the npm commands CI runs, and this test checks it against the project: base image,
 * files copied, build script and output, entry point, port, health check and data volume. Then
 * it runs the image's command (ENTRYPOINT + CMD, with the image's environment) from the checkout.
 */
import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Option } from 'commander';
import { buildProgram } from '../../src/cli.js';
import { CONFIG_TABLE } from '../../src/cli/config.js';
import { ROUTES } from '../../src/server/app.js';

const root = process.cwd();
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
  engines: { node: string };
};

/** Instructions with continuation lines joined and comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const [op, ...rest] = l.split(/\s+/);
    return { op: op!.toUpperCase(), args: rest.join(' ') };
  });
const all = (op: string) => instructions.filter((i) => i.op === op);
const jsonArray = (s: string) => JSON.parse(s) as string[];
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtime = stages.at(-1)!;
/** The JavaScript the HEALTHCHECK runs with `node -e`. */
const healthScript = () => {
  const args = jsonArray(
    all('HEALTHCHECK')
      .at(-1)!
      .args.replace(/^.*?CMD /, ''),
  );
  expect(args.slice(0, 2)).toEqual(['node', '-e']);
  return args[2]!;
};

describe('Dockerfile', () => {
  test('is multi-stage on an official Node 20 image, matching package.json engines', () => {
    const froms = all('FROM').map((f) => f.args.split(/\s+/)[0]!);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const image of froms) expect(image).toMatch(/^node:20(-[a-z]+)*(-slim)?$/);
    expect(pkg.engines.node).toMatch(/^>=20/);
  });

  test('every file it copies from the build context exists', () => {
    const sources = all('COPY')
      .filter((c) => !c.args.startsWith('--from'))
      .flatMap((c) => c.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const s of sources)
      expect({ source: s, exists: existsSync(path.join(root, s)) }).toEqual({ source: s, exists: true });
  });

  test('builds with the npm build script, whose output directory is what the runtime copies', () => {
    expect(dockerfile).toContain('RUN npm ci');
    expect(dockerfile).toContain('RUN npm run build');
    expect(pkg.scripts.build).toBeDefined();
    const tsconfig = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as {
      compilerOptions: { outDir: string };
    };
    expect(runtime).toContain(
      `COPY --from=build /app/${tsconfig.compilerOptions.outDir} ./${tsconfig.compilerOptions.outDir}`,
    );
    // the bin script loads the compiled CLI from that directory: the bundle, and the help's own small one
    const bin = readFileSync(path.join(root, pkg.bin.pcsim!), 'utf8');
    expect(bin).toContain(`../${tsconfig.compilerOptions.outDir}/bundle/pcsim.cjs`);
    expect(bin).toContain(`../${tsconfig.compilerOptions.outDir}/bundle/pcsim-help.cjs`);
  });

  test('the build stage has every script `npm run build` runs; the runtime warms the code cache as root', () => {
    const build = stages[0]!;
    const scripts = [...pkg.scripts.build!.matchAll(/node (scripts\/[\w.-]+)/g)].map((m) => m[1]!);
    expect(scripts).toContain('scripts/bundle.mjs');
    // The bundle's build injects its shim by path.
    const bundler = readFileSync(path.join(root, 'scripts/bundle.mjs'), 'utf8');
    scripts.push(...[...bundler.matchAll(/'(scripts\/[\w.-]+)'/g)].map((m) => m[1]!));
    const copied = all('COPY')
      .filter((c) => build.includes(`COPY ${c.args}`))
      .flatMap((c) => c.args.split(/\s+/).slice(0, -1));
    for (const s of scripts) expect({ script: s, copied: copied.includes(s) }).toEqual({ script: s, copied: true });
    const warm = runtime.indexOf('RUN node scripts/warm-code-cache.mjs');
    expect(runtime).toContain('COPY scripts/warm-code-cache.mjs ./scripts/');
    expect(warm).toBeGreaterThan(runtime.indexOf('COPY --from=build /app/dist ./dist'));
    expect(warm).toBeLessThan(runtime.indexOf('USER node')); // root writes next to the bundle
  });

  test('ENTRYPOINT is the package bin, linked to the copied script; the runtime runs as non-root', () => {
    const entry = jsonArray(all('ENTRYPOINT').at(-1)!.args);
    expect(entry).toEqual([Object.keys(pkg.bin)[0]]);
    expect(runtime).toContain(`ln -s /app/${pkg.bin.pcsim} /usr/local/bin/pcsim`);
    expect(runtime).toMatch(/COPY bin \.\/bin/);
    const user = all('USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toBe('root');
  });

  test("CMD is `serve --host 0.0.0.0`, EXPOSE and the HEALTHCHECK's fallback are serve's default port, and the health path is a route", () => {
    const cmd = jsonArray(all('CMD').at(-1)!.args);
    expect(cmd).toEqual(['serve', '--host', '0.0.0.0']);
    const serve = buildProgram({ out: () => undefined, err: () => undefined, env: {}, isTTY: false }, { code: 0 }, () =>
      Promise.resolve(),
    ).commands.find((c) => c.name() === 'serve')!;
    const port = (serve.options as Option[]).find((o) => o.long === '--port')!.defaultValue as string;
    expect(all('EXPOSE').at(-1)!.args).toBe(port);
    const script = healthScript();
    expect(/process\.env\.PCSIM_PORT \|\| (\d+)/.exec(script)?.[1]).toBe(port);
    expect(CONFIG_TABLE.find((e) => e.flag === '--port')?.env).toBe('PCSIM_PORT');
    const route = /'(\/api\/[\w/]+)'/.exec(script)?.[1];
    expect(ROUTES.some((r) => r.method === 'get' && r.path === route)).toBe(true);
  });

  test('runs under any uid (docker run --user "$(id -u):$(id -g)"): HOME and the state volume are writable to all', () => {
    expect(runtime).toMatch(/HOME=\/tmp\b/); // /tmp is world-writable in every Debian image
    expect(runtime).toMatch(/chmod 0777 \/data\b/);
    // Nothing at run time needs the image's own user's home or npm: the entry point is the bin itself.
    expect(all('ENTRYPOINT').at(-1)!.args).not.toContain('npm');
  });

  test('carries the example scenarios the README names, at /app/fixtures/scenarios', () => {
    expect(runtime).toContain('COPY fixtures/scenarios ./fixtures/scenarios');
    expect(all('WORKDIR').at(-1)!.args).toBe('/app');
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const cited = [...readme.matchAll(/\/app\/(fixtures\/scenarios\/[\w./-]*\w)/g)].map((m) => m[1]!);
    expect(cited.length).toBeGreaterThan(0);
    for (const f of cited) expect({ f, exists: existsSync(path.join(root, f)) }).toEqual({ f, exists: true });
  });

  test('state goes to the /data volume through PCSIM_DATA, the variable of --data', () => {
    expect(all('VOLUME').at(-1)!.args).toContain('/data');
    expect(runtime).toContain('PCSIM_DATA=/data');
    expect(CONFIG_TABLE.find((e) => e.flag === '--data')?.env).toBe('PCSIM_DATA');
  });

  test('.dockerignore keeps node_modules, build output and state out of the context', () => {
    const ignore = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['node_modules', 'dist', 'data']) expect(ignore).toContain(p);
  });

  test("the image's command runs from the checkout under its HOME; its health check follows PCSIM_PORT", async () => {
    const data = await mkdtemp(path.join(tmpdir(), 'pcsim-docker-'));
    const port = await freePort();
    const cmd = jsonArray(all('CMD').at(-1)!.args).map((a) => (a === '0.0.0.0' ? '127.0.0.1' : a)); // loopback in tests
    const env = { ...process.env, PCSIM_DATA: data, PCSIM_PORT: String(port), HOME: tmpdir() };
    const child = spawn(process.execPath, [path.join(root, pkg.bin.pcsim!), ...cmd], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = '';
        const timer = setTimeout(() => reject(new Error(`no "serving on" line within 20 s: ${err}`)), 20000);
        child.stderr!.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /serving on (http:\/\/\S+)/.exec(err);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      expect(url).toBe(`http://127.0.0.1:${port}`);
      expect(existsSync(path.join(data, 'pcsim.json'))).toBe(true);
      expect(await health({ PCSIM_PORT: String(port) })).toBe(0);
      expect(await health({ PCSIM_PORT: String(await freePort()) })).toBe(1);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }, 30000);
});

/** Runs the HEALTHCHECK command as Docker would, with the container's environment. */
function health(env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', healthScript()], { env: { ...process.env, ...env }, stdio: 'ignore' });
    child.once('exit', (code) => resolve(code ?? -1));
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

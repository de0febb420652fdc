#!/usr/bin/env node
// The release: the npm tarball a partner installs offline (dependencies bundled), and the image.
//   node scripts/release.mjs [--out DIR] [--image [NAME]] [--save-image] [--dry-run]
// --out DIR      where the tarball (and image archive) go (default: release/)
// --image NAME   also `docker build` the image, tagged NAME:VERSION and NAME:latest (default name pcsim)
// --save-image   also `docker save` it to DIR/pcsim-image-VERSION.tar (for machines without a registry)
// --dry-run      print the commands, run nothing
// Exit 0 when everything asked for was produced, 2 for bad usage or a missing tool.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

function parseArgs(argv) {
  const opts = { out: 'release', image: undefined, saveImage: false, dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out' && argv[i + 1]) opts.out = argv[++i];
    else if (a === '--image') opts.image = argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : 'pcsim';
    else if (a === '--save-image') opts.saveImage = true;
    else if (a === '--dry-run') opts.dryRun = true;
    else {
      process.stderr.write(
        `release: Failed to read ${JSON.stringify(a)}: unknown argument. Expected --out DIR, --image [NAME], --save-image, --dry-run.\n`,
      );
      process.exit(2);
    }
  }
  if (opts.saveImage && !opts.image) opts.image = 'pcsim';
  return opts;
}

/** The tarball name npm gives a (scoped) package: @pcsim/cli 0.1.0 → pcsim-cli-0.1.0.tgz. */
export const tarballName = (name, version) => `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;

/** The commands of a release, in order: what --dry-run prints and what a real run executes. */
export function plan(opts) {
  const out = path.resolve(root, opts.out);
  const steps = [
    {
      cmd: 'npm',
      args: ['pack', '--pack-destination', out],
      why: 'build (prepare) and pack the tarball, dependencies bundled',
    },
  ];
  if (opts.image) {
    const tag = `${opts.image}:${pkg.version}`;
    steps.push({
      cmd: 'docker',
      args: ['build', '--file', path.join(root, 'Dockerfile'), '--tag', tag, '--tag', `${opts.image}:latest`, root],
      why: 'build the image',
    });
    if (opts.saveImage)
      steps.push({
        cmd: 'docker',
        args: ['save', '--output', path.join(out, `pcsim-image-${pkg.version}.tar`), tag],
        why: 'save the image to a file',
      });
  }
  return { out, tarball: path.join(out, tarballName(pkg.name, pkg.version)), steps };
}

function has(tool) {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const p = plan(opts);
  if (opts.dryRun) {
    for (const s of p.steps)
      process.stdout.write(
        `${s.cmd} ${s.args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}   # ${s.why}\n`,
      );
    return 0;
  }
  // Checked before anything runs: a release without its image is not half-made silently.
  if (opts.image && !has('docker')) {
    process.stderr.write(
      'release: Failed to build the image: no docker command on this machine. Expected a Docker engine (or leave out --image to make only the tarball).\n',
    );
    return 2;
  }
  mkdirSync(p.out, { recursive: true });
  for (const s of p.steps) {
    process.stderr.write(`release: ${s.why}: ${s.cmd} ${s.args.join(' ')}\n`);
    const r = spawnSync(s.cmd, s.args, {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      shell: process.platform === 'win32',
    });
    if (r.status !== 0) {
      process.stderr.write(`release: Failed to ${s.why}: ${s.cmd} exited ${r.status ?? r.signal}.\n`);
      return r.status || 1;
    }
  }
  const sum = createHash('sha256').update(readFileSync(p.tarball)).digest('hex');
  writeFileSync(`${p.tarball}.sha256`, `${sum}  ${path.basename(p.tarball)}\n`);
  process.stdout.write(`${p.tarball}\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();

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
import type { ReferencePartnerOptions } from '../../src/reference-partner/types.js';
import { VERSION } from '../../src/version.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = join(root, 'fixtures/cli');

interface Scenario {
  name: string;
  args: string[];
  env?: Record<string, string>;
  partner?: ReferencePartnerOptions;
  exit: number;
  stdout?: string[];
  stderr?: string[];
  files?: string[];
  no_ansi?: boolean;
}

const scenarios = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as Scenario] as const);
const closers: Array<() => Promise<void>> = [];
afterAll(async () => void (await Promise.all(closers.map((c) => c()))));

function pcsim(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['BASIC_USER', 'BASIC_PASSWORD', 'PAT_TOKEN', 'NO_COLOR', 'FORCE_COLOR'].includes(k)));
    execFile(process.execPath, [join(root, 'bin/pcsim.js'), ...args], { cwd: root, env: { ...clean, ...env }, timeout: 60000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
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
    const r = await pcsim(s.args.map(fill), s.env ?? {});
    const context = `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
    expect({ code: r.code, context }).toMatchObject({ code: s.exit });
    for (const text of s.stdout ?? []) expect(r.stdout).toContain(fill(text));
    for (const text of s.stderr ?? []) expect(r.stderr).toContain(fill(text));
    for (const f of s.files ?? []) expect(existsSync(join(tmp, f))).toBe(true);
    if (s.no_ansi) expect(r.stdout).not.toMatch(/\u001b\[/);
  });
});

/**
 * Configuration layers: flag > PCSIM_* variable > pcsim.config.json > default, through the real
 * commands; and docs/CONFIGURATION.md, CONFIG_TABLE and the commands' flags cannot drift apart.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Option } from 'commander';
import { buildProgram, main } from '../../src/cli.js';
import { CONFIG_TABLE, NOT_CONFIGURABLE } from '../../src/cli/config.js';
import type { CliIO } from '../../src/cli/io.js';

function capture(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (s) => void out.push(s), err: (s) => void err.push(s), env, isTTY: false };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

/** `pcsim partner --print-config` prints the config its options produced, then stops at once. */
async function printedConfig(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ code: number; config?: Record<string, unknown>; err: string }> {
  const c = capture(env);
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const result = { code: 0 };
    const program = buildProgram(c.io, result, () => Promise.resolve());
    try {
      await program.parseAsync(['partner', '--port', '0', '--print-config', ...args], { from: 'user' });
    } catch (err) {
      c.io.err(String((err as Error).message));
      return { code: 2, err: c.err() };
    }
    return {
      code: result.code,
      config: c.out() ? (JSON.parse(c.out()) as Record<string, unknown>) : undefined,
      err: c.err(),
    };
  } finally {
    process.chdir(before);
  }
}

describe('configuration layers', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pcsim-config-'));
  });

  test('with nothing set, the built-in default applies', async () => {
    const r = await printedConfig([], {}, dir);
    expect(r.config?.new_user_action).toBe('auto_add');
  });

  test('pcsim.config.json in the current directory beats the default', async () => {
    const d = await mkdtemp(path.join(tmpdir(), 'pcsim-config-'));
    await writeFile(path.join(d, 'pcsim.config.json'), JSON.stringify({ 'new-user-action': 'invite' }));
    expect((await printedConfig([], {}, d)).config?.new_user_action).toBe('invite');
  });

  test('the environment beats the config file, and the flag beats both', async () => {
    const d = await mkdtemp(path.join(tmpdir(), 'pcsim-config-'));
    await writeFile(path.join(d, 'pcsim.config.json'), JSON.stringify({ 'new-user-action': 'invite' }));
    expect((await printedConfig([], { PCSIM_NEW_USER_ACTION: 'not_found' }, d)).config?.new_user_action).toBe(
      'not_found',
    );
    expect(
      (await printedConfig(['--new-user-action', 'error'], { PCSIM_NEW_USER_ACTION: 'not_found' }, d)).config
        ?.new_user_action,
    ).toBe('error');
  });

  test('a negated flag is set off by its variable (PCSIM_DEMO=false is --no-demo)', async () => {
    expect((await printedConfig([], {}, dir)).config?.supports_demo).toBe(true);
    expect((await printedConfig([], { PCSIM_DEMO: 'false' }, dir)).config?.supports_demo).toBe(false);
  });

  test('--config FILE names another file; PCSIM_CONFIG too', async () => {
    const file = path.join(dir, 'other.json');
    await writeFile(file, JSON.stringify({ 'trial-type': 'account' }));
    expect((await printedConfig(['--config', file], {}, dir)).config?.trial_type).toBe('account');
    expect((await printedConfig([], { PCSIM_CONFIG: file }, dir)).config?.trial_type).toBe('account');
  });

  test('an unknown key in the config file is refused with the file, the key and the closest known key', async () => {
    const d = await mkdtemp(path.join(tmpdir(), 'pcsim-config-'));
    await writeFile(path.join(d, 'pcsim.config.json'), JSON.stringify({ prot: 9000 }));
    const before = process.cwd();
    process.chdir(d);
    try {
      const c = capture();
      expect(await main(['serve', '--memory', '--port', '0'], c.io)).toBe(2);
      expect(c.err()).toContain(path.join(d, 'pcsim.config.json'));
      expect(c.err()).toContain('prot is not a known key');
      expect(c.err()).toContain('did you mean port?');
    } finally {
      process.chdir(before);
    }
  });

  test('a variable with a wrong type is refused naming the variable and the value', async () => {
    const c = capture({ PCSIM_TIMEOUT_MS: 'soon' });
    expect(await main(['run'], c.io)).toBe(2);
    expect(c.err()).toContain('Failed to read PCSIM_TIMEOUT_MS: the value is "soon". Expected a whole number.');
  });

  test('a missing --config file is refused naming it', async () => {
    const c = capture();
    expect(await main(['validate', 'x.json', '--config', path.join(dir, 'nope.json')], c.io)).toBe(2);
    expect(c.err()).toContain('nope.json');
  });
});

describe('the configuration table', () => {
  const program = buildProgram(capture().io, { code: 0 }, () => Promise.resolve());
  const flagsByCommand = new Map(
    program.commands.map((c) => [c.name(), (c.options as Option[]).map((o) => o.long!).filter(Boolean)]),
  );

  test('every flag of every command is in CONFIG_TABLE or explicitly not configuration', () => {
    const missing = [...flagsByCommand].flatMap(([cmd, flags]) =>
      flags
        .filter((f) => !NOT_CONFIGURABLE.has(f) && !CONFIG_TABLE.some((e) => e.flag === f))
        .map((f) => `${cmd} ${f}`),
    );
    expect(missing).toEqual([]);
  });

  test('every row of CONFIG_TABLE is a flag of some command', () => {
    const all = new Set([...flagsByCommand.values()].flat());
    expect(CONFIG_TABLE.filter((e) => !all.has(e.flag)).map((e) => e.flag)).toEqual([]);
  });

  test('docs/CONFIGURATION.md lists exactly the table, with the commands that have each flag', async () => {
    const doc = await readFile(path.join(process.cwd(), 'docs/CONFIGURATION.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `(--[\w-]+)` \| `(\w+)` \| `([\w-]+)` \| (\w+) \| ([\w, ]+) \|$/gm)].map(
      (m) => ({
        flag: m[1],
        env: m[2],
        key: m[3],
        kind: m[4],
        commands: m[5]!
          .split(',')
          .map((s) => s.trim())
          .sort(),
      }),
    );
    const expected = CONFIG_TABLE.map((e) => ({
      ...e,
      commands: [...flagsByCommand]
        .filter(([, flags]) => flags.includes(e.flag))
        .map(([c]) => c)
        .sort(),
    }));
    expect(rows).toEqual(expected);
  });
});

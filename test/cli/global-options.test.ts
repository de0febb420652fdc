/**
 * The options every command takes (--config, --no-color), partner --print-config without a
 * free port, and serve's refusal of two partner files that would make one tile.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Option } from 'commander';
import { buildProgram, main } from '../../src/cli.js';
import type { CliIO } from '../../src/cli/io.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (s) => void out.push(s), err: (s) => void err.push(s), env: {}, isTTY: false };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

describe('global options', () => {
  it('every command takes --config and --no-color', () => {
    const program = buildProgram(capture().io, { code: 0 });
    for (const cmd of program.commands) {
      const flags = (cmd.options as Option[]).map((o) => o.long);
      expect({ command: cmd.name(), config: flags.includes('--config'), color: flags.includes('--no-color') }).toEqual({
        command: cmd.name(),
        config: true,
        color: true,
      });
    }
  });
});

describe('pcsim partner --print-config', () => {
  it('prints the config for a port in use, and returns without listening', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const { port } = busy.address() as { port: number };
    try {
      const c = capture();
      const code = await main(['partner', '--print-config', '--port', String(port)], c.io);
      expect(code).toBe(0);
      expect((JSON.parse(c.out()) as { base_url: string }).base_url).toBe(`http://127.0.0.1:${port}`);
      expect(c.err()).toBe('');
    } finally {
      busy.close();
    }
  });

  it('--port 0 picks a free port, prints which, and the config carries it', async () => {
    const c = capture();
    expect(await main(['partner', '--print-config', '--port', '0'], c.io)).toBe(0);
    const port = /picked the free port (\d+)/.exec(c.err())?.[1];
    expect(port).toBeDefined();
    expect((JSON.parse(c.out()) as { base_url: string }).base_url).toBe(`http://127.0.0.1:${port}`);
  });
});

describe('serve --partner a --partner b with one name', () => {
  async function files(nameA: string, nameB: string): Promise<[string, string]> {
    const dir = await mkdtemp(join(tmpdir(), 'pcsim-names-'));
    const ref = JSON.parse(await readFile('fixtures/partners/reference.json', 'utf8')) as Record<string, unknown>;
    const a = join(dir, 'dev.json');
    const b = join(dir, 'staging.json');
    await writeFile(a, JSON.stringify({ ...ref, name: nameA }));
    await writeFile(b, JSON.stringify({ ...ref, name: nameB, base_url: 'http://127.0.0.1:9' }));
    return [a, b];
  }

  it('refuses the same name, naming both files (exit 2, nothing served)', async () => {
    const [a, b] = await files('Acme', 'Acme');
    const c = capture();
    expect(await main(['serve', '--memory', '--port', '0', '--partner', a, '--partner', b], c.io)).toBe(2);
    expect(c.err()).toContain(`Failed to register the partners: ${a} and ${b} have the same name "Acme"`);
    expect(c.err()).not.toContain('serving on');
  });

  it('refuses names that make the same partner id', async () => {
    const [a, b] = await files('Acme Cloud', 'acme-cloud');
    const c = capture();
    expect(await main(['serve', '--memory', '--port', '0', '--partner', a, '--partner', b], c.io)).toBe(2);
    expect(c.err()).toContain('make the same partner id "acme-cloud"');
  });

  it('serves two files with distinct names', async () => {
    const [a, b] = await files('Acme', 'Acme (staging)');
    const c = capture();
    const result = { code: -1 };
    const program = buildProgram(c.io, result, () => Promise.resolve());
    await program.parseAsync(['serve', '--memory', '--port', '0', '--partner', a, '--partner', b], { from: 'user' });
    expect(result.code).toBe(0);
    expect(c.err()).toMatch(/partners: Acme \(.*dev\.json\), Acme \(staging\) \(.*staging\.json\)/);
  });
});

import { describe, expect, it } from '@jest/globals';
import { main } from '../../src/cli.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      out: (s: string) => void out.push(s),
      err: (s: string) => void err.push(s),
      env: {} as NodeJS.ProcessEnv,
      isTTY: false,
    },
    out,
    err,
  };
}

describe('pcsim run --wait-core', () => {
  it('refuses a value that is not whole seconds, naming the flag', async () => {
    const t = io();
    expect(await main(['run', '--journeys', 'P200', '--wait-core', 'soon'], t.io)).toBe(2);
    expect(t.err.join('')).toContain('Failed to read --wait-core "soon"');
  });

  it('reports P200 manual, saying how to automate it, without --wait-core', async () => {
    const t = io();
    expect(await main(['run', '--journeys', 'P200', '--reporter', 'console'], t.io)).toBe(0);
    expect(t.out.join('')).toMatch(/P200.*manual: judged by hand.*--wait-core/);
  });
});

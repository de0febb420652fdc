/**
 * The real binary as a child process (bin/pcsim.js → dist: `npm run build` first), with a
 * clean environment, bounded waits, and a registry so that afterAll can kill what is left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const live = new Set<ChildProcess>();

export interface PcsimProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node bin/pcsim.js …args` with only PATH/HOME/TMPDIR of this environment plus `env`. */
export function pcsim(args: string[], env: Record<string, string> = {}): PcsimProcess {
  const base: Record<string, string> = { NO_COLOR: '1' };
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT']) if (process.env[k]) base[k] = process.env[k]!;
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/pcsim.js'), ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, exited, stdout: () => out, stderr: () => err };
}

/** Resolves with the URL of the "serving on http://…" line; rejects if the child exits first or after `ms`. */
export function servingUrl(p: PcsimProcess, ms = 15000): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      p.child.stderr!.off('data', check);
      reject(new Error(`Failed to start pcsim serve: no "serving on" line within ${ms} ms. stderr:\n${p.stderr()}`));
    }, ms);
    function check() {
      const m = /serving on (http:\/\/[^\s]+)/.exec(p.stderr());
      if (!m) return;
      clearTimeout(timer);
      p.child.stderr!.off('data', check);
      resolve(m[1]!);
    }
    p.child.stderr!.on('data', check);
    check();
    void p.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(`Failed to start pcsim serve: it exited (${code ?? signal}) before serving. stderr:\n${p.stderr()}`),
      );
    });
  });
}

/** Resolves with the exit, or kills the child and rejects after `ms`. */
export async function exitWithin(
  p: PcsimProcess,
  ms: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          p.child.kill('SIGKILL');
          reject(new Error(`Failed to see pcsim exit within ${ms} ms. stderr:\n${p.stderr()}`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Kills every child still running (afterAll). */
export function killAll(): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  live.clear();
}

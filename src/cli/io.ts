/** Where the CLI writes: injected so tests run the real commands in process and read what they print. */
export interface CliIO {
  out(s: string): void;
  err(s: string): void;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
}

let pipesGuarded = false;

/** `pcsim … | head` closes the pipe early: that ends the output, quietly, not with an EPIPE stack trace. */
function guardPipes(): void {
  if (pipesGuarded) return;
  pipesGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw err;
    });
  }
}

export const processIO = (): CliIO => {
  guardPipes();
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
  };
};

/** Exit codes of DESIGN.md, plus the shell's code for a run stopped by Ctrl-C (128 + SIGINT), reports written. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export class UsageError extends Error {}

export function parseMsList(flag: string, value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.length === 0 || nums.some((n, i) => parts[i] === '' || !Number.isInteger(n) || n < 0)) {
    throw new UsageError(
      `Failed to read ${flag} ${JSON.stringify(value)}: expected a comma-separated list of whole milliseconds, e.g. 1000,2000,4000 (or 0,0,0 to retry at once).`,
    );
  }
  return nums;
}

export function parsePositiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`Failed to read ${flag} ${JSON.stringify(value)}: expected a positive whole number.`);
  return n;
}

export function parsePort(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`Failed to read ${flag} ${JSON.stringify(value)}: expected a port number from 0 to 65535.`);
  return n;
}

/**
 * Ctrl-C (or SIGTERM) while a run goes on: the first aborts `signal` (the run stops cleanly and still
 * reports), saying `message`; the handler is then gone, so a second one quits at once. `dispose` when done.
 */
export function interruptible(io: CliIO, message: string): { signal: AbortSignal; dispose(): void } {
  const stopper = new AbortController();
  const onSignal = () => {
    io.err(`\n${message} (again to quit at once)\n`);
    stopper.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: stopper.signal,
    dispose() {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    },
  };
}

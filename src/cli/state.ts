/**
 * `pcsim state`: keep and move the state of a running `pcsim serve` through its admin API —
 * export to a file (secrets as digests), import one, take and restore snapshots, and move the
 * simulated clock. The server does the work (src/server/routes/state.ts); this prints what it says.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { EXIT, UsageError, type CliIO } from './io.js';

export const STATE_ACTIONS = ['export', 'import', 'snapshot', 'snapshots', 'restore', 'clock'] as const;
export type StateAction = (typeof STATE_ACTIONS)[number];

export interface StateFlags {
  url: string;
  out?: string;
  name?: string;
  advance?: string;
  reset?: boolean;
}

interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown> | undefined;
}

async function call(base: string, method: string, path: string, body?: string): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body,
    });
  } catch (err) {
    throw new UsageError(
      `Failed to reach pcsim serve at ${base}: ${(err as Error).message}. Expected a running pcsim serve (pass --url).`,
    );
  }
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/** The server's own "Failed to …" message when it refused. */
const refusal = (a: Answer) =>
  (a.json?.error as { message?: string } | undefined)?.message ?? `HTTP ${a.status}: ${a.text.slice(0, 200)}`;

export async function stateCommand(
  action: string,
  arg: string | undefined,
  flags: StateFlags,
  io: CliIO,
): Promise<number> {
  if (!(STATE_ACTIONS as readonly string[]).includes(action))
    throw new UsageError(
      `Failed to read the action ${JSON.stringify(action)}. Expected one of ${STATE_ACTIONS.join(', ')}.`,
    );
  let base: string;
  try {
    base = new URL(flags.url).origin;
  } catch {
    throw new UsageError(
      `Failed to read --url ${JSON.stringify(flags.url)}: not a URL. Expected http://host:port of a running pcsim serve.`,
    );
  }
  const fail = (a: Answer) => {
    io.err(`pcsim: ${refusal(a)}\n`);
    return a.status >= 500 ? EXIT.failed : EXIT.usage;
  };
  switch (action as StateAction) {
    case 'export': {
      const a = await call(base, 'GET', '/api/state');
      if (a.status !== 200) return fail(a);
      if (!flags.out) io.out(a.text.endsWith('\n') ? a.text : `${a.text}\n`);
      else {
        await writeFile(flags.out, a.text);
        io.err(`pcsim: exported the state of ${base} to ${flags.out} (secrets as digests only)\n`);
      }
      return EXIT.ok;
    }
    case 'import': {
      if (!arg)
        throw new UsageError(
          'Failed to import: no file given. Expected pcsim state import FILE (a file pcsim state export wrote).',
        );
      let text: string;
      try {
        text = await readFile(arg, 'utf8');
      } catch (err) {
        throw new UsageError(
          `Failed to read ${arg}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Expected a file pcsim state export wrote.`,
        );
      }
      const a = await call(base, 'PUT', '/api/state', text);
      if (a.status !== 200) return fail(a);
      io.out(`imported ${arg} into ${base}: ${JSON.stringify(a.json?.counts)}\n`);
      return EXIT.ok;
    }
    case 'snapshot': {
      const a = await call(base, 'POST', '/api/snapshots', JSON.stringify(flags.name ? { name: flags.name } : {}));
      if (a.status !== 201) return fail(a);
      io.out(`${a.json?.id}\t${a.json?.name}\n`);
      return EXIT.ok;
    }
    case 'snapshots': {
      const a = await call(base, 'GET', '/api/snapshots');
      if (a.status !== 200) return fail(a);
      for (const s of (a.json?.snapshots as { id: string; name: string; taken_at: string }[]) ?? [])
        io.out(`${s.id}\t${s.taken_at}\t${s.name}\n`);
      return EXIT.ok;
    }
    case 'restore': {
      if (!arg)
        throw new UsageError(
          'Failed to restore: no snapshot id given. Expected pcsim state restore ID (pcsim state snapshots lists them).',
        );
      const a = await call(base, 'POST', `/api/snapshots/${encodeURIComponent(arg)}/restore`);
      if (a.status !== 200) return fail(a);
      io.out(`restored snapshot ${arg}: ${JSON.stringify(a.json?.counts)}\n`);
      return EXIT.ok;
    }
    case 'clock': {
      if (flags.advance !== undefined && !/^\d+$/.test(flags.advance))
        throw new UsageError(`Failed to read --advance ${JSON.stringify(flags.advance)}: expected whole seconds >= 0.`);
      const body = flags.reset
        ? { reset: true }
        : flags.advance !== undefined
          ? { advance_seconds: Number(flags.advance) }
          : undefined;
      const a = body
        ? await call(base, 'POST', '/api/clock', JSON.stringify(body))
        : await call(base, 'GET', '/api/clock');
      if (a.status !== 200) return fail(a);
      io.out(`${a.json?.now}\t${a.json?.offset_seconds} s ahead of real time\n`);
      return EXIT.ok;
    }
  }
}

/**
 * Does anything answer at the partner's base_url? A TCP connection to its host and port, tried
 * with the same back-off as a call, before a run sends its first journey: a partner that is down
 * is then one clear message within seconds, not one "connection refused" failure per journey.
 * Nothing is sent over the connection, so the partner sees no request Databricks would not send.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeNetworkError } from './http.js';

export interface ReachOptions {
  /** Waits before each retry, as for a call (default back-off 1 s, 2 s, 4 s). */
  retryBackoffMs: readonly number[];
  /** Per attempt: the connection must be accepted within this. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export type Reach =
  { ok: true; duration_ms: number } | { ok: false; code: string; error: string; attempts: number; duration_ms: number };

/** The host and port a URL connects to (default ports by scheme). */
export function hostPort(baseUrl: string): { host: string; port: number } {
  const url = new URL(baseUrl);
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  // URL keeps IPv6 literals in brackets; net.connect wants them bare.
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

function tryOnce(host: string, port: number, timeoutMs: number): Promise<{ code: string; error: string } | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (failure?: { code: string; error: string }) => {
      socket.destroy();
      resolve(failure);
    };
    const timedOut = { code: 'TIMEOUT', error: `no connection accepted within ${timeoutMs} ms (timeout)` };
    socket.setTimeout(timeoutMs, () => done(timedOut));
    socket.once('connect', () => done());
    socket.once('error', (err) => done(describeNetworkError(err, timeoutMs)));
  });
}

/** Never throws: an unreachable partner is a value. A stopped run (signal) ends the waiting as a failure. */
export async function checkReachable(baseUrl: string, opts: ReachOptions): Promise<Reach> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let target: { host: string; port: number };
  try {
    target = hostPort(baseUrl);
  } catch {
    return { ok: false, code: 'BAD_URL', error: 'base_url is not a URL', attempts: 0, duration_ms: 0 };
  }
  let last = { code: 'ERROR', error: 'not tried' };
  const tries = opts.retryBackoffMs.length + 1;
  for (let n = 1; n <= tries; n++) {
    if (n > 1 && opts.retryBackoffMs[n - 2]! > 0) {
      try {
        await sleep(opts.retryBackoffMs[n - 2]!, undefined, { signal: opts.signal });
      } catch {
        const error = 'the run was stopped while waiting for the partner';
        return { ok: false, code: 'STOPPED', error, attempts: n - 1, duration_ms: elapsed() };
      }
    }
    const failure = await tryOnce(target.host, target.port, opts.timeoutMs);
    if (!failure) return { ok: true, duration_ms: elapsed() };
    last = failure;
    // A connection not accepted within the whole timeout is not waited for again (as for calls).
    if (failure.code === 'TIMEOUT') return { ok: false, ...last, attempts: n, duration_ms: elapsed() };
  }
  return { ok: false, ...last, attempts: tries, duration_ms: elapsed() };
}

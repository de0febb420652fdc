/** --retry-backoff-ms and --timeout-ms, as `run` and `serve` read them (defaults: the partner client's). */
import { DEFAULT_BACKOFF_MS, DEFAULT_TIMEOUT_MS } from '../partner-client/client.js';
import { parseMsList, parsePositiveInt } from './io.js';

export function partnerTiming(flags: { retryBackoffMs?: string; timeoutMs?: string }): {
  backoff: number[];
  timeoutMs: number;
} {
  return {
    backoff:
      flags.retryBackoffMs !== undefined
        ? parseMsList('--retry-backoff-ms', flags.retryBackoffMs)
        : [...DEFAULT_BACKOFF_MS],
    timeoutMs: flags.timeoutMs !== undefined ? parsePositiveInt('--timeout-ms', flags.timeoutMs) : DEFAULT_TIMEOUT_MS,
  };
}

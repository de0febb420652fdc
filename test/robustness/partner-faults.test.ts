/**
 * The partner fault matrix at the socket level (test/journeys/faults.test.ts covers the
 * reference partner's own FAULTS; this one is a raw node:net server that does what no HTTP
 * framework would let a partner do). Each fault, against `pcsim run`'s engine (P100) and a
 * running `pcsim serve` (POST …/connect): the journey fails / the outcome is error with a
 * reason naming what the partner did, the run finishes, and the server keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { stringifyJson } from '../../src/contract/json.js';
import { validatePartnerConfig, type PartnerConfig } from '../../src/contract/partner-config.js';
import { selectJourneys, type Journey } from '../../src/journeys/catalogue.js';
import { runJourneys } from '../../src/journeys/runner.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../src/partner-client/client.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import {
  HUGE_BYTES,
  startMisbehavingPartner,
  type MisbehavingPartner,
  type SocketFault,
} from './support/misbehaving-partner.js';

const credentials = { user: 'databricks', password: 'robustness-secret-pw' };
const TIMEOUT_MS = 300;

/** Each fault, the rule pcsim names, and a distinctive part of the reason it gives. */
export const MATRIX: Array<{ fault: SocketFault | 'refused' | 'dns'; rule: string; says: string }> = [
  { fault: 'refused', rule: 'http.network', says: 'connection refused: nothing is listening at that address' },
  { fault: 'dns', rule: 'http.network', says: 'DNS lookup failed: the host name of base_url does not resolve' },
  {
    fault: 'reset',
    rule: 'http.network',
    says: 'closed or reset the connection before answering completely (after the status line 200 and 30 body bytes of the 4000 announced)',
  },
  { fault: 'hang', rule: 'http.network', says: `no complete answer within ${TIMEOUT_MS} ms (timeout)` },
  {
    fault: 'drip',
    rule: 'http.network',
    says: `no complete answer within ${TIMEOUT_MS} ms (timeout) (after the status line 200 and`,
  },
  { fault: 'empty', rule: 'json.syntax', says: 'status 200 came with an empty body' },
  {
    fault: 'non-json',
    rule: 'http.content_type',
    says: 'and the body is not JSON (it starts with "Thanks! Your trial',
  },
  {
    fault: 'wrong-content-type',
    rule: 'http.content_type',
    says: 'Content-Type is "text/plain" although the body is JSON',
  },
  { fault: 'truncated-json', rule: 'json.syntax', says: 'the document is incomplete: it ends after' },
  { fault: 'redirect', rule: 'http.redirect', says: 'the partner answered 302 redirecting to' },
  {
    fault: 'huge',
    rule: 'http.body_too_large',
    says: `larger than ${DEFAULT_MAX_BODY_BYTES} bytes and was cut (Content-Length announced ${HUGE_BYTES} bytes)`,
  },
  { fault: 'invalid-utf8', rule: 'json.encoding', says: 'the body is not valid UTF-8' },
  { fault: 'duplicate-keys', rule: 'json.duplicate_key', says: 'key "connection_id" appears twice in one object' },
  { fault: 'duplicate-keys-same', rule: 'json.duplicate_key', says: 'key "user_status" appears twice in one object' },
  {
    fault: 'int64-overflow',
    rule: 'connect.response.type',
    says: 'connection_id is 123456789012345678901234567890. Expected a value of type string',
  },
  {
    fault: 'enum-case',
    rule: 'connect.response.enum',
    says: 'values are case-sensitive: write "create_trial", not "CREATE_TRIAL"',
  },
  { fault: 'http10-cut', rule: 'json.syntax', says: 'the document is incomplete: it ends after 40 bytes' },
];

let partner: MisbehavingPartner;
let refusedPort: number;
let P100: Journey[];

beforeAll(async () => {
  partner = await startMisbehavingPartner();
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  refusedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const sel = selectJourneys('P100');
  if ('error' in sel) throw new Error(sel.error);
  P100 = sel.journeys;
});
afterAll(async () => {
  await partner?.close();
});

function rawConfig(fault: string): Record<string, unknown> {
  if (fault === 'refused')
    return { ...partner.configFor('ok', 'Faulty refused'), base_url: `http://127.0.0.1:${refusedPort}` };
  if (fault === 'dns')
    return { ...partner.configFor('ok', 'Faulty dns'), base_url: 'http://pcsim-no-such-partner.invalid' };
  return partner.configFor(fault as SocketFault);
}

function configOf(fault: string): PartnerConfig {
  const v = validatePartnerConfig(rawConfig(fault));
  if (!v.ok) throw new Error(`Failed to build the ${fault} config: ${v.problems.map((p) => p.message).join('; ')}`);
  return v.config;
}

const run = (config: PartnerConfig) =>
  runJourneys({ config, credentials, journeys: P100, timeoutMs: TIMEOUT_MS, retryBackoffMs: [0, 0, 0] });

describe('pcsim run (runJourneys, P100) against a partner that misbehaves', () => {
  it.each(MATRIX)('$fault: P100 fails with [$rule] naming what the partner did', async ({ fault, rule, says }) => {
    const report = await run(configOf(fault));
    expect(report.summary).toMatchObject({ failed: 1, total: 1 });
    const j = report.journeys[0]!;
    expect(j.status).toBe('failed');
    expect(j.reason).toContain(`[${rule}]`);
    expect(j.reason).toContain(says);
    expect(j.reason).toMatch(/Failed to .*Expected /);
  });

  it('hang: a second journey after the hung one still runs (the run finishes)', async () => {
    const sel = selectJourneys('P100,P300');
    if ('error' in sel) throw new Error(sel.error);
    const report = await runJourneys({
      config: configOf('hang'),
      credentials,
      journeys: sel.journeys,
      timeoutMs: TIMEOUT_MS,
      retryBackoffMs: [0, 0, 0],
    });
    expect(report.journeys.map((j) => j.status)).toEqual(['failed', 'failed']);
    expect(report.journeys[0]!.steps[0]!.attempts).toBe(1); // a timeout is not retried
  });

  it('http10: a legal close-delimited HTTP/1.0 body is read to the close and judged on its content (P100 passes)', async () => {
    const report = await run(configOf('http10'));
    expect(report.journeys[0]).toMatchObject({ status: 'passed' });
    expect(report.journeys[0]!.steps[0]!.response?.status).toBe(200);
  });

  it('huge: a 10 MB answer is cut at the cap and memory stays bounded', async () => {
    const before = process.memoryUsage();
    const base = before.heapUsed + before.arrayBuffers;
    let peak = base;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers);
    }, 2);
    let report;
    try {
      report = await run(configOf('huge'));
    } finally {
      clearInterval(sampler);
    }
    const after = process.memoryUsage();
    peak = Math.max(peak, after.heapUsed + after.arrayBuffers);
    const step = report.journeys[0]!.steps[0]!;
    expect(step.attempts).toBe(1);
    // What pcsim keeps of the answer is a preview, not the megabytes.
    expect(stringifyJson(step).length).toBeLessThan(64 * 1024);
    // Reading stops at the cap: the partner could not push the whole 10 MB through.
    expect(partner.bytesWritten.get('huge')!).toBeLessThan(HUGE_BYTES);
    // The body size × attempts would be 10 MB; the peak growth stays far below it.
    expect(peak - base).toBeLessThan(HUGE_BYTES / 2);
  });
});

describe('pcsim serve (startServer, POST …/connect) against a partner that misbehaves', () => {
  let server: RunningServer;
  let ws: string;
  let user: string;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      dataDir: null,
      credentials,
      timeoutMs: TIMEOUT_MS,
      retryBackoffMs: [0, 0, 0],
      seed: false,
    });
    const w = await api('POST', '/api/workspaces', { name: 'faults' });
    expect(w.status).toBe(201);
    ws = w.body.id;
    const u = await api('POST', `/api/workspaces/${ws}/users`, { email: 'u1@robust.databricks-test.com' });
    expect(u.status).toBe(201);
    user = u.body.id;
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(MATRIX)(
    '$fault: the connect outcome is error with [$rule] naming what the partner did; /api/health still answers',
    async ({ fault, rule, says }) => {
      const reg = await api('POST', '/api/partners', { config: rawConfig(fault), credentials });
      expect(reg.status).toBe(201);
      const res = await api('POST', `/api/workspaces/${ws}/partners/${reg.body.id}/connect`, { user_id: user });
      expect(res.status).toBe(200);
      expect(res.body.outcome).toBe('error');
      expect(res.body.error.detail).toContain(says);
      expect(res.body.verdict.compliant).toBe(false);
      expect(res.body.verdict.violations.map((v: { rule: string }) => v.rule)).toContain(rule);
      const health = await api('GET', '/api/health');
      expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    },
  );

  it('huge: the journal keeps a preview of the cut answer, not the 10 MB', async () => {
    const j = await api('GET', '/api/journal?limit=100');
    const huge = (j.body.exchanges as Array<Record<string, any>>).find((e) =>
      String(e.request.url).includes('/f/huge/'),
    );
    expect(huge).toBeDefined();
    expect(huge!.response.truncated).toBe(true);
    expect(huge!.response.body_bytes).toBeLessThanOrEqual(DEFAULT_MAX_BODY_BYTES);
    expect(JSON.stringify(huge).length).toBeLessThan(64 * 1024);
  });
});

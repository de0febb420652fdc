/**
 * Shared set-up of the admin API tests: the app of `pcsim serve` built in process (createApp, an
 * ObservableStore over a MemoryStore, a Databricks whose partner clients call a real reference
 * partner on port 0, no back-off), and a partner that records every request body it receives
 * as raw text, so int64 digits and payload shapes can be checked byte for byte.
 */
import express from 'express';
import { createServer, get as httpGet } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { expect } from '@jest/globals';
import type { Response } from 'supertest';
import { parseJson } from '../../src/contract/json.js';
import type { PartnerConfig } from '../../src/contract/partner-config.js';
import { Databricks, type WorkspaceEndpoint } from '../../src/databricks/databricks.js';
import type { PartnerRecord } from '../../src/databricks/model.js';
import { PartnerClient, type Credentials } from '../../src/partner-client/client.js';
import { createReferencePartnerApp, startReferencePartner } from '../../src/reference-partner/index.js';
import type { PartnerModel } from '../../src/reference-partner/model.js';
import type { ReferencePartnerOptions } from '../../src/reference-partner/types.js';
import { createApp, type AppDeps } from '../../src/server/app.js';
import { ObservableStore } from '../../src/server/observable-store.js';
import { SEED, seedState } from '../../src/server/seed.js';
import { MemoryStore } from '../../src/store/memory.js';
import { VERSION } from '../../src/version.js';

export const CREDS: Credentials = { user: 'databricks', password: 'pcsim-reference-secret' };
export const ACME = SEED.workspaces[0].id;
export const DEMO = SEED.workspaces[1].id;
export const ADMIN = SEED.users[0].id;
export const ANALYST = SEED.users[1].id;
/** Ids no state ever holds (valid int64, so the lookup, not the syntax, refuses them). */
export const UNKNOWN_WS = '1234567890123456789';
export const UNKNOWN_USER = '2345678901234567890';
export const UNKNOWN_PARTNER = 'no-such-partner';

export interface RecordedCall {
  method: string;
  path: string;
  /** The body exactly as it arrived on the wire. */
  text: string;
}

export interface TestPartner {
  url: string;
  config: PartnerConfig;
  model: PartnerModel;
  /** Every request the partner received, oldest first (recording partners only). */
  calls: RecordedCall[];
  close(): Promise<void>;
}

/** The reference partner behind a recorder that keeps each request body as raw text. */
export async function startRecordingPartner(opts: ReferencePartnerOptions = {}): Promise<TestPartner> {
  const ref = createReferencePartnerApp({ basicUser: CREDS.user, basicPassword: CREDS.password, ...opts });
  const calls: RecordedCall[] = [];
  const outer = express();
  // Reads the body once; the reference partner's own body reader then sees it as already read.
  outer.use(express.text({ type: () => true, limit: '5mb' }), (req, _res, next) => {
    calls.push({ method: req.method, path: req.path, text: typeof req.body === 'string' ? req.body : '' });
    next();
  });
  outer.use(ref.app);
  const server = createServer(outer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    config: ref.configFor(url),
    model: ref.model,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface Harness {
  app: ReturnType<typeof createApp>;
  databricks: Databricks;
  store: ObservableStore;
  partner: PartnerRecord;
  ref: TestPartner;
  credentials: Map<string, Credentials>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  reference?: ReferencePartnerOptions;
  /** Use a recording partner (raw request bodies in ref.calls). */
  record?: boolean;
  patToken?: string;
  endpoint?: WorkspaceEndpoint;
  seed?: boolean;
  app?: Partial<Pick<AppDeps, 'allowedHosts' | 'bodyLimit' | 'stateLimit'>>;
}

/** createApp wired as start.ts wires it, against a reference partner on a real port. */
export async function harness(opts: HarnessOptions = {}): Promise<Harness> {
  const ref: TestPartner = opts.record
    ? await startRecordingPartner(opts.reference)
    : {
        ...(await startReferencePartner({ basicUser: CREDS.user, basicPassword: CREDS.password, ...opts.reference })),
        calls: [],
      };
  const store = new ObservableStore(new MemoryStore());
  const credentials = new Map<string, Credentials>();
  const clientFor = (p: PartnerRecord) =>
    new PartnerClient({
      config: p.config,
      partnerId: p.id,
      credentials: credentials.get(p.id) ?? CREDS,
      retryBackoffMs: [0, 0, 0],
      timeoutMs: 5000,
    });
  const databricks = new Databricks({ store, clientFor, patToken: opts.patToken, endpoint: opts.endpoint });
  const partner = await databricks.registerPartner(ref.config, 'test');
  const seed = () => seedState(databricks);
  if (opts.seed !== false) await seed();
  const app = createApp({ databricks, store, version: VERSION, credentials, seed, ...opts.app });
  return { app, databricks, store, partner, ref, credentials, close: () => ref.close() };
}

/** The RFC 9457 members of an admin API error agree with its status and its `error`. */
export function expectProblem(res: Response, where = ''): void {
  expect({ where, type: res.headers['content-type'] }).toEqual({
    where,
    type: expect.stringMatching(/^application\/problem\+json; charset=utf-8$/),
  });
  expect({ where, keys: Object.keys(res.body) }).toEqual({
    where,
    keys: ['type', 'title', 'status', 'detail', 'instance', 'code', 'error'],
  });
  const { type, title, status, detail, instance, code, error } = res.body;
  expect({ where, type, title, status, detail, instance, code }).toEqual({
    where,
    type: `urn:pcsim:problem:${error.code}`,
    title: expect.stringMatching(/^[A-Z][a-z0-9 ]+$/),
    status: res.status,
    detail: error.message,
    // The path as sent (not as a URL parser would normalise it: /api/%2e%2e/x stays so), whatever the
    // client percent-encoded on the way.
    instance: expect.any(String),
    code: error.code,
  });
  const decoded = (path: string) => {
    try {
      return decodeURI(path);
    } catch {
      return path;
    }
  };
  const sent = res.request.url.replace(/^https?:\/\/[^/]+/, '').split('?')[0]!;
  expect({ where, instance: decoded(instance) }).toEqual({ where, instance: decoded(sent) });
}

/** Every admin API error: an RFC 9457 problem with {error: {code, message, details}}, and its status. */
export function expectError(
  res: Response,
  status: number,
  code: string,
): { code: string; message: string; details: Record<string, unknown> } {
  const context = `${res.status} ${res.text.slice(0, 400)}`;
  expect({ status: res.status, context }).toEqual({ status, context });
  expectProblem(res);
  expect(Object.keys(res.body.error).sort()).toEqual(['code', 'details', 'message']);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message).toMatch(/^Failed to /);
  expect(res.body.error.details).toEqual(expect.any(Object));
  return res.body.error;
}

/** A JSON POST through supertest with a body written as given (exact int64 digits kept). */
export function postRaw(app: Harness['app'], path: string, text: string) {
  return request(app).post(path).set('Content-Type', 'application/json').send(text);
}

/** The last recorded Connect body, parsed losslessly (int64 ids as bigint). */
export function lastConnect(ref: TestPartner): { text: string; body: Record<string, unknown> } {
  const call = ref.calls.filter((c) => c.path === '/connect').at(-1);
  if (!call) throw new Error('the partner received no Connect call');
  return { text: call.text, body: parseJson(call.text) as Record<string, unknown> };
}

export const connectPath = (ws: string, partner: string) => `/api/workspaces/${ws}/partners/${partner}/connect`;

export interface SseEvent {
  event: string;
  data: string;
}

export interface SseStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  events: SseEvent[];
  /** Everything received, as text. */
  raw(): string;
  /** Resolves with the first event matching `pred` (already received or to come); rejects after `ms`. */
  waitFor(pred: (e: SseEvent) => boolean, ms?: number): Promise<SseEvent>;
  close(): void;
}

/** Opens GET {base}/api/events with node's http client; resolves once the headers are in. */
export function openSse(base: string): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = httpGet(`${base}/api/events`, { headers: { accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      let raw = '';
      let pending = '';
      const events: SseEvent[] = [];
      const waiters = new Set<() => void>();
      res.on('data', (chunk: string) => {
        raw += chunk;
        pending += chunk;
        let cut: number;
        while ((cut = pending.indexOf('\n\n')) >= 0) {
          const block = pending.slice(0, cut);
          pending = pending.slice(cut + 2);
          const lines = block.split('\n');
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (event) events.push({ event, data });
        }
        for (const w of [...waiters]) w();
      });
      res.on('error', () => undefined);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        raw: () => raw,
        waitFor: (pred, ms = 5000) =>
          new Promise<SseEvent>((ok, fail) => {
            const check = () => {
              const hit = events.find(pred);
              if (!hit) return;
              clearTimeout(timer);
              waiters.delete(check);
              ok(hit);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no matching server-sent event within ${ms} ms; received: ${raw.slice(0, 2000)}`));
            }, ms);
            waiters.add(check);
            check();
          }),
        close: () => {
          req.destroy();
          res.destroy();
        },
      });
    });
    req.on('error', reject);
  });
}

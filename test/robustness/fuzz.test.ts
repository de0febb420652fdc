/**
 * Bad input to pcsim, generated (fast-check): the admin API (every route of ROUTES, random
 * path ids, bodies, query strings, raw text) never answers 500, every 4xx is
 * {error: {code, message, details}}, and a validation error names its field; the partner.json
 * validator never throws on random or mutated configs and every problem names a field.
 * Bounded: fixed numRuns, a fixed seed per property is NOT set (each CI run explores anew;
 * a failure prints the seed and the shrunk counterexample to replay it).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import request from 'supertest';
import type { Response } from 'supertest';
import { validatePartnerConfig } from '../../src/contract/partner-config.js';
import { ROUTES } from '../../src/server/app.js';
import { ACME, ADMIN, expectProblem, harness, type Harness } from '../server/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.close();
});

/** The API routes a request/response client can drive (the event stream never ends). */
const DRIVEN = ROUTES.filter((r) => !r.stream);

/** The property every admin API answer keeps, whatever was sent. */
function checkAnswer(res: Response, sent: string): void {
  const where = `${sent} → ${res.status} ${res.text.slice(0, 300)}`;
  expect({ where, server_error: res.status >= 500 }).toEqual({ where, server_error: false });
  if (res.status < 400) return;
  expectProblem(res, where);
  const e = res.body.error as { code: unknown; message: unknown; details: unknown };
  expect({ where, keys: Object.keys(e).sort() }).toEqual({ where, keys: ['code', 'details', 'message'] });
  expect({ where, code: typeof e.code, message: e.message, details: typeof e.details }).toEqual({
    where,
    code: 'string',
    message: expect.stringMatching(/^Failed to .*Expected /s),
    details: 'object',
  });
  if (e.code === 'validation_failed') {
    const d = e.details as { field?: unknown; issues?: Array<{ field: string; message: string }> };
    expect({ where, field: typeof d.field }).toEqual({ where, field: 'string' });
    expect({ where, named: (d.field as string).length > 0 }).toEqual({ where, named: true });
  }
}

const KNOWN_FIELDS = [
  'id',
  'name',
  'cloud',
  'region',
  'demo',
  'is_free_trial',
  'catalogs',
  'external_locations',
  'email',
  'first_name',
  'last_name',
  'admin',
  'config',
  'credentials',
  'user_id',
  'catalog_name',
  'destination_location',
  'connection_id',
  'domain',
  'done',
  'note',
  'seed',
];

/** Bodies: any JSON, objects over the fields the routes know, and text that is not JSON at all. */
const body = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .dictionary(
        fc.constantFrom(...KNOWN_FIELDS),
        fc.oneof(
          fc.jsonValue({ maxDepth: 2 }),
          fc.constant(ADMIN),
          fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
        ),
        { maxKeys: 4 },
      )
      .map((o) => JSON.stringify(o)),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constant('') },
);

/** A path parameter: a real id, a plausible one, or anything at all (percent-encoded). */
const param = fc.oneof(
  fc.constantFrom(
    ACME,
    ADMIN,
    'pcsim-reference-partner',
    'P100',
    'AUTH',
    '0',
    '-1',
    '9223372036854775808',
    '1e3',
    ' 1',
    '%zz',
    '%E0%A4',
    '..',
  ),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
  fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent),
);

const query = fc.dictionary(
  fc.constantFrom('limit', 'partner', 'workspace', 'kind', 'notify_partner', 'x', '__proto__', 'constructor'),
  fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('0', '1', '1001', 'true', 'false', 'connect', ACME),
    fc.array(fc.string({ maxLength: 5 }), { minLength: 2, maxLength: 3 }),
  ),
  { maxKeys: 3 },
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/merge-patch+json',
);

describe('admin API fuzz (supertest against createApp with a memory store)', () => {
  it('every route: random ids, bodies, query strings → never a 500; every 4xx is {error:{code,message,details}}; validation names a field', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...DRIVEN),
        fc.array(param, { minLength: 3, maxLength: 3 }),
        body,
        query,
        contentType,
        async (route, params, text, q, type) => {
          let i = 0;
          const path = route.path.replace(/\{\w+\}/g, () => params[i++]!);
          const qs = new URLSearchParams();
          for (const [k, v] of Object.entries(q)) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x);
          const url = `${path}${qs.size ? `?${qs}` : ''}`;
          let req = request(h.app)[route.method](url);
          if (route.method !== 'get') req = req.set('Content-Type', type).send(text);
          const res = await req;
          checkAnswer(res, `${route.method.toUpperCase()} ${url} ${type} ${text.slice(0, 200)}`);
        },
      ),
      { numRuns: 200 },
    );
  });

  // Was a bug: the unrecognized key "" vanished from details.field and the message.
  it('an unknown empty key ("") in a body is named in details.field', async () => {
    const res = await request(h.app).post('/api/reset').set('Content-Type', 'application/json').send('{"":1}');
    expect(res.status).toBe(400);
    expect(res.body.error.details.field).not.toBe('');
  });

  // Was a bug (found by the property above, seed 1677695755): an import naming the key "" said " is not a field".
  it('an import with an empty key ("") names it in details.field and the message', async () => {
    const res = await request(h.app).put('/api/state').set('Content-Type', 'application/json').send('{"":0}');
    expect(res.status).toBe(400);
    expect(res.body.error.details.field).toBe('""');
    expect(res.body.error.message).toContain('"" is not a field of an export');
  });

  it('random paths and methods under /api → 404/405 in the error shape, never a 500', async () => {
    const segment = fc.oneof(
      fc.constantFrom('api', 'workspaces', 'partners', 'journal', 'users', 'hooks', 'connect', ACME, '%', '%2e%2e', ''),
      fc.string({ maxLength: 10 }).map(encodeURIComponent),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('get', 'post', 'put', 'patch', 'delete') as fc.Arbitrary<
          'get' | 'post' | 'put' | 'patch' | 'delete'
        >,
        fc.array(segment, { minLength: 1, maxLength: 6 }),
        async (method, segs) => {
          const url = `/api/${segs.join('/')}`;
          if (url === '/api/events' || url.startsWith('/api/events?')) return;
          const res = await request(h.app)[method](url);
          checkAnswer(res, `${method.toUpperCase()} ${url}`);
        },
      ),
      { numRuns: 150 },
    );
  });
});

/** A valid partner.json, as a partner keeps it. */
const VALID: Record<string, unknown> = {
  api_version: '2.1.1',
  name: 'Fuzz Partner',
  description_blurb: 'A partner for the fuzz test.',
  category: 'INGEST',
  base_url: 'http://127.0.0.1:9/partner',
  endpoints: {
    connect_path: '/connect',
    delete_connection_path: '/delete-connection',
    get_connectors_path: '/connectors',
  },
  sign_up_page: 'http://127.0.0.1:9/signup',
  privacy_policy: 'http://127.0.0.1:9/privacy',
  terms_of_service: 'http://127.0.0.1:9/terms',
  logo_file: 'logo.svg',
  icon_file: 'icon.svg',
  resources_to_provision: [{ resource_type: 'PAT' }],
  object_permissions: [{ name: 'Token', level: 'CAN_USE' }],
  supported_clouds: ['aws'],
  hostnames: ['127.0.0.1'],
  new_user_action: 'auto_add',
  auth_options: ['AUTH_PAT'],
  test_workspace_detail: { hostname: 'h', port: 443 },
};

function checkConfigResult(raw: unknown, mutated?: Set<string>): void {
  let result: ReturnType<typeof validatePartnerConfig>;
  try {
    result = validatePartnerConfig(raw, 'fuzz.json');
  } catch (err) {
    throw new Error(
      `Failed to validate ${JSON.stringify(raw)?.slice(0, 300)}: validatePartnerConfig threw ${(err as Error).stack}. Expected problems, never an exception.`,
    );
  }
  const where = JSON.stringify(raw, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))?.slice(0, 300);
  for (const p of [...(result.ok ? [] : result.problems), ...result.warnings]) {
    expect({ where, field: typeof p.field, named: p.field.length > 0, message: p.message }).toEqual({
      where,
      field: 'string',
      named: true,
      message: expect.stringMatching(p.severity === 'error' ? /^Failed to .*Expected /s : /./),
    });
    if (p.field !== '(body)' && p.field !== '(file)')
      expect({ where, names: p.message.includes(p.field.split(/[.[]/)[0]!) }).toEqual({ where, names: true });
  }
  if (mutated && !result.ok) {
    // A problem can only be in a field the mutation touched: it names that field, not another.
    for (const p of result.problems)
      expect({ where, field: p.field, mutated: mutated.has(p.field.split(/[.[]/)[0]!) }).toEqual({
        where,
        field: p.field,
        mutated: true,
      });
  }
}

describe('partner.json validator fuzz (validatePartnerConfig)', () => {
  it('the valid config is valid (the mutation base)', () => {
    expect(validatePartnerConfig(VALID)).toMatchObject({ ok: true, warnings: [] });
  });

  it('random values: never throws, every problem names a field', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything({ maxDepth: 3, withBigInt: true, withNullPrototype: true, withObjectString: true }),
          fc.jsonValue({ maxDepth: 3 }),
        ),
        (raw) => checkConfigResult(raw),
      ),
      { numRuns: 200 },
    );
  });

  it('mutated valid configs: never throws, every problem names the mutated field', () => {
    const keys = Object.keys(VALID);
    const mutation = fc.record({
      key: fc.oneof(fc.constantFrom(...keys), fc.string({ minLength: 1, maxLength: 8 })),
      action: fc.constantFrom('delete', 'replace', 'nested'),
      value: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.constantFrom('', 'ftp://x', 'HTTP://A', 'INGEST ', 'AUTH_OAUTH_M2M', -1, 65536, 1.5, null, [], {}),
        fc.anything({ maxDepth: 1, withBigInt: true }),
      ),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const raw: Record<string, unknown> = structuredClone(VALID);
        const touched = new Set<string>();
        for (const m of mutations) {
          touched.add(m.key);
          if (m.action === 'delete') delete raw[m.key];
          else if (m.action === 'replace') raw[m.key] = m.value;
          else {
            const inner = raw[m.key];
            if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
              const k = Object.keys(inner)[0] ?? 'x';
              (inner as Record<string, unknown>)[k] = m.value;
            } else if (Array.isArray(inner) && inner.length > 0) {
              inner[0] = m.value;
            } else raw[m.key] = m.value;
          }
        }
        // auth_options is checked against itself (AUTH_PAT with AUTH_OAUTH_M2M): touching it may name it.
        checkConfigResult(raw, touched);
      }),
      { numRuns: 200 },
    );
  });
});

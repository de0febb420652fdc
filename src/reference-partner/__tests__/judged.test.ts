/** The reference partner judged by pcsim's own contract rules: clean when fault-free, and each answer-shaping fault trips its rule. */
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { judgeAnswer, type JudgeContext } from '../../contract/rules.js';
import { stringifyJson } from '../../contract/json.js';
import { createReferencePartnerApp, type Fault } from '../index.js';
import { connectBody, freshDomain, freshId, rawText, type ConnectArgs } from './helpers.js';

const HOSTNAMES = ['127.0.0.1', 'localhost'];
const MAX = 1024 * 1024;

function judged(faults: Fault[] = [], newUserAction: 'auto_add' | 'invite' | 'not_found' | 'error' = 'auto_add') {
  const { app } = createReferencePartnerApp({ faults, newUserAction });
  const send = async (
    method: 'get' | 'post' | 'put' | 'delete',
    path: string,
    ctx: JudgeContext,
    body?: string,
    auth = 'pcsim-reference-secret',
  ) => {
    const req = request(app)[method](path).auth('databricks', auth).buffer(true).parse(rawText);
    const res = body === undefined ? await req : await req.set('Content-Type', 'application/json').send(body);
    const text = res.body as string;
    const j = judgeAnswer(
      ctx,
      { status: res.status, headers: res.headers as Record<string, string>, body: Buffer.from(text), truncated: false },
      MAX,
    );
    return {
      status: res.status,
      body: j.body as Record<string, unknown> | undefined,
      rules: j.violations.filter((v) => v.severity === 'error').map((v) => v.rule),
    };
  };
  const connect = (a: ConnectArgs, auth?: string) =>
    send(
      'post',
      '/connect',
      { kind: 'connect', established: a.established ?? false, hostnames: HOSTNAMES },
      connectBody(a),
      auth,
    );
  const hook = (
    kind: JudgeContext['kind'],
    method: 'post' | 'put' | 'delete',
    path: string,
    body: Record<string, unknown>,
  ) =>
    send(
      method,
      path,
      { kind },
      stringifyJson({ cloud_provider: 'aws', databricks_organization_id: freshId(), ...body }),
    );
  return { connect, hook, send };
}

describe('judged by the contract rules', () => {
  it('a fault-free partner answers every journey step without a violation', async () => {
    for (const action of ['auto_add', 'invite', 'not_found', 'error'] as const) {
      const p = judged([], action);
      const domain = freshDomain();
      const ws = freshId();
      const created = await p.connect({ email: `u1@${domain}`, workspaceId: ws });
      expect(created.rules).toEqual([]);
      const id = created.body!.connection_id as string;
      const steps = [
        await p.connect({ email: `u1@${domain}`, workspaceId: ws, established: true, connectionId: id }),
        await p.connect({ email: `u2@${domain}`, workspaceId: ws, established: true, connectionId: id }),
        await p.connect({ email: `u1@${domain}`, workspaceId: ws, demo: true }),
        await p.connect({ email: `u1@${domain}`, workspaceId: ws }, 'wrong'),
        await p.hook('test_connection', 'post', '/test-connection', { connection_id: id }),
        await p.send('get', '/connectors', { kind: 'connectors' }),
        await p.hook('expire_account', 'put', '/expire-account', {
          email: `u1@${domain}`,
          databricks_user_id: freshId(),
        }),
        await p.connect({ email: `u1@${domain}`, workspaceId: ws, established: true, connectionId: id }),
        await p.connect({ email: `u1@${domain}`, workspaceId: freshId() }),
        await p.hook('delete_connection', 'post', '/delete-connection', { connection_id: id }),
        await p.connect({ email: `u1@${domain}`, workspaceId: ws, established: true, connectionId: id }),
        await p.hook('delete_account', 'delete', '/delete-account', { domain: 'example.com' }),
        await p.hook('delete_account', 'delete', '/delete-account', { domain }),
      ];
      expect(steps.map((s) => [s.status, s.rules])).toEqual(steps.map((s) => [s.status, []]));
    }
  });

  it.each([
    ['wrong-enum', 'connect.response.enum'],
    ['missing-fields', 'connect.response.required'],
    ['no-connection-id', 'connect.connection_id.required'],
    ['wrong-content-type', 'http.content_type'],
    ['malformed-json', 'json.syntax'],
    ['html-body', 'json.syntax'],
    ['redirect-outside-allowlist', 'connect.redirect_uri.host'],
  ] as const)('%s trips %s on create', async (fault, rule) => {
    const r = await judged([fault]).connect({ email: `u1@${freshDomain()}`, workspaceId: freshId() });
    expect(r.rules).toContain(rule);
  });

  it('id-on-sign-in trips connect.connection_id.on_sign_in; bad-test-results trips test_connection.response.enum', async () => {
    const p = judged(['id-on-sign-in', 'bad-test-results']);
    const email = `u1@${freshDomain()}`;
    const ws = freshId();
    const created = await p.connect({ email, workspaceId: ws });
    expect(created.rules).toEqual([]);
    const id = created.body!.connection_id as string;
    expect((await p.connect({ email, workspaceId: ws, established: true, connectionId: id })).rules).toContain(
      'connect.connection_id.on_sign_in',
    );
    expect((await p.hook('test_connection', 'post', '/test-connection', { connection_id: id })).rules).toContain(
      'test_connection.response.enum',
    );
  });
});

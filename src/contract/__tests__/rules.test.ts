import { describe, expect, it } from '@jest/globals';
import { judgeAnswer, type HttpAnswer } from '../rules.js';

const json = (
  status: number,
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): HttpAnswer => ({
  status,
  headers,
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  truncated: false,
});
const rules = (j: { violations: { rule: string }[] }) => j.violations.map((v) => v.rule);
const ctx = { kind: 'connect' as const, established: false, hostnames: ['partner.example'] };
const good = {
  redirect_uri: 'https://partner.example/x',
  redirect_value: 'create_trial',
  user_status: 'new',
  account_status: 'new',
  configured_resources: true,
  connection_id: 'c1',
};

describe('judging a Connect answer', () => {
  it('accepts a compliant answer', () => {
    expect(judgeAnswer(ctx, json(200, good), 1e6).violations).toEqual([]);
  });

  it('applies the three connection_id rules', () => {
    expect(
      rules(judgeAnswer({ ...ctx, established: true }, json(200, { ...good, configured_resources: false }), 1e6)),
    ).toEqual(['connect.connection_id.on_sign_in']);
    const { connection_id: _c, ...noId } = good;
    expect(rules(judgeAnswer(ctx, json(200, noId), 1e6))).toEqual(['connect.connection_id.required']);
    expect(rules(judgeAnswer(ctx, json(200, { ...good, configured_resources: false }), 1e6))).toEqual([
      'connect.connection_id.unexpected',
    ]);
  });

  it('names the field, the value and the allowed values of a wrong enum', () => {
    const v = judgeAnswer(ctx, json(200, { ...good, redirect_value: 'CREATE_TRIAL' }), 1e6).violations;
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ rule: 'connect.response.enum', field: 'redirect_value' });
    expect(v[0]!.message).toContain('"CREATE_TRIAL"');
    expect(v[0]!.message).toContain('"create_trial"');
  });

  it('refuses a redirect host outside the allow-list and non-http schemes', () => {
    expect(rules(judgeAnswer(ctx, json(200, { ...good, redirect_uri: 'https://evil.example.net/' }), 1e6))).toEqual([
      'connect.redirect_uri.host',
    ]);
    expect(rules(judgeAnswer(ctx, json(200, { ...good, redirect_uri: 'javascript:alert(1)' }), 1e6))).toEqual([
      'connect.redirect_uri.scheme',
    ]);
  });

  it('checks content type, syntax, encoding, size and status', () => {
    expect(rules(judgeAnswer(ctx, json(200, good, { 'content-type': 'text/plain' }), 1e6))).toEqual([
      'http.content_type',
    ]);
    expect(rules(judgeAnswer(ctx, json(200, '{"redirect_uri": "x"'), 1e6))).toEqual(['json.syntax']);
    expect(rules(judgeAnswer(ctx, { ...json(200, ''), body: Buffer.from([0x7b, 0xff, 0x7d]) }, 1e6))).toEqual([
      'json.encoding',
    ]);
    expect(rules(judgeAnswer(ctx, { ...json(200, good), truncated: true }, 10))).toEqual(['http.body_too_large']);
    expect(rules(judgeAnswer(ctx, json(302, ''), 1e6))).toContain('http.redirect');
    expect(rules(judgeAnswer(ctx, json(418, { error_reason: 'general_error' }), 1e6))).toContain('http.status');
  });

  it('checks that error_reason matches the status', () => {
    expect(judgeAnswer(ctx, json(404, { error_reason: 'connection_not_found' }), 1e6).violations).toEqual([]);
    expect(rules(judgeAnswer(ctx, json(401, { error_reason: 'general_error' }), 1e6))).toEqual(['error.reason_status']);
    expect(rules(judgeAnswer(ctx, json(500, { message: 'oops' }), 1e6))).toEqual(['error.response.required']);
  });

  it('accepts an empty 200 from the account hooks only', () => {
    expect(judgeAnswer({ kind: 'delete_account' }, json(200, ''), 1e6).violations).toEqual([]);
    expect(rules(judgeAnswer(ctx, json(200, ''), 1e6))).toEqual(['json.syntax']);
  });
});

import { describe, expect, it } from '@jest/globals';
import { violation } from '../../contract/diagnostics.js';
import type { PartnerConfig } from '../../contract/partner-config.js';
import type { Exchange } from '../../partner-client/types.js';
import { decideConnect } from '../outcome.js';

const cfg = { sign_up_page: 'https://p.example/signup' } as PartnerConfig;
const ex = (status: number | undefined, body: unknown = {}, violations = [] as Exchange['violations']): Exchange => ({
  id: 'x',
  at: '',
  kind: 'connect',
  request: { method: 'POST', url: '', headers: {} },
  attempts: [],
  duration_ms: 0,
  violations,
  response: status === undefined ? undefined : { status, headers: {}, body, body_bytes: 0 },
  error: status === undefined ? 'connection refused' : undefined,
});

describe('what Databricks does with a Connect answer', () => {
  it('stores a configured connection and launches the redirect', () => {
    expect(
      decideConnect(
        ex(200, { configured_resources: true, connection_id: 'c', redirect_uri: 'https://p.example/x' }),
        false,
        cfg,
      ),
    ).toEqual({ outcome: 'connected', connection_id: 'c', keep_resources: true, redirect_uri: 'https://p.example/x' });
  });
  it('deletes what it provisioned when the partner configured nothing', () => {
    expect(decideConnect(ex(200, { configured_resources: false, redirect_uri: 'u' }), false, cfg)).toMatchObject({
      outcome: 'not_configured',
      keep_resources: false,
    });
  });
  it('keeps the resources after a 500 and offers the sign-in page, with the display_message', () => {
    expect(
      decideConnect(ex(500, { error_reason: 'general_error', display_message: 'down <b>' }), false, cfg),
    ).toMatchObject({
      outcome: 'error',
      keep_resources: true,
      error: { kind: 'general_error', sign_in_page: cfg.sign_up_page, display_message: 'down <b>' },
    });
  });
  it('maps 401 and both 404s to their screens', () => {
    expect(decideConnect(ex(401, { error_reason: 'unauthorized' }), false, cfg).error).toMatchObject({
      kind: 'unauthorized',
      sign_in_page: cfg.sign_up_page,
    });
    expect(decideConnect(ex(404, { error_reason: 'connection_not_found' }), true, cfg).error?.action).toContain(
      'Delete the connection',
    );
    expect(decideConnect(ex(404, { error_reason: 'account_not_found' }), true, cfg).error?.action).toContain('admin');
  });
  it('refuses an answer that breaks the contract, and an unreachable partner', () => {
    const bad = decideConnect(
      ex(200, { configured_resources: true }, [
        violation('connect.connection_id.required', 'connection_id', 'missing'),
      ]),
      false,
      cfg,
    );
    expect(bad).toMatchObject({
      outcome: 'error',
      keep_resources: false,
      error: { kind: 'invalid_response', detail: 'missing' },
    });
    expect(decideConnect(ex(undefined), false, cfg)).toMatchObject({
      outcome: 'error',
      error: { kind: 'unreachable' },
    });
  });
});

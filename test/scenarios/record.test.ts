/**
 * Record → replay: clicks made through the admin API of a real `startServer` are read back from
 * GET /api/journal, turned into a scenario, and replayed on a fresh Databricks with the same
 * outcomes, call by call.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runJourneys } from '../../src/journeys/runner.js';
import { parseScenario } from '../../src/scenarios/load.js';
import { kindOfDelete, recordScenario, type JournalExchange } from '../../src/scenarios/record.js';
import { scenarioJourney } from '../../src/scenarios/runner.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { stringify } from 'yaml';

const credentials = { user: 'databricks', password: 'pcsim-reference-secret' };
let srv: RunningServer;
beforeAll(async () => {
  srv = await startServer({ port: 0, dataDir: null, credentials, retryBackoffMs: [0, 0, 0], seed: false });
});
afterAll(async () => srv?.close());

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${srv.url}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** What each recorded call was and how the partner answered: the thing a replay must reproduce. */
const outcome = (kind: string, status: number | undefined, body: unknown) => ({
  kind,
  status,
  error_reason: (body as { error_reason?: string } | undefined)?.error_reason,
});
const KIND_BY_PATH: Record<string, string> = {
  '/connect': 'connect',
  '/delete-connection': 'delete_connection',
  '/delete-account': 'delete_account',
  '/expire-account': 'expire_account',
  '/test-connection': 'test_connection',
  '/connectors': 'connectors',
};

describe('record → replay', () => {
  it('replays the bug report recorded through the admin API with the same outcomes', async () => {
    const p = srv.reference!.id;
    const ws = (await api('POST', '/api/workspaces', { name: 'bug ws1' })) as { id: string };
    const other = (await api('POST', '/api/workspaces', { name: 'other' })) as { id: string };
    const a = (await api('POST', `/api/workspaces/${ws.id}/users`, { email: 'a@bug.databricks-test.com' })) as {
      id: string;
    };
    const b = (await api('POST', `/api/workspaces/${ws.id}/users`, { email: 'b@bug.databricks-test.com' })) as {
      id: string;
    };
    const o = (await api('POST', `/api/workspaces/${other.id}/users`, { email: 'o@other.databricks-test.com' })) as {
      id: string;
    };
    const at = (w: string) => `/api/workspaces/${w}/partners/${p}`;
    await api('POST', `${at(ws.id)}/connect`, { user_id: a.id }); // A connects
    await api('POST', `${at(other.id)}/connect`, { user_id: o.id }); // noise in another workspace
    await api('POST', `${at(ws.id)}/connect`, { user_id: a.id }); // A signs in
    await api('DELETE', `${at(ws.id)}/connection`); // A deletes in Databricks (partner notified)
    await api('PATCH', `/api/workspaces/${ws.id}`, { demo: true });
    await api('POST', `${at(ws.id)}/connect`, { user_id: b.id }); // B re-creates with demo on
    await api('POST', `${at(ws.id)}/hooks/test-connection`, {});
    await api('POST', `${at(ws.id)}/hooks/delete-connection`, {}); // the partner deletes its side
    await api('POST', `${at(ws.id)}/connect`, { user_id: b.id }); // → 404 connection_not_found
    await api('DELETE', `${at(ws.id)}/connection?notify_partner=false`);
    await api('POST', `${at(ws.id)}/connect`, { user_id: a.id }); // a fresh connection again

    const journal = (await api('GET', `/api/journal?workspace=${ws.id}&limit=100`)) as { exchanges: JournalExchange[] };
    const recorded = recordScenario(journal.exchanges, { name: 'bug-report', source: srv.url });
    if ('error' in recorded) throw new Error(recorded.error);
    expect(recorded.used).toBe(8);
    const s = recorded.scenario;
    expect(s.workspaces).toEqual([{ name: 'ws1', cloud: 'aws', region: 'us-west-2' }]);
    expect(s.users.map((u) => u.email)).toEqual(['a@${domain}', 'b@${domain}']);
    expect(s.steps.map((st) => Object.keys(st).find((k) => !['expect', 'name', 'save'].includes(k)))).toEqual([
      'connect',
      'signin',
      'delete_connection',
      'set_demo',
      'connect',
      'test_connection',
      'partner_delete_connection',
      'signin',
      'delete_connection',
      'connect',
    ]);
    // The file the CLI writes loads back without a problem.
    expect(parseScenario(stringify(s), 'recorded.yaml').ok).toBe(true);

    const oldestFirst = [...journal.exchanges].reverse();
    const report = await runJourneys({
      config: srv.reference!.config,
      credentials,
      journeys: [scenarioJourney(s)],
      retryBackoffMs: [0, 0, 0],
    });
    const j = report.journeys[0]!;
    expect({ status: j.status, reason: j.reason }).toEqual({ status: 'passed', reason: undefined });
    const replayed = j.steps.map((st) =>
      outcome(
        KIND_BY_PATH[new URL(st.request.url).pathname.replace(/^\/reference-partner/, '')] ?? st.request.url,
        st.response?.status,
        st.response?.body,
      ),
    );
    expect(replayed).toEqual(oldestFirst.map((e) => outcome(e.kind, e.response?.status, e.response?.body)));
    expect(replayed.map((r) => r.error_reason).filter(Boolean)).toEqual(['connection_not_found']);
  });

  it('makes a user the partner knew before the slice known again before replaying its clicks', async () => {
    const p = srv.reference!.id;
    const earlier = (await api('POST', '/api/workspaces', { name: 'earlier' })) as { id: string };
    const ws = (await api('POST', '/api/workspaces', { name: 'recorded' })) as { id: string };
    const email = 'known@acme-known.example';
    const u1 = (await api('POST', `/api/workspaces/${earlier.id}/users`, { email })) as { id: string };
    const u2 = (await api('POST', `/api/workspaces/${ws.id}/users`, { email })) as { id: string };
    await api('POST', `/api/workspaces/${earlier.id}/partners/${p}/connect`, { user_id: u1.id }); // before the slice
    await api('POST', `/api/workspaces/${ws.id}/partners/${p}/connect`, { user_id: u2.id }); // the recorded click
    const journal = (await api('GET', `/api/journal?workspace=${ws.id}`)) as { exchanges: JournalExchange[] };
    expect(journal.exchanges.map((e) => (e.response?.body as { user_status?: string }).user_status)).toEqual([
      'existing',
    ]);

    const recorded = recordScenario(journal.exchanges, { name: 'known-user', source: srv.url });
    if ('error' in recorded) throw new Error(recorded.error);
    expect(recorded.scenario.workspaces.map((w) => w.name)).toEqual(['ws1', 'before1']);
    expect(
      recorded.scenario.steps.map((st) => [
        Object.keys(st).find((k) => k === 'connect'),
        (st.connect as { workspace: string }).workspace,
      ]),
    ).toEqual([
      ['connect', 'before1'],
      ['connect', 'ws1'],
    ]);
    expect(recorded.scenario.steps[1]!.expect).toMatchObject({ user_status: 'existing' });
    expect(recorded.notes.join('\n')).toContain('so it knew known@acme-known.example already');

    const report = await runJourneys({
      config: srv.reference!.config,
      credentials,
      journeys: [scenarioJourney(recorded.scenario)],
      retryBackoffMs: [0, 0, 0],
    });
    expect({ status: report.journeys[0]!.status, reason: report.journeys[0]!.reason }).toEqual({
      status: 'passed',
      reason: undefined,
    });
  });

  it('tells a Databricks-side delete from the partner hook by what follows', () => {
    const ex = (kind: string, established?: boolean): JournalExchange => ({
      kind,
      workspace_id: '7',
      request: { body: established === undefined ? {} : { user_info: { is_connection_established: established } } },
    });
    expect(kindOfDelete([ex('delete_connection'), ex('connect', false)], 0)).toBe('databricks');
    expect(kindOfDelete([ex('delete_connection'), ex('connect', true)], 0)).toBe('partner');
    expect(kindOfDelete([ex('delete_connection')], 0)).toBe('partner');
  });

  it('refuses a slice without a connect, naming what it had', () => {
    const r = recordScenario(
      [{ kind: 'connectors', request: { url: 'http://x/connectors' }, response: { status: 200 } }],
      { name: 'x' },
    );
    expect(r).toEqual({ error: expect.stringContaining('no Connect call') });
  });
});

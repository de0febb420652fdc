/**
 * End to end: the reference partner with coreIntegration uses the credentials it receives, and
 * P200/P201 pass automatically — in `pcsim run` (runJourneys with waitCore) and live in
 * `pcsim serve` (GET /api/workspaces/{ws}/activity).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { selectJourneys } from '../../src/journeys/catalogue.js';
import { runJourneys } from '../../src/journeys/runner.js';
import { startReferencePartner, type RunningReferencePartner } from '../../src/reference-partner/index.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { SEED } from '../../src/server/seed.js';
import { tlsHostNames, workspaceTls } from '../../src/workspace/certificate.js';
import { createCoreIntegration } from '../../src/workspace/core-integration.js';

const creds = { user: 'databricks', password: 'pcsim-reference-secret' };
const pick = (ids: string) =>
  (selectJourneys(ids) as { journeys: NonNullable<Parameters<typeof runJourneys>[0]['journeys']> }).journeys;

let ref: RunningReferencePartner | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await ref?.close();
  await server?.close();
  ref = undefined;
  server = undefined;
});

describe("P200/P201 judged from the partner's calls", () => {
  // The partner trusts the workspace's CA, as a partner given --tls-cert's CA (NODE_EXTRA_CA_CERTS) does.
  it('pass with a PAT partner when the run serves the workspace (waitCore)', async () => {
    const tls = await workspaceTls(null, tlsHostNames());
    ref = await startReferencePartner({
      basicUser: creds.user,
      basicPassword: creds.password,
      destLocation: true,
      workspaceTls: { ca: tls.ca },
    });
    const report = await runJourneys({
      config: ref.config,
      credentials: creds,
      journeys: pick('P200,P201'),
      retryBackoffMs: [0, 0, 0],
      waitCore: 20,
      core: createCoreIntegration({ tls }),
    });
    const byId = Object.fromEntries(report.journeys.map((j) => [j.id, j]));
    expect(byId.P200).toMatchObject({
      status: 'passed',
      reason: expect.stringContaining('authenticated with the PAT'),
    });
    expect(byId.P201).toMatchObject({
      status: 'passed',
      reason: expect.stringMatching(/under 's3:.*managed|managed.*under/),
    });
  });

  it('pass with an OAuth M2M partner (client credentials, then the token)', async () => {
    const tls = await workspaceTls(null, tlsHostNames());
    ref = await startReferencePartner({
      basicUser: creds.user,
      basicPassword: creds.password,
      workspaceTls: { ca: tls.ca },
    });
    const config = { ...ref.config, auth_options: ['AUTH_OAUTH_M2M' as const] };
    const report = await runJourneys({
      config,
      credentials: creds,
      journeys: pick('P200'),
      retryBackoffMs: [0, 0, 0],
      waitCore: 20,
      core: createCoreIntegration({ tls }),
    });
    expect(report.journeys[0]).toMatchObject({
      id: 'P200',
      status: 'passed',
      reason: expect.stringContaining('OAuth M2M token'),
    });
  });

  it("fail with the verdict's reason when the partner never calls back, and stay manual without waitCore", async () => {
    ref = await startReferencePartner({
      basicUser: creds.user,
      basicPassword: creds.password,
      faults: ['no-core-integration'],
    });
    const waited = await runJourneys({
      config: ref.config,
      credentials: creds,
      journeys: pick('P200'),
      retryBackoffMs: [0, 0, 0],
      waitCore: 1,
      core: createCoreIntegration(),
    });
    expect(waited.journeys[0]).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('made no call to the workspace'),
    });
    const manual = await runJourneys({
      config: ref.config,
      credentials: creds,
      journeys: pick('P200'),
      retryBackoffMs: [0, 0, 0],
    });
    expect(manual.journeys[0]).toMatchObject({ status: 'manual', reason: expect.stringContaining('--wait-core') });
  });

  it('shows live verdicts in pcsim serve after a click on the reference partner', async () => {
    server = await startServer({
      port: 0,
      dataDir: null,
      credentials: creds,
      retryBackoffMs: [0, 0, 0],
      reference: { destLocation: true },
    });
    const ws = SEED.workspaces[0].id;
    const post = await fetch(`${server.url}/api/workspaces/${ws}/partners/${server.reference!.id}/connect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: SEED.users[0].id, destination_location: 's3://acme/landing' }),
    });
    expect(post.status).toBe(200);
    let body: any;
    for (let i = 0; i < 200; i++) {
      body = await (await fetch(`${server.url}/api/workspaces/${ws}/activity`)).json();
      if (body.activity.some((a: { kind: string }) => a.kind === 'query')) break; // the read back: the last call
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(body.connections[0].verdicts).toMatchObject({ P200: { status: 'passed' }, P201: { status: 'passed' } });
    expect(body.activity.map((a: { kind: string }) => a.kind)).toEqual(
      expect.arrayContaining(['auth', 'query', 'write']),
    );
    // The row written is read back: CREATE, INSERT and SELECT all SUCCEEDED.
    expect(body.activity.filter((a: { kind: string; ok: boolean }) => a.ok && a.kind !== 'auth')).toHaveLength(3);
    expect(JSON.stringify(body)).not.toMatch(/dapi[0-9a-f]{8}/);
  });
});

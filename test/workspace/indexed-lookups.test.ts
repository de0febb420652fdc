/**
 * The workspace's request paths find records through indexes (src/databricks/indexes.ts), built on
 * first use and kept as the state changes. These tests warm the indexes first, then change the
 * state the ways Databricks does — another connection provisioned, a connection deleted (its
 * resources marked deleted in place), a workspace deleted — and check every answer is still the
 * one a scan of the state would give: no record of another workspace mixed in, no deleted
 * credential accepted.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Resources, Workspace } from '../../src/databricks/model.js';
import { provision } from '../../src/databricks/provisioning.js';
import { sealResources } from '../../src/databricks/secrets.js';
import { call, partnerConfig, startWorkspace, type TestWorkspace } from './harness.js';

let w: TestWorkspace | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const OTHER_WS = '7474659876543210987';

/** A partner connected in another workspace (its own resources and PAT), as a Connect leaves it. */
async function connectElsewhere(t: TestWorkspace, ws: Workspace): Promise<Resources> {
  const config = partnerConfig({ name: 'Other Partner', auth_options: ['AUTH_PAT'] });
  const partner = await t.dbx.registerPartner(config, 'test');
  const resources = provision({ workspace: ws, partnerId: partner.id, config, now: t.clock.now });
  await t.store.update((s) => {
    s.resources.push(sealResources(resources));
    s.connections.push({
      workspace_id: ws.id,
      partner_id: partner.id,
      connection_id: `conn-${resources.id}`,
      created_by: '9007199254740993',
      created_at: t.clock.now.toISOString(),
      resources_id: resources.id,
    });
  });
  return resources;
}

const select1 = (t: TestWorkspace, r: Resources, warehouse = r.warehouse!.id) =>
  call(t.base, 'POST', '/api/2.0/sql/statements', {
    token: r.pat,
    body: { statement: 'SELECT 1 AS one', warehouse_id: warehouse, wait_timeout: '10s' },
  });

/** POST to a warehouse's Thrift path: 404 when no live warehouse of the caller's workspace has it, else 400 (empty body). */
const thrift = (t: TestWorkspace, r: Resources, path: string) =>
  call(t.base, 'POST', path, { token: r.pat, headers: { 'content-type': 'application/x-thrift' } });

describe('look-ups by index stay right as the state changes', () => {
  it('keeps workspaces apart, and sees resources added and connections deleted after the indexes were built', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const a = w.resources;
    const other = await w.dbx.createWorkspace({ id: OTHER_WS, name: 'Sales Demo' });
    await w.dbx.addUser(other.id, { id: '9007199254741995', email: 'analyst@acme.databricks-test.com' });
    const b = await connectElsewhere(w, other);

    // Builds the indexes (PAT digest, resources by workspace and http_path, users by workspace).
    expect((await select1(w, a)).body.status.state).toBe('SUCCEEDED');
    expect((await select1(w, b)).body.status.state).toBe('SUCCEEDED');
    const users = await call(w.base, 'GET', '/api/2.0/preview/scim/v2/Users', { token: a.pat });
    expect(users.body.Resources.map((u: { userName: string }) => u.userName).sort()).toEqual([
      'admin@acme.databricks-test.com',
      'analyst@acme.databricks-test.com',
    ]);

    // Another workspace's warehouse is not this one's, by id (REST) or by http_path (Thrift).
    const foreign = await select1(w, a, b.warehouse!.id);
    expect(foreign.status).toBe(404);
    expect(foreign.body.message).toContain(`does not exist in workspace ${a.workspace_id}`);
    expect((await thrift(w, a, b.warehouse!.http_path)).status).toBe(404);
    expect((await thrift(w, a, a.warehouse!.http_path)).status).toBe(400);

    // A connection made after the indexes were built: its PAT and warehouse are found.
    const a2 = await w.connect(['AUTH_PAT'], { partner: 'Second Partner' });
    expect((await select1(w, a2)).body.status.state).toBe('SUCCEEDED');
    expect((await select1(w, a, a2.warehouse!.id)).body.status.state).toBe('SUCCEEDED');
    expect((await thrift(w, a2, a2.warehouse!.http_path)).status).toBe(400);

    // Deleting the first connection marks its resources deleted in place: its PAT is refused
    // and its warehouse is gone for the workspace's other connection, which still works.
    await w.dbx.deleteConnection(w.ws.id, 'test-partner', { notifyPartner: false });
    const revoked = await select1(w, a);
    expect(revoked.status).toBe(403);
    expect(revoked.body.message).toBe('Invalid access token.');
    const gone = await select1(w, a2, a.warehouse!.id);
    expect(gone.status).toBe(404);
    expect((await thrift(w, a2, a.warehouse!.http_path)).status).toBe(404);
    expect((await select1(w, a2)).body.status.state).toBe('SUCCEEDED');

    // Deleting the other workspace revokes its connection and takes its member out of it.
    await w.dbx.deleteWorkspace(other.id);
    expect((await select1(w, b)).status).toBe(403);
    expect((await thrift(w, b, b.warehouse!.http_path)).status).toBe(403);
    const after = await call(w.base, 'GET', '/api/2.0/preview/scim/v2/Users', { token: a2.pat });
    expect(after.body.Resources.map((u: { userName: string }) => u.userName).sort()).toEqual([
      'admin@acme.databricks-test.com',
      'analyst@acme.databricks-test.com',
    ]);
  });

  it('finds a user who joined the workspace after the index of members was built', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const names = async () =>
      (await call(w!.base, 'GET', '/api/2.0/preview/scim/v2/Users', { token: w!.resources.pat })).body.Resources.map(
        (u: { userName: string }) => u.userName,
      ).sort();
    expect(await names()).toEqual(['admin@acme.databricks-test.com', 'analyst@acme.databricks-test.com']);
    await w.dbx.addUser(w.ws.id, { email: 'new@acme.databricks-test.com' });
    expect(await names()).toEqual([
      'admin@acme.databricks-test.com',
      'analyst@acme.databricks-test.com',
      'new@acme.databricks-test.com',
    ]);
    await w.dbx.removeUser(w.ws.id, '9007199254741995');
    expect(await names()).toEqual(['admin@acme.databricks-test.com', 'new@acme.databricks-test.com']);
  });
});

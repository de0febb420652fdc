import { describe, expect, it } from '@jest/globals';
import { MemoryStore } from '../../store/memory.js';
import { Databricks } from '../databricks.js';
import { DatabricksError } from '../errors.js';
import { digestSecret, sealResources, secretMatches } from '../secrets.js';
import type { Resources } from '../model.js';

const dbx = () =>
  new Databricks({
    store: new MemoryStore(),
    clientFor: () => {
      throw new Error('no partner in this test');
    },
  });

describe('users', () => {
  it('an email already known joins the workspace with its existing id', async () => {
    const d = dbx();
    const a = await d.createWorkspace();
    const b = await d.createWorkspace();
    const u = await d.addUser(a.id, { email: 'ada@acme.databricks-test.com' });
    const again = await d.addUser(b.id, { email: 'ADA@acme.databricks-test.com' });
    expect(again.id).toBe(u.id);
    expect(again.workspaces).toEqual([a.id, b.id]);
  });

  it('refuses an existing id with another email (409 conflict naming both)', async () => {
    const d = dbx();
    const ws = await d.createWorkspace();
    const u = await d.addUser(ws.id, { email: 'ada@acme.databricks-test.com', id: '9007199254740993' });
    const err = await d.addUser(ws.id, { email: 'eve@acme.databricks-test.com', id: u.id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabricksError);
    expect((err as DatabricksError).kind).toBe('conflict');
    expect((err as DatabricksError).message).toContain('belongs to ada@acme.databricks-test.com');
    expect(d.user(u.id).email).toBe('ada@acme.databricks-test.com');
  });
});

describe('secrets at rest', () => {
  const r: Resources = {
    id: 'res-1',
    workspace_id: '1',
    partner_id: 'p',
    service_principal_id: 'sp',
    pat: 'dapi-known-pat',
    oauth_secret: 'dose-known',
    status: 'active',
    created_at: 'now',
  };

  it('stores digests, never the PAT or OAuth secret', () => {
    const sealed = sealResources(r);
    expect(JSON.stringify(sealed)).not.toContain('dapi-known-pat');
    expect(JSON.stringify(sealed)).not.toContain('dose-known');
    expect(sealed.pat_sha256).toBe(digestSecret('dapi-known-pat'));
    // Every other field as it was, in its order, the digests last.
    expect(Object.keys(sealed)).toEqual([
      'id',
      'workspace_id',
      'partner_id',
      'service_principal_id',
      'status',
      'created_at',
      'pat_sha256',
      'oauth_secret_sha256',
    ]);
    expect(sealed).toMatchObject({ id: 'res-1', workspace_id: '1', status: 'active', created_at: 'now' });
    // SHA-256 of the UTF-8 text, in hex (what state files written by earlier versions hold).
    expect(digestSecret('dapi-known-pat')).toBe('85eeaa58af02cc8b4f1d2b35e51ae8fb8c44985734d0a6952b99a789ed355313');
  });

  it('recognises the presented secret by its digest, and nothing else', () => {
    const sealed = sealResources(r);
    expect(secretMatches(sealed.pat_sha256, 'dapi-known-pat')).toBe(true);
    expect(secretMatches(sealed.pat_sha256, 'dapi-known-paT')).toBe(false);
    expect(secretMatches(undefined, 'dapi-known-pat')).toBe(false);
    expect(secretMatches(sealed.oauth_secret_sha256, 'dose-known')).toBe(true);
  });
});

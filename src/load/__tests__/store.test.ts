/**
 * A load copy's store: what Databricks reads back is what it changed (the indexes never outlive a
 * change that edits records in place), and a change that fails half-way ends the copy's state.
 */
import { describe, expect, it } from '@jest/globals';
import { partnerConfig } from '../../databricks/__tests__/fixtures.js';
import { Databricks } from '../../databricks/databricks.js';
import { usersOfWorkspace } from '../../databricks/indexes.js';
import type { PartnerRecord } from '../../databricks/model.js';
import { CopyStore } from '../store.js';

const config = partnerConfig();
const partner: PartnerRecord = { id: 'p', config, source: 'load', registered_at: '2026-12-01T00:00:00.000Z' };

const dbxOn = (store: CopyStore) =>
  new Databricks({
    store,
    clientFor: () => {
      throw new Error('no partner call in this test');
    },
  });

describe('CopyStore', () => {
  it('starts with the partners registered for the run, each copy with its own collections', async () => {
    const a = new CopyStore([partner]);
    const b = new CopyStore([partner]);
    expect(dbxOn(a).partner('p')).toBe(partner);
    await dbxOn(a).createWorkspace();
    expect(a.read().workspaces).toHaveLength(1);
    expect(b.read().workspaces).toHaveLength(0);
    expect(b.read().partners).not.toBe(a.read().partners);
  });

  it('look-ups see a record edited in place: a user joining a second workspace is a member of both', async () => {
    const store = new CopyStore([partner]);
    const d = dbxOn(store);
    const ws1 = await d.createWorkspace();
    const ws2 = await d.createWorkspace();
    const u = await d.addUser(ws1.id, { email: 'u1@x.databricks-test.com' });
    // The index of members is built here, before the join edits the user's workspaces.
    expect(usersOfWorkspace(store.read(), ws2.id)).toEqual([]);
    await d.addUser(ws2.id, { email: 'u1@x.databricks-test.com' });
    expect(usersOfWorkspace(store.read(), ws2.id).map((x) => x.id)).toEqual([u.id]);
    expect(usersOfWorkspace(store.read(), ws1.id).map((x) => x.id)).toEqual([u.id]);
  });

  it('keeps the journal capped as the memory store does', async () => {
    const store = new CopyStore();
    await store.update((s) => {
      for (let i = 0; i < 2001; i++) s.journal.push({ id: String(i) } as never);
    });
    expect(store.read().journal).toHaveLength(2000);
    expect(store.read().journal_dropped).toBe(1);
  });

  it('refuses every read and change after a change that failed half-way', async () => {
    const store = new CopyStore([partner]);
    const d = dbxOn(store);
    await d.createWorkspace();
    const failed = store.update((s) => {
      s.workspaces.pop();
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');
    expect(() => store.read()).toThrow(/an earlier change to it failed half-way \(boom\)/);
    await expect(store.update(() => 1)).rejects.toThrow(/failed half-way/);
  });
});

import { describe, expect, it } from '@jest/globals';
import { MemoryStore } from '../../store/memory.js';
import { appendedSince, ObservableStore, type StoreEvent } from '../observable-store.js';

describe('appendedSince', () => {
  it('finds what was appended after the former last entry, even when the front was trimmed', () => {
    const a = { n: 1 },
      b = { n: 2 },
      c = { n: 3 },
      d = { n: 4 };
    expect(appendedSince([a, b, c, d], b, 2)).toEqual([c, d]);
    expect(appendedSince([c, d], b, 2)).toBeUndefined(); // b was trimmed: say "changed" instead
    expect(appendedSince([b, c], b, 2)).toEqual([c]); // a trimmed, c appended
    expect(appendedSince([a], undefined, 0)).toEqual([a]);
    expect(appendedSince([a], undefined, 3)).toBeUndefined();
    expect(appendedSince([a, b], b, 2)).toEqual([]);
  });
});

describe('ObservableStore', () => {
  it('announces activity appended by a change, and a capped list as new entries only', async () => {
    const store = new ObservableStore(new MemoryStore());
    const events: StoreEvent[] = [];
    store.subscribe((e) => events.push(e));
    const entry = (i: number) => ({
      id: `act-${i}`,
      at: '',
      workspace_id: '1',
      method: 'GET',
      path: '/',
      status: 200,
      kind: 'read' as const,
      ok: true,
    });
    await store.update((s) => void (s.activity = [entry(1), entry(2)]));
    await store.update((s) => {
      s.activity!.push(entry(3));
      s.activity!.splice(0, 1); // capped at 2
    });
    expect(
      events.filter((e) => e.type === 'activity').map((e) => (e.type === 'activity' ? e.activity.id : '')),
    ).toEqual(['act-1', 'act-2', 'act-3']);
  });

  it('does no change detection without listeners, and fires nothing for a failed change', async () => {
    const store = new ObservableStore(new MemoryStore());
    await store.update((s) => void s.workspaces.push({ id: '1' } as never));
    const events: StoreEvent[] = [];
    store.subscribe((e) => events.push(e));
    await expect(
      store.update(() => {
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    await store.update((s) => void s.users.push({ id: '2' } as never));
    expect(events).toEqual([{ type: 'state', changed: ['users'] }]);
  });
});

import { describe, expect, test } from '@jest/globals';
import { emptyState } from '../../databricks/model.js';
import { MemoryStore } from '../memory.js';

describe('MemoryStore', () => {
  test('starts from an empty state by default', () => {
    expect(new MemoryStore().read()).toEqual(emptyState());
  });

  test('starts from the state it is given', () => {
    const initial = { ...emptyState(), journal_dropped: 7 };
    expect(new MemoryStore(initial).read().journal_dropped).toBe(7);
  });

  test('update applies the change and resolves with its result', async () => {
    const store = new MemoryStore();
    const result = await store.update((s) => {
      s.checklist.push({ partner_id: 'p', journey_id: 'j', done: true, at: '2024-01-01T00:00:00Z' });
      return s.checklist.length;
    });
    expect(result).toBe(1);
    expect(store.read().checklist).toHaveLength(1);
  });

  test('changes are applied in call order', async () => {
    const store = new MemoryStore();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.update((s) => {
          s.checklist.push({ partner_id: 'p', journey_id: `j${i}`, done: false, at: '' });
        }),
      ),
    );
    expect(store.read().checklist.map((t) => t.journey_id)).toEqual(Array.from({ length: 20 }, (_, i) => `j${i}`));
  });

  test('a throwing change rejects the update', async () => {
    const store = new MemoryStore();
    await expect(
      store.update(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });

  test('keeps bigint values as they are', async () => {
    const store = new MemoryStore();
    await store.update((s) => {
      s.journal.push({
        id: 'x',
        at: '',
        kind: 'connect',
        request: { method: 'POST', url: '/', headers: {}, body: { id: 4645065419173783088n } },
        attempts: [],
        duration_ms: 0,
        violations: [],
      });
    });
    expect(store.read().journal[0]!.request.body).toEqual({ id: 4645065419173783088n });
  });
});

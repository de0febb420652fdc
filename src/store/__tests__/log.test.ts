import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseJson } from '../../contract/json.js';
import { emptyState, type State } from '../../databricks/model.js';
import { ws } from './fixtures.js';
import { LOG_FILE_NAME, openLowdbStore, readDurableState } from '../lowdb.js';
import { MemoryStore } from '../memory.js';
import { applyOps, changedKeys, track } from '../tracker.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pcsim-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tracker', () => {
  test('notes appends, front trims, in-place edits and replacements as ops that replay to the same state', () => {
    const state = emptyState();
    for (let i = 0; i < 5; i++) state.workspaces.push(ws(i));
    const copy = structuredClone(state);
    const t = track(state, (s) => {
      s.workspaces.push(ws(5));
      s.workspaces.find((w) => w.id === ws(2).id)!.name = 'renamed';
      s.workspaces.splice(0, 1);
      s.users = [];
      s.journal_dropped = 3;
    });
    expect(t.changed.sort()).toEqual(['journal_dropped', 'users', 'workspaces']);
    const ops = t.ops();
    expect(ops.map((o) => o.op)).toEqual(['push', 'trim', 'put', 'set', 'set']);
    applyOps(copy as unknown as Record<string, unknown>, structuredClone(ops));
    expect(copy).toEqual(state);
  });

  test('a change that throws is undone, nested edits included', () => {
    const state = emptyState();
    state.workspaces.push(ws(0));
    const before = structuredClone(state);
    expect(() =>
      track(state, (s) => {
        s.workspaces[0]!.catalogs.push('x');
        s.workspaces.push(ws(1));
        s.workspaces = s.workspaces.filter(() => false);
        s.checklist.splice(0);
        throw new Error('halfway');
      }),
    ).toThrow('halfway');
    expect(state).toEqual(before);
  });

  test('trims and cuts, interleaved with appends, are undone in order (25k removed at once too)', () => {
    const state = emptyState();
    for (let i = 0; i < 30_000; i++) state.workspaces.push(ws(i));
    const before = structuredClone(state);
    expect(() =>
      track(state, (s) => {
        s.workspaces.push(ws(30_000));
        s.workspaces.splice(0, 2);
        s.workspaces.splice(100, 25_000);
        s.workspaces.push(ws(30_001), ws(30_002));
        s.workspaces.splice(5, 1);
        s.workspaces.splice(0, 1);
        throw new Error('halfway');
      }),
    ).toThrow('halfway');
    expect(state.workspaces.map((w) => w.name)).toEqual(before.workspaces.map((w) => w.name));
    expect(state).toEqual(before);
  });

  test('scans see the plain objects, and a found element handed out is the plain object', () => {
    const state = emptyState();
    const w = ws(0);
    state.workspaces.push(w);
    const t = track(state, (s) => {
      expect(changedKeys(s)).toEqual([]);
      expect(s.workspaces.indexOf(w)).toBe(0);
      return s.workspaces.find((x) => x === w);
    });
    expect(t.result).toBe(w);
    expect(t.changed).toEqual([]);
  });

  test('the memory store undoes a throwing change and caps its journal', async () => {
    const store = new MemoryStore(emptyState(), { journalLimit: 2 });
    await expect(
      store.update((s) => {
        s.workspaces.push(ws(0));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(store.read().workspaces).toEqual([]);
    for (let i = 0; i < 5; i++)
      await store.update((s) => void s.journal.push({ id: `x${i}` } as unknown as State['journal'][number]));
    expect(store.read().journal.map((e) => e.id)).toEqual(['x3', 'x4']);
    expect(store.read().journal_dropped).toBe(3);
  });
});

describe('the write-ahead log', () => {
  test('after the first write, a change appends one line and leaves pcsim.json alone; a reopen replays it', async () => {
    const store = await openLowdbStore(dir);
    await store.update((s) => void s.workspaces.push(ws(0)));
    const snapshot = await readFile(path.join(dir, 'pcsim.json'));
    await store.update(
      (s) =>
        void s.journal.push({
          id: 'x1',
          request: { body: { workspace_id: 9007199254740993n } },
        } as unknown as State['journal'][number]),
    );
    await store.update((s) => void (s.workspaces[0]!.name = 'renamed'));
    expect((await readFile(path.join(dir, 'pcsim.json'))).equals(snapshot)).toBe(true);
    const lines = (await readFile(path.join(dir, LOG_FILE_NAME), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('"workspace_id":9007199254740993');
    const again = await readDurableState(dir);
    expect(again.workspaces[0]!.name).toBe('renamed');
    expect((again.journal[0]!.request.body as { workspace_id: bigint }).workspace_id).toBe(9007199254740993n);
    // A compaction folds the log into pcsim.json (closing leaves a log this short for the next start to replay).
    await store.compact();
    await store.close();
    expect((parseJson(await readFile(path.join(dir, 'pcsim.json'), 'utf8')) as State).workspaces[0]!.name).toBe(
      'renamed',
    );
    await expect(readFile(path.join(dir, LOG_FILE_NAME))).rejects.toThrow();
  });

  test('updates that arrive during a write are committed together (group commit), each resolved after it is durable', async () => {
    const store = await openLowdbStore(dir);
    await store.update((s) => void s.workspaces.push(ws(0)));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.update((s) => s.checklist.push({ partner_id: 'p', journey_id: `j${i}`, done: true, at: '' })),
      ),
    );
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const lines = (await readFile(path.join(dir, LOG_FILE_NAME), 'utf8')).trim().split('\n');
    expect(lines.length).toBeLessThan(50);
    expect((await readDurableState(dir)).checklist).toHaveLength(50);
  });

  test('a line cut by a crash (never acknowledged) is ignored on open', async () => {
    const store = await openLowdbStore(dir);
    await store.update((s) => void s.workspaces.push(ws(0)));
    await store.update((s) => void s.workspaces.push(ws(1)));
    await appendFile(
      path.join(dir, LOG_FILE_NAME),
      '{"seq":3,"ops":[{"op":"push","key":"workspaces","items":[{"id":"1"',
    );
    const reopened = await openLowdbStore(dir);
    expect(reopened.read().workspaces.map((w) => w.name)).toEqual(['w0', 'w1']);
  });

  test('a log replayed over a newer snapshot skips what the snapshot already holds', async () => {
    const store = await openLowdbStore(dir);
    await store.update((s) => void s.workspaces.push(ws(0)));
    await store.update((s) => void s.workspaces.push(ws(1)));
    const log = await readFile(path.join(dir, LOG_FILE_NAME), 'utf8');
    await store.compact(); // pcsim.json now covers the log…
    await appendFile(path.join(dir, LOG_FILE_NAME), log); // …which a crash left in place
    expect((await readDurableState(dir)).workspaces.map((w) => w.name)).toEqual(['w0', 'w1']);
  });
});

describe('a record removed from the middle', () => {
  test('is logged as a cut of that record, replays to the same list, and is undone whole on failure', async () => {
    const store = await openLowdbStore(dir);
    await store.update((s) => void s.workspaces.push(...Array.from({ length: 2000 }, (_, i) => ws(i))));
    await store.update((s) => void s.workspaces.splice(1234, 1));
    const line = (await readFile(path.join(dir, LOG_FILE_NAME), 'utf8')).trim().split('\n').at(-1)!;
    expect(line.length).toBeLessThan(200); // the cut, not the 1999 records left
    expect(parseJson(line)).toMatchObject({ ops: [{ op: 'cut', key: 'workspaces', index: 1234, count: 1 }] });
    const names = store.read().workspaces.map((w) => w.name);
    expect(names).not.toContain('w1234');
    expect((await readDurableState(dir)).workspaces.map((w) => w.name)).toEqual(names);
    await expect(
      store.update((s) => {
        s.workspaces.splice(10, 3);
        throw new Error('changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    expect(store.read().workspaces.map((w) => w.name)).toEqual(names);
  });
});

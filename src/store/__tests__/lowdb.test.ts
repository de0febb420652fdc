import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseJson } from '../../contract/json.js';
import { emptyState, STATE_VERSION, type State } from '../../databricks/model.js';
import type { Exchange } from '../../partner-client/types.js';
import { StoreError } from '../errors.js';
import {
  capJournal,
  DEFAULT_JOURNAL_LIMIT,
  migrate,
  openLowdbStore,
  readDurableState,
  StateShapeError,
} from '../lowdb.js';

const BIG = 4645065419173783088n;
let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pcsim-store-'));
  file = path.join(dir, 'pcsim.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function exchange(id: string, body?: unknown): Exchange {
  return {
    id,
    at: '2024-05-01T12:00:00.000Z',
    kind: 'connect',
    request: {
      method: 'POST',
      url: 'https://partner.example/connect',
      headers: { 'content-type': 'application/json' },
      body,
    },
    attempts: [{ n: 1, status: 200, waited_ms: 0, duration_ms: 3 }],
    duration_ms: 3,
    violations: [],
  };
}

function tick(journey: string) {
  return { partner_id: 'acme', journey_id: journey, done: true, at: '2024-05-01T12:00:00.000Z' };
}

/** Opens, expects a StoreError of `code`, and checks the file and directory were left exactly as they were. */
async function expectRefused(content: string, code: StoreError['code']): Promise<StoreError> {
  await writeFile(file, content);
  const before = await readFile(file);
  const err = await openLowdbStore(dir).then(
    () => {
      throw new Error('expected the store to refuse the file');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  const storeErr = err as StoreError;
  expect(storeErr.code).toBe(code);
  expect(storeErr.file).toBe(file);
  expect(storeErr.message).toContain(`Failed to open the pcsim state file ${file}: `);
  expect(storeErr.message).toContain('Expected ');
  expect(storeErr.message).toContain('The file was left untouched.');
  expect((await readFile(file)).equals(before)).toBe(true);
  expect(await readdir(dir)).toEqual(['pcsim.json']);
  return storeErr;
}

describe('openLowdbStore: a new file', () => {
  test('a missing file starts from the empty state and is written on the first update', async () => {
    const store = await openLowdbStore(dir);
    expect(store.read()).toEqual(emptyState());
    expect(await readdir(dir)).toEqual([]);
    await store.update((s) => {
      s.checklist.push(tick('j1'));
    });
    const text = await readFile(file, 'utf8');
    // One record per line (store/snapshot.ts), the native-JSON mark last.
    expect(text).toMatch(/^\{"version":1,/);
    expect(text).toContain('\n"checklist":[\n{"partner_id":"acme","journey_id":"j1",');
    expect(text).toMatch(/,\n"wal_mark":"\\u0000[0-9a-f]{12}:","wal_native":true\}\n$/);
    expect(parseJson(text)).toMatchObject({ ...emptyState(), checklist: [tick('j1')], wal_seq: 1, wal_native: true }); // the log position it covers
    expect(await readDurableState(dir)).toEqual({ ...emptyState(), checklist: [tick('j1')] });
    expect(await readdir(dir)).toEqual(['pcsim.json']); // no temp file left behind
    await store.close();
  });

  test('creates the data directory when it is missing', async () => {
    const nested = path.join(dir, 'a', 'b');
    const store = await openLowdbStore(nested);
    await store.update((s) => {
      s.journal_dropped = 1;
    });
    expect(parseJson(await readFile(path.join(nested, 'pcsim.json'), 'utf8'))).toMatchObject({ journal_dropped: 1 });
  });

  test('refuses a data directory path that is a file', async () => {
    const blocker = path.join(dir, 'blocker');
    await writeFile(blocker, 'x');
    const err = await openLowdbStore(blocker).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('unreadable');
    expect((err as StoreError).message).toMatch(/^Failed to create the pcsim data directory .*blocker: .*Expected /);
    expect(await readFile(blocker, 'utf8')).toBe('x');
  });

  test('refuses a journal limit that is not a non-negative integer', async () => {
    await expect(openLowdbStore(dir, { journalLimit: -1 })).rejects.toThrow(RangeError);
    await expect(openLowdbStore(dir, { journalLimit: 1.5 })).rejects.toThrow(/Expected a non-negative integer/);
  });
});

describe('openLowdbStore: round trip', () => {
  test('int64 strings and bigint values inside journal bodies come back exact', async () => {
    const store = await openLowdbStore(dir);
    await store.update((s) => {
      s.workspaces.push({
        id: '4645065419173783088',
        name: 'ws',
        cloud: 'aws',
        region: 'us-west-2',
        demo: false,
        is_free_trial: false,
        hostname: 'localhost',
        port: 4100,
        catalogs: ['main'],
        external_locations: [],
        created_at: '2024-05-01T12:00:00.000Z',
      });
      s.journal.push(exchange('x1', { workspace_id: BIG, user_id: 9007199254740993n, small: 42, ratio: 0.5 }));
    });
    await store.close();
    // A bigint is written as a string carrying the file's mark (wal_mark) and its digits.
    expect(await readFile(file, 'utf8')).toMatch(/"workspace_id":"\\u0000[0-9a-f]{12}:4645065419173783088"/);

    const reopened = await openLowdbStore(dir);
    const state = reopened.read();
    expect(state.workspaces[0]!.id).toBe('4645065419173783088');
    const body = state.journal[0]!.request.body as Record<string, unknown>;
    expect(body.workspace_id).toBe(BIG);
    expect(typeof body.workspace_id).toBe('bigint');
    expect(body.user_id).toBe(9007199254740993n);
    expect(body.small).toBe(42);
    expect(body.ratio).toBe(0.5);
    await reopened.close();
  });

  test('update resolves only once the change is in the file', async () => {
    const store = await openLowdbStore(dir);
    for (let i = 0; i < 5; i++) {
      await store.update((s) => {
        s.checklist.push(tick(`j${i}`));
      });
      const onDisk = (await readDurableState(dir)) as State;
      expect(onDisk.checklist).toHaveLength(i + 1);
    }
  });

  test('update resolves with the value the change returns', async () => {
    const store = await openLowdbStore(dir);
    await expect(store.update((s) => s.users.length + 10)).resolves.toBe(10);
  });
});

describe('openLowdbStore: files it must refuse', () => {
  test('a file that is not JSON', async () => {
    const err = await expectRefused('{"version": 1, "workspaces": [', 'corrupt');
    expect(err.message).toContain('it is not valid JSON (');
  });

  test('an empty file', async () => {
    await expectRefused('', 'corrupt');
  });

  test('a file from a newer pcsim', async () => {
    const err = await expectRefused(
      JSON.stringify({ ...emptyState(), version: STATE_VERSION + 1 }, null, 2),
      'newer_version',
    );
    expect(err.message).toContain(`state version ${STATE_VERSION + 1}`);
    expect(err.message).toContain('upgrade pcsim');
  });

  test('a file whose version is a huge integer', async () => {
    await expectRefused('{"version": 99999999999999999999}', 'newer_version');
  });

  test.each([
    ['an array', '[]', 'it holds an array, not an object'],
    ['a string', '"hello"', 'it holds a string, not an object'],
    ['null', 'null', 'it holds null, not an object'],
    ['no version', '{"name": "my-app", "dependencies": {}}', 'it has no "version" field'],
    ['a string version', '{"version": "1"}', 'not a positive integer'],
    ['version 0', '{"version": 0}', 'not a positive integer'],
    ['a non-array field', '{"version": 1, "users": {}}', 'its "users" field is an object, not an array'],
    [
      'a non-object element',
      '{"version": 1, "journal": [{}, 3]}',
      'its "journal" field holds a number at index 1, not an object',
    ],
    ['a negative journal_dropped', '{"version": 1, "journal_dropped": -2}', '"journal_dropped"'],
  ])('a JSON file with %s', async (_what, content, problem) => {
    const err = await expectRefused(content, 'invalid');
    expect(err.message).toContain(problem);
    expect(err.message).toContain('it is not a pcsim state: ');
  });

  test('a path it cannot read (a directory named pcsim.json)', async () => {
    await mkdir(file);
    const err = await openLowdbStore(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('unreadable');
    expect((err as StoreError).file).toBe(file);
    expect((err as StoreError).message).toMatch(
      /^Failed to open the pcsim state file .*pcsim\.json: it cannot be read \(.*EISDIR.*\)\. Expected /,
    );
    expect(await readdir(file)).toEqual([]);
  });
});

describe('LowdbStore.update', () => {
  test('100 parallel updates are all applied and persisted, in call order', async () => {
    const store = await openLowdbStore(dir);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        store.update((s) => {
          s.journal.push(exchange(`x${i}`, { n: i, id: BIG + BigInt(i) }));
          return s.journal.length;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const ids = Array.from({ length: 100 }, (_, i) => `x${i}`);
    expect(store.read().journal.map((e) => e.id)).toEqual(ids);
    await store.close();

    const onDisk = (await readDurableState(dir)) as State;
    expect(onDisk.journal.map((e) => e.id)).toEqual(ids);
    const reopened = await openLowdbStore(dir);
    expect(reopened.read().journal.map((e) => e.id)).toEqual(ids);
    expect((reopened.read().journal[99]!.request.body as { id: bigint }).id).toBe(BIG + 99n);
  });

  test('a change that throws leaves the state and the file unchanged, and later changes still run', async () => {
    const store = await openLowdbStore(dir);
    await store.update((s) => {
      s.checklist.push(tick('kept'));
      s.journal.push(exchange('x0', { id: BIG }));
    });
    const fileBefore = await readFile(file);
    const stateBefore = structuredClone(store.read());

    const failing = store.update((s) => {
      s.checklist.push(tick('half'));
      s.journal.splice(0);
      s.journal_dropped = 99;
      throw new Error('change failed halfway');
    });
    const after = store.update((s) => s.checklist.map((t) => t.journey_id));

    await expect(failing).rejects.toThrow('change failed halfway');
    expect(await after).toEqual(['kept']);
    expect(store.read()).toEqual(stateBefore);
    expect((store.read().journal[0]!.request.body as { id: bigint }).id).toBe(BIG);
    await store.close();
    // The later change wrote the same state again: same bytes.
    expect((await readFile(file)).equals(fileBefore)).toBe(true);
  });

  test('a failing first change on a new store leaves no file', async () => {
    const store = await openLowdbStore(dir);
    await expect(
      store.update((s) => {
        s.users.push({
          id: '1',
          email: 'a@b.c',
          first_name: 'A',
          last_name: 'B',
          admin: true,
          workspaces: [],
          created_at: '',
        });
        throw new Error('nope');
      }),
    ).rejects.toThrow('nope');
    expect(store.read()).toEqual(emptyState());
    expect(await readdir(dir)).toEqual([]);
  });

  test('a change that returns a promise is refused and rolled back', async () => {
    const store = await openLowdbStore(dir);
    await expect(
      store.update(async (s) => {
        s.checklist.push(tick('async'));
      }),
    ).rejects.toThrow(/Expected a synchronous change function/);
    expect(store.read().checklist).toEqual([]);
  });

  test('a write that fails rejects with StoreError "unwritable" and rolls the change back', async () => {
    const store = await openLowdbStore(dir);
    await store.update((s) => {
      s.checklist.push(tick('saved'));
    });
    await rm(dir, { recursive: true, force: true }); // the temp file can no longer be created
    const err = await store
      .update((s) => {
        s.checklist.push(tick('lost'));
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('unwritable');
    expect((err as StoreError).message).toMatch(/^Failed to save the pcsim state file .*: .*Expected .*rolled back\.$/);
    expect(store.read().checklist.map((t) => t.journey_id)).toEqual(['saved']);
  });

  test('close waits for pending writes, then refuses updates', async () => {
    const store = await openLowdbStore(dir);
    const pending = Array.from({ length: 10 }, (_, i) =>
      store.update((s) => {
        s.checklist.push(tick(`j${i}`));
      }),
    );
    await store.close();
    const onDisk = (await readDurableState(dir)) as State;
    expect(onDisk.checklist).toHaveLength(10);
    await Promise.all(pending);
    await expect(store.update(() => undefined)).rejects.toThrow(/the store is closed/);
  });
});

describe('journal cap', () => {
  test('drops the oldest entries beyond the limit and counts them, across reopen', async () => {
    const store = await openLowdbStore(dir, { journalLimit: 3 });
    for (let i = 0; i < 5; i++) {
      await store.update((s) => {
        s.journal.push(exchange(`x${i}`));
      });
    }
    expect(store.read().journal.map((e) => e.id)).toEqual(['x2', 'x3', 'x4']);
    expect(store.read().journal_dropped).toBe(2);

    await store.update((s) => {
      for (let i = 5; i < 15; i++) s.journal.push(exchange(`x${i}`));
    });
    expect(store.read().journal.map((e) => e.id)).toEqual(['x12', 'x13', 'x14']);
    expect(store.read().journal_dropped).toBe(12);
    await store.close();

    const onDisk = (await readDurableState(dir)) as State;
    expect(onDisk.journal.map((e) => e.id)).toEqual(['x12', 'x13', 'x14']);
    expect(onDisk.journal_dropped).toBe(12);
  });

  test('defaults to 2000 entries', async () => {
    expect(DEFAULT_JOURNAL_LIMIT).toBe(2000);
    const store = await openLowdbStore(dir);
    expect(store.journalLimit).toBe(2000);
    await store.update((s) => {
      for (let i = 0; i < 2005; i++) s.journal.push(exchange(`x${i}`));
    });
    expect(store.read().journal).toHaveLength(2000);
    expect(store.read().journal[0]!.id).toBe('x5');
    expect(store.read().journal_dropped).toBe(5);
  });

  test('capJournal leaves a journal within the limit alone', () => {
    const s = emptyState();
    s.journal.push(exchange('a'));
    capJournal(s, 1);
    expect(s.journal).toHaveLength(1);
    expect(s.journal_dropped).toBe(0);
    capJournal(s, 0);
    expect(s.journal).toEqual([]);
    expect(s.journal_dropped).toBe(1);
  });
});

describe('migration', () => {
  test('a partial file gets its missing arrays and counter, keeps unknown fields, and is not rewritten on open', async () => {
    const partial = '{\n  "version": 1,\n  "partners": [{"id": "acme", "source": "x"}],\n  "note": "hand-written"\n}';
    await writeFile(file, partial);
    const store = await openLowdbStore(dir);
    const state = store.read();
    expect(state).toEqual({ ...emptyState(), partners: [{ id: 'acme', source: 'x' }], note: 'hand-written' });
    expect(await readFile(file, 'utf8')).toBe(partial);

    await store.update((s) => {
      s.checklist.push(tick('j'));
    });
    const onDisk = (await readDurableState(dir)) as unknown as Record<string, unknown>;
    expect(onDisk).toMatchObject({
      version: 1,
      workspaces: [],
      journal: [],
      journal_dropped: 0,
      note: 'hand-written',
      checklist: [tick('j')],
    });
  });

  test('migrate fills defaults without touching present fields', () => {
    const raw = { version: 1, users: [{ id: '1' }], journal_dropped: 4 };
    const state = migrate(raw);
    expect(state.users).toBe(raw.users);
    expect(state.journal_dropped).toBe(4);
    expect(state.workspaces).toEqual([]);
    expect(state.checklist).toEqual([]);
  });

  test('migrate throws StateShapeError with a code', () => {
    expect(() => migrate({ version: 2 })).toThrow(StateShapeError);
    try {
      migrate({ version: 2 });
    } catch (err) {
      expect((err as StateShapeError).code).toBe('newer_version');
    }
    try {
      migrate({ version: 1, resources: 'x' });
    } catch (err) {
      expect((err as StateShapeError).code).toBe('invalid');
    }
    expect(() => migrate({ version: -5n })).toThrow(/not a positive integer/);
  });
});

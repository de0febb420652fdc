import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { emptyState, type State } from '../../databricks/model.js';
import { ws } from './fixtures.js';
import { openLowdbStore, readDurableState } from '../lowdb.js';
import { stringifyJson } from '../../contract/json.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pcsim-compaction-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const names = (s: Readonly<State>) => s.workspaces.map((w) => w.name);

describe('compaction in the background', () => {
  test('writes go on while pcsim.json is rewritten; every acknowledged change is in what a fresh open reads', async () => {
    const store = await openLowdbStore(dir, { logLimitBytes: 2048 });
    const acked: string[] = [];
    const snapshots: string[] = [];
    for (let i = 0; i < 120; i++) {
      await store.update((s) => {
        s.workspaces.push(ws(i));
        if (i % 7 === 0 && i > 0) s.workspaces[i - 1]!.name = `renamed${i - 1}`; // an in-place edit
      });
      acked.splice(0, acked.length, ...names(store.read()));
      // A crash now, with the background write under way: the directory as a crash would leave it. The
      // compaction removes a segment only after the new pcsim.json is in place, so the logs are copied
      // first (one gone meanwhile is covered by the pcsim.json copied after it).
      if (i % 10 === 5) {
        const copy = path.join(dir, `crash-${i}`);
        await mkdir(copy);
        const files = (await readdir(dir)).filter((f) => f.startsWith('pcsim.'));
        for (const f of [...files.filter((f) => f !== 'pcsim.json'), 'pcsim.json'])
          await cp(path.join(dir, f), path.join(copy, f)).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ENOENT') throw err;
          });
        snapshots.push(copy);
        expect(names(await readDurableState(copy))).toEqual(acked);
      }
    }
    expect(snapshots.length).toBeGreaterThan(5);
    expect(names(await readDurableState(dir))).toEqual(acked);
    // Compactions did run meanwhile: pcsim.json was rewritten well past the first batch.
    await new Promise((r) => setTimeout(r, 50));
    const seq = Number(/"wal_seq":(\d+)/.exec(await readFile(path.join(dir, 'pcsim.json'), 'utf8'))![1]);
    expect(seq).toBeGreaterThan(60);
    await store.close();
    // The background compactions left no segment; a log this short stays for the next start to replay.
    const left = (await readdir(dir)).filter((f) => !f.startsWith('crash-'));
    expect(left.filter((f) => f !== 'pcsim.wal.jsonl')).toEqual(['pcsim.json']);
    expect(names(await readDurableState(dir))).toEqual(acked);
  });

  test('a compaction that fails leaves the log segments, reports it, and loses nothing', async () => {
    const store = await openLowdbStore(dir, { logLimitBytes: 1024 });
    const failures: unknown[] = [];
    store.onCompactionError = (err) => failures.push(err);
    await store.update((s) => void s.workspaces.push(ws(0))); // creates pcsim.json
    await mkdir(path.join(dir, '.pcsim.json.tmp')); // the snapshot's temp file cannot be opened
    for (let i = 1; i < 40; i++) await store.update((s) => void s.workspaces.push(ws(i)));
    await new Promise((r) => setTimeout(r, 50));
    expect(failures.length).toBeGreaterThan(0);
    expect((await readdir(dir)).some((f) => /^pcsim\.wal\.\d+\.jsonl$/.test(f))).toBe(true);
    expect(names(await readDurableState(dir))).toHaveLength(40);
    await rm(path.join(dir, '.pcsim.json.tmp'), { recursive: true });
    await store.close();
    expect(names(await readDurableState(dir))).toEqual(Array.from({ length: 40 }, (_, i) => `w${i}`));
  });

  test('a log that cannot be set aside fails no update: the batch is on disk, the log goes on', async () => {
    const store = await openLowdbStore(dir, { logLimitBytes: 1 });
    const failures: unknown[] = [];
    store.onCompactionError = (err) => failures.push(err);
    await store.update((s) => void s.workspaces.push(ws(0))); // seq 1: pcsim.json
    // Seq 2 goes to the log, then the log would be set aside as pcsim.wal.2.jsonl: a directory is in the way.
    await mkdir(path.join(dir, 'pcsim.wal.2.jsonl', 'blocker'), { recursive: true });
    await expect(store.update((s) => void s.workspaces.push(ws(1)))).resolves.toBeUndefined();
    expect(failures).toHaveLength(1);
    await store.update((s) => void s.workspaces.push(ws(2)));
    await rm(path.join(dir, 'pcsim.wal.2.jsonl'), { recursive: true });
    expect(names(await readDurableState(dir))).toEqual(['w0', 'w1', 'w2']);
    await store.close();
    expect(names(await readDurableState(dir))).toEqual(['w0', 'w1', 'w2']);
  });

  // An older pcsim wrote the whole state pretty-printed, exactly (bigints as integer literals).
  test("an older pcsim's pretty-printed file is read exactly and rewritten in the current layout", async () => {
    const state: State = { ...emptyState(), workspaces: [ws(1), ws(2)] };
    state.journal.push({ id: 'x', request: { body: { workspace_id: 9007199254740993n } } } as never);
    await writeFile(path.join(dir, 'pcsim.json'), `${stringifyJson(state, 2)}\n`);
    const store = await openLowdbStore(dir);
    expect(names(store.read())).toEqual(['w1', 'w2']);
    await store.close();
    const text = await readFile(path.join(dir, 'pcsim.json'), 'utf8');
    expect(text).toMatch(/"wal_native":true\}\n$/);
    const again = await readDurableState(dir);
    expect(names(again)).toEqual(['w1', 'w2']);
    expect((again.journal[0]!.request.body as { workspace_id: bigint }).workspace_id).toBe(9007199254740993n);
  });

  test('a bigint outside the journal (wal_native false) and a string that looks like a mark come back exact', async () => {
    const store = await openLowdbStore(dir);
    await store.update((s) => {
      s.workspaces.push({ ...ws(1), name: '\u0000abcdefabcdef:123' });
      (s as unknown as Record<string, unknown>).extra = [{ big: 18446744073709551615n }];
    });
    await store.close();
    const text = await readFile(path.join(dir, 'pcsim.json'), 'utf8');
    expect(text).toMatch(/"wal_native":false\}\n$/);
    const again = await readDurableState(dir);
    expect(again.workspaces[0]!.name).toBe('\u0000abcdefabcdef:123');
    expect((again as unknown as { extra: Array<{ big: bigint }> }).extra[0]!.big).toBe(18446744073709551615n);
  });
});

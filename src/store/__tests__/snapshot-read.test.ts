/**
 * pcsim.json read as a stream of lines: what snapshotText writes comes back equal whatever the
 * chunk and batch sizes (lines cut across reads, multi-byte characters split, a line longer than
 * the buffer), and a broken line is named with its number and collection.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { emptyState, type State } from '../../databricks/model.js';
import { readSnapshot } from '../snapshot-read.js';
import { snapshotText } from '../snapshot.js';
import { ws } from './fixtures.js';

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(path.join(tmpdir(), 'pcsim-snapshot-read-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function roundTrip(state: State, sizes?: { chunk: number; batch: number }) {
  const file = path.join(dir, `s${Math.random()}.json`);
  await writeFile(file, snapshotText(state, 7));
  const read = await readSnapshot(file, sizes);
  await rm(file);
  return read!;
}

/** Text that stresses the reader: newlines and quotes (escaped), brackets, multi-byte characters. */
const tricky = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom(']', '],', '\n]\n', '"wal_mark":', 'é€😀', ',\n"x":['),
);

const stateOf = (names: string[], bodies: unknown[]): State => ({
  ...emptyState(),
  workspaces: names.map((name, i) => ({ ...ws(i), name })),
  journal: bodies.map((body, i) => ({ id: `x${i}`, body }) as unknown as State['journal'][number]),
});

describe('readSnapshot', () => {
  it('reads back what was written, whatever the chunk and batch sizes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(tricky, { maxLength: 30 }),
        fc.array(fc.oneof(tricky, fc.bigInt({ min: 2n ** 60n, max: 2n ** 63n })), { maxLength: 5 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 200 }),
        async (names, bodies, chunk, batch) => {
          const state = stateOf(names, bodies);
          const read = await roundTrip(state, { chunk, batch });
          expect(read.current).toBe(true);
          expect(read.value).toEqual({ ...state, wal_seq: 7 });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads a record longer than its buffer, and many records across batches', async () => {
    const state = stateOf(
      Array.from({ length: 500 }, (_, i) => `w${i}`),
      ['x'.repeat(3 << 20), 12345678901234567890n],
    );
    const read = await roundTrip(state);
    expect(read.value).toEqual({ ...state, wal_seq: 7 });
    expect((read.value as State).journal[1]!).toEqual({ id: 'x1', body: 12345678901234567890n });
  });

  it('reads a hand-edited file: blank lines, indentation, \\r\\n inside', async () => {
    const state = stateOf(['a', 'b', 'c'], ['x', 12345678901234567890n]);
    const lines = snapshotText(state, 7).split('\n');
    const edited = lines
      .map((l, i) => (i === 0 || i >= lines.length - 2 ? l : `  ${l}\r`))
      .flatMap((l, i) => (i % 3 === 1 ? [l, '', '\t '] : [l]))
      .join('\n');
    const file = path.join(dir, 'edited.json');
    await writeFile(file, edited);
    expect((await readSnapshot(file, { chunk: 32, batch: 10 }))!.value).toEqual({ ...state, wal_seq: 7 });
  });

  it('names the line and the collection of a record that does not parse', async () => {
    const file = path.join(dir, 'broken.json');
    const text = snapshotText(stateOf(['a', 'b', 'c'], []), 0).replace('"name":"b"', '"name":b"');
    await writeFile(file, text);
    const line = text.split('\n').findIndex((l) => l.includes('"name":b"')) + 1;
    await expect(readSnapshot(file, { chunk: 16, batch: 1000 })).rejects.toThrow(
      new RegExp(`^line ${line}: in its "workspaces" collection: `),
    );
  });

  it('refuses a line it does not expect, and a file cut before its end', async () => {
    const file = path.join(dir, 'odd.json');
    const text = snapshotText(stateOf(['a'], []), 0);
    await writeFile(file, text.replace('\n"users":[]', '\n"users":{}'));
    await expect(readSnapshot(file)).rejects.toThrow(/expected a collection \("name":\[\), found "\\"users\\":\{\},"/);
    const cut = text.split('\n');
    await writeFile(file, [...cut.slice(0, 3), ...cut.slice(-2)].join('\n'));
    await expect(readSnapshot(file)).rejects.toThrow(SyntaxError);
  });

  it('is null when there is no file', async () => {
    expect(await readSnapshot(path.join(dir, 'none.json'))).toBeNull();
  });
});

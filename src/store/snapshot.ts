/**
 * pcsim.json, the snapshot of the state the write-ahead log starts from. Its layout is made for
 * a fast read and a write that never blocks for long:
 *
 *     {"version":1,"journal_dropped":0,"wal_seq":12,
 *     "workspaces":[
 *     {…one record per line…},
 *     {…}
 *     ],
 *     …the other collections…,
 *     "journal":[
 *     {…}
 *     ],
 *     "wal_mark":"\u0000…:","wal_native":true}
 *
 * - int64 ids in the state are decimal strings; the one place integers beyond 2^53 live as bigint
 *   is partners' bodies in the journal and the activity. A bigint is written as a string: a mark
 *   this file names at its end (`wal_mark`, a NUL and 12 random characters) and its digits. So
 *   the whole file is read with the native JSON.parse, and the journal and activity are walked to
 *   turn marked strings back into bigint; `wal_native: false` says a bigint sits elsewhere too,
 *   and that part is walked as well.
 * - It is written in chunks of records (`snapshotChunks`): a write at 100k connections hands the
 *   event loop back between chunks instead of holding it for seconds.
 * - It is read as a stream of lines (store/snapshot-read.ts); a file of an older pcsim
 *   (pretty-printed JSON) is still read, exactly.
 */
import { open, rename } from 'node:fs/promises';
import path from 'node:path';
import { bigintMark, bigintReplacer } from '../contract/json.js';
import type { State } from '../databricks/model.js';

export const STATE_FILE_NAME = 'pcsim.json';

/** Written last and read exactly: their entries carry partners' bodies. */
export const LOG_FIELDS = ['journal', 'activity'] as const;
/**
 * How the file ends: the mark its bigints carry, and whether only the journal and activity hold
 * any (blanks allowed around it: a hand-edited file may indent or end its lines in \r\n).
 */
export const END = /\s"wal_mark":\s*("\\u0000[0-9a-f]{12}:"),\s*"wal_native":\s*(true|false)\s*\}\s*$/;
/** Records per chunk: ~0.3 MB of JSON, a few ms of the event loop. */
const RECORDS_PER_CHUNK = 256;

function* listChunks(key: string, items: readonly unknown[], write: (v: unknown) => string): Generator<string> {
  if (items.length === 0) {
    yield `,\n"${key}":[]`;
    return;
  }
  let out = `,\n"${key}":[\n`;
  for (let i = 0; i < items.length; i++) {
    out += (i > 0 ? ',\n' : '') + write(items[i]);
    if ((i + 1) % RECORDS_PER_CHUNK === 0) {
      yield out;
      out = '';
    }
  }
  yield `${out}\n]`;
}

/**
 * The text of pcsim.json in pieces, for `state` as of log sequence number `seq`. The arrays are
 * read as the generator goes: to write a state that keeps changing, give it shallow copies.
 */
export function* snapshotChunks(state: State, seq: number): Generator<string> {
  const mark = bigintMark();
  let native = true;
  const inState = bigintReplacer(mark, () => void (native = false));
  const inLog = bigintReplacer(mark);
  const record = state as unknown as Record<string, unknown>;
  const small: Record<string, unknown> = {};
  const lists: Array<[string, unknown[]]> = [];
  for (const [k, v] of Object.entries(record)) {
    if ((LOG_FIELDS as readonly string[]).includes(k)) continue;
    if (Array.isArray(v)) lists.push([k, v]);
    else small[k] = v;
  }
  small.wal_seq = seq;
  yield `{${JSON.stringify(small, inState).slice(1, -1)}`;
  for (const [k, items] of lists) yield* listChunks(k, items, (v) => JSON.stringify(v, inState));
  for (const k of LOG_FIELDS) {
    const items = record[k];
    if (k !== 'journal' && items === undefined) continue;
    yield* listChunks(k, Array.isArray(items) ? items : [], (v) => JSON.stringify(v, inLog));
  }
  yield `,\n"wal_mark":${JSON.stringify(mark)},"wal_native":${native}}\n`;
}

/** The whole text at once (tests, benchmarks, a small state). */
export function snapshotText(state: State, seq: number): string {
  let text = '';
  for (const chunk of snapshotChunks(state, seq)) text += chunk;
  return text;
}

/**
 * Writes the chunks to `file` atomically and durably: a temp file, fsync, rename, fsync of the
 * directory. Each chunk is awaited, so other work runs between them.
 */
export async function writeChunksDurably(file: string, chunks: Iterable<string>): Promise<number> {
  const tmp = `${path.join(path.dirname(file), `.${path.basename(file)}`)}.tmp`;
  const fh = await open(tmp, 'w');
  let bytes = 0;
  try {
    for (const chunk of chunks) {
      await fh.write(chunk);
      bytes += chunk.length;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await syncDir(path.dirname(file));
  return bytes;
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined); // not every file system syncs a directory
  await fh.close();
}

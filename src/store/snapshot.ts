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
 *     "wal_native":true}
 *
 * - Every collection but the journal and the activity (whose entries carry partners' bodies, with
 *   int64 integers as bigint) holds ids as decimal strings, so that part is read with one
 *   JSON.parse. `wal_native` says it holds no integer a double cannot: when false, it is read
 *   exactly, slower. The journal and the activity are always read exactly.
 * - It is written in chunks of records (`snapshotChunks`): a write at 100k connections hands the
 *   event loop back between chunks instead of holding it for seconds.
 * - A file of an older pcsim (pretty-printed JSON) is still read, exactly.
 */
import { open, rename } from 'node:fs/promises';
import path from 'node:path';
import { parseExactJson, parseJson, stringifyExactJson, stringifyJson } from '../contract/json.js';
import type { State } from '../databricks/model.js';

export const STATE_FILE_NAME = 'pcsim.json';

/** Written last and read exactly: their entries carry partners' bodies. */
const LOG_FIELDS = ['journal', 'activity'] as const;
const TAIL_AT = ',\n"journal":[';
const NATIVE_END = ',\n"wal_native":true}\n';
const EXACT_END = ',\n"wal_native":false}\n';
/** Records per chunk: ~0.3 MB of JSON, a few ms of the event loop. */
const RECORDS_PER_CHUNK = 256;

/** JSON.stringify where it is exact; `inexact()` is called when a bigint made it write exactly. */
function line(value: unknown, inexact: () => void): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof TypeError && /BigInt/i.test(err.message))) throw err;
    inexact();
    return stringifyExactJson(value);
  }
}

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
  let native = true;
  const inexact = () => void (native = false);
  const record = state as unknown as Record<string, unknown>;
  const small: Record<string, unknown> = {};
  const lists: Array<[string, unknown[]]> = [];
  for (const [k, v] of Object.entries(record)) {
    if ((LOG_FIELDS as readonly string[]).includes(k)) continue;
    if (Array.isArray(v)) lists.push([k, v]);
    else small[k] = v;
  }
  small.wal_seq = seq;
  yield `{${line(small, inexact).slice(1, -1)}`;
  for (const [k, items] of lists) yield* listChunks(k, items, (v) => line(v, inexact));
  for (const k of LOG_FIELDS) {
    const items = record[k];
    if (k !== 'journal' && items === undefined) continue;
    yield* listChunks(k, Array.isArray(items) ? items : [], (v) => stringifyExactJson(v));
  }
  yield native ? NATIVE_END : EXACT_END;
}

/** The whole text at once (tests, benchmarks, a small state). */
export function snapshotText(state: State, seq: number): string {
  let text = '';
  for (const chunk of snapshotChunks(state, seq)) text += chunk;
  return text;
}

/** An integer literal a double cannot hold (outside a string): the text needs the exact parser. */
const UNSAFE_INTEGER = /(?<![\w."\\])-?\d{16,}/;
/** Exact JSON, natively when no integer needs more than a double. */
export function parseExact(text: string): unknown {
  return UNSAFE_INTEGER.test(text) ? parseExactJson(text) : JSON.parse(text);
}

/** Parses pcsim.json: this layout fast, an older pcsim's pretty-printed file exactly. */
export function parseSnapshot(text: string): unknown {
  const native = text.endsWith(NATIVE_END);
  const at = native || text.endsWith(EXACT_END) ? text.lastIndexOf(TAIL_AT) : -1;
  if (at > 0) {
    const headText = `${text.slice(0, at)}}`;
    const head = (native ? JSON.parse(headText) : parseExactJson(headText)) as Record<string, unknown>;
    const tail = parseExactJson(`{${text.slice(at + 2)}`) as Record<string, unknown>;
    delete tail.wal_native;
    return Object.assign(head, tail);
  }
  return parseOlderLayout(text);
}

/** pcsim before the chunked layout: pretty-printed, the journal and activity last (or any JSON). */
function parseOlderLayout(text: string): unknown {
  const at = text.lastIndexOf(',\n  "journal": ');
  if (at > 0 && text.startsWith('{')) {
    try {
      const head = parseExact(`${text.slice(0, at)}\n}`) as Record<string, unknown>;
      const tail = parseJson(`{${text.slice(at + 1)}`) as Record<string, unknown>;
      return { ...head, ...tail };
    } catch {
      // not that layout after all: the general parser below says what is wrong
    }
  }
  return parseExact(text);
}

/** Whether `text` is in the current layout (an older one is rewritten at the next compaction). */
export function isCurrentLayout(text: string): boolean {
  return text.endsWith(NATIVE_END) || text.endsWith(EXACT_END);
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

export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined); // not every file system syncs a directory
  await fh.close();
}

/** Kept for callers that wrote the older layout by hand (tests of the upgrade path). */
export function olderLayoutText(state: State): string {
  return `${stringifyJson(state, 2)}\n`;
}

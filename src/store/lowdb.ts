/**
 * The persistent store of `pcsim serve`, in `${dir}`:
 *
 * - `pcsim.json`: the whole state, pretty-printed (kept by lowdb). The small collections are
 *   written with JSON.stringify; the journal and the activity (whose bodies may hold int64
 *   integers as bigint) go last, written losslessly (contract/json.ts), so a read parses the
 *   big part natively and only the journal losslessly. int64 ids in the state are decimal strings.
 * - `pcsim.wal.jsonl`: the write-ahead log, one line per committed batch: the ops of each change
 *   (appends, front trims, edited records, replaced fields) as store/tracker.ts noted them. A
 *   write costs the size of the change, not of the state.
 * - Group commit: changes run one at a time, in call order; those that arrive while a batch is
 *   being written wait, then go in the next batch together: one append, one fsync, and every
 *   `update` resolves only once its change is on disk (kill -9 loses nothing acknowledged).
 * - Compaction (the log's rotation): when the log outgrows the snapshot (4 MB at least, 16 MB at
 *   most), pcsim.json is rewritten atomically (temp file, fsync, rename) with the sequence
 *   number it covers, and the log starts over. A crash at any point replays what is missing.
 * - A file that pcsim cannot use (unreadable, not JSON, not a pcsim state, a newer version) is
 *   refused with a StoreError and never written to: the store is not opened at all.
 *
 * Rollback: a change that throws is undone by the tracker's undo log; a batch whose write fails
 * is undone whole, newest change first, and each of its updates rejects with "unwritable".
 */
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { parseJson, stringifyJson } from '../contract/json.js';
import { emptyState, STATE_VERSION, type State } from '../databricks/model.js';
import { reasonOf, StoreError } from './errors.js';
import { applyOps, track, type Op } from './tracker.js';
import { capJournal, DEFAULT_JOURNAL_LIMIT } from './journal-cap.js';
import type { Store } from './types.js';

export const STATE_FILE_NAME = 'pcsim.json';
export { capJournal, DEFAULT_JOURNAL_LIMIT };

export interface LowdbStoreOptions {
  /** Keep at most this many journal entries; older ones are dropped and counted in journal_dropped. */
  journalLimit?: number;
}

const LEFT_UNTOUCHED = 'The file was left untouched.';
const MOVE_AWAY = 'move it away or pass another --data directory';

/* ------------------------------------------------------------------------------------------ */
/* Migration                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/** Why a parsed file is not a usable state; turned into a StoreError naming the file. */
export class StateShapeError extends Error {
  override name = 'StateShapeError';
  constructor(
    readonly code: 'invalid' | 'newer_version',
    message: string,
  ) {
    super(message);
  }
}

/** The array fields of State, filled with [] when a file lacks them. */
const ARRAY_FIELDS = ['workspaces', 'users', 'partners', 'connections', 'resources', 'journal', 'checklist'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'bigint' || typeof value === 'number') return 'a number';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * Turns a parsed state file into a State, or throws StateShapeError.
 *
 * Checked: a JSON object; `version` a positive integer no greater than STATE_VERSION (a file
 * without one is refused, so a stray JSON file is never taken for a state and overwritten);
 * each known array field, if present, an array of objects; `journal_dropped`, if present, a
 * non-negative integer. Filled in: missing array fields ([]), a missing `journal_dropped` (0).
 * Unknown top-level fields are kept as they are. Elements are not checked field by field.
 *
 * Versions: there is only version 1 so far. When STATE_VERSION moves to 2, add a step here
 * that rewrites a version-1 object into version 2 before the checks, and set `version`.
 */
export function migrate(raw: unknown): State {
  if (!isPlainObject(raw)) throw new StateShapeError('invalid', `it holds ${describe(raw)}, not an object`);
  const version = raw.version;
  if (version === undefined) throw new StateShapeError('invalid', 'it has no "version" field');
  if (
    (typeof version === 'bigint' && version > 0n) ||
    (typeof version === 'number' && Number.isInteger(version) && version > STATE_VERSION)
  ) {
    throw new StateShapeError(
      'newer_version',
      `it was written by a newer pcsim (state version ${String(version)}; this pcsim reads up to version ${STATE_VERSION})`,
    );
  }
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new StateShapeError(
      'invalid',
      `its "version" is ${JSON.stringify(typeof version === 'number' ? version : String(version))}, not a positive integer`,
    );
  }
  const state: Record<string, unknown> = { ...raw, version: STATE_VERSION };
  for (const field of ARRAY_FIELDS) {
    const value = raw[field];
    if (value === undefined) {
      state[field] = [];
      continue;
    }
    if (!Array.isArray(value))
      throw new StateShapeError('invalid', `its "${field}" field is ${describe(value)}, not an array`);
    const bad = value.findIndex((item) => !isPlainObject(item));
    if (bad >= 0)
      throw new StateShapeError(
        'invalid',
        `its "${field}" field holds ${describe(value[bad])} at index ${bad}, not an object`,
      );
  }
  const dropped = raw.journal_dropped;
  if (dropped === undefined) state.journal_dropped = 0;
  else if (typeof dropped !== 'number' || !Number.isSafeInteger(dropped) || dropped < 0) {
    throw new StateShapeError(
      'invalid',
      `its "journal_dropped" field is ${describe(dropped)} (${String(dropped)}), not a non-negative integer`,
    );
  }
  return state as unknown as State;
}

/* ------------------------------------------------------------------------------------------ */
/* The files                                                                                   */
/* ------------------------------------------------------------------------------------------ */

function openFailure(
  code: StoreError['code'],
  file: string,
  problem: string,
  expected: string,
  cause?: unknown,
): StoreError {
  return new StoreError(
    code,
    file,
    `Failed to open the pcsim state file ${file}: ${problem}. Expected ${expected}. ${LEFT_UNTOUCHED}`,
    { cause },
  );
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

/** An integer literal a double cannot hold (outside a string): the text needs the lossless parser. */
const UNSAFE_INTEGER = /(?<![\w."\\])-?\d{16,}/;
/** JSON.parse where it is exact (no integer beyond 2^53), the lossless parser otherwise. */
export function parseExact(text: string): unknown {
  return UNSAFE_INTEGER.test(text) ? parseJson(text) : JSON.parse(text);
}

/** JSON.stringify where it can (no bigint), the lossless writer otherwise. */
function stringifyExact(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value, null, indent);
  } catch (err) {
    if (err instanceof TypeError && /BigInt/i.test(err.message)) return stringifyJson(value, indent);
    throw err;
  }
}

/** The fields written last and losslessly: their entries carry partners' bodies. */
const LOG_FIELDS = ['journal', 'activity'] as const;
const TAIL_MARK = '\n  "journal": ';

/** The text of pcsim.json: the state, its big collections natively, the journal and activity losslessly. */
export function snapshotText(state: State, seq: number): string {
  const small: Record<string, unknown> = { ...state, wal_seq: seq };
  for (const k of LOG_FIELDS) delete small[k];
  const head = stringifyExact(small, 2);
  const tail = LOG_FIELDS.filter((k) => k === 'journal' || state[k] !== undefined).map(
    (k) => `\n  "${k}": ${stringifyJson(state[k] ?? [], 2).replace(/\n/g, '\n  ')}`,
  );
  return `${head.slice(0, -2)},${tail.join(',')}\n}\n`;
}

/** Parses pcsim.json as snapshotText wrote it (fast), or any JSON state file (older pcsim: lossless). */
function parseSnapshot(text: string): unknown {
  const at = text.lastIndexOf(`,${TAIL_MARK}`);
  if (at > 0 && text.startsWith('{')) {
    try {
      const head = parseExact(`${text.slice(0, at)}\n}`) as Record<string, unknown>;
      const tail = parseJson(`{${text.slice(at + 1)}`) as Record<string, unknown>;
      return { ...head, ...tail };
    } catch {
      // not our layout after all: the general parser below says what is wrong
    }
  }
  return parseExact(text);
}

async function writeDurably(file: string, text: string): Promise<void> {
  const tmp = `${path.join(path.dirname(file), `.${path.basename(file)}`)}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await syncDir(path.dirname(file));
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined); // not every file system syncs a directory
  await fh.close();
}

/** The snapshot as lowdb's adapter: read with checks (refusing what is not ours), written durably. */
class StateFile implements Adapter<State> {
  /** The log sequence number the snapshot read covers. */
  seq = 0;
  bytes = 0;
  exists = false;
  constructor(readonly file: string) {}

  async read(): Promise<State | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return null;
      throw openFailure(
        'unreadable',
        this.file,
        `it cannot be read (${reasonOf(err)})`,
        `a readable regular file written by pcsim; fix its permissions, ${MOVE_AWAY}`,
        err,
      );
    }
    let raw: unknown;
    try {
      raw = parseSnapshot(text);
    } catch (err) {
      throw openFailure(
        'corrupt',
        this.file,
        `it is not valid JSON (${reasonOf(err)})`,
        `a file written by pcsim; ${MOVE_AWAY}`,
        err,
      );
    }
    let state: State;
    try {
      state = migrate(raw);
    } catch (err) {
      if (err instanceof StateShapeError && err.code === 'newer_version') {
        throw openFailure(
          'newer_version',
          this.file,
          err.message,
          `state version ${STATE_VERSION} or lower; upgrade pcsim, or ${MOVE_AWAY}`,
          err,
        );
      }
      throw openFailure(
        'invalid',
        this.file,
        `it is not a pcsim state: ${reasonOf(err)}`,
        `a file written by pcsim (an object with "version": ${STATE_VERSION} and arrays "workspaces", "users", "partners"…); ${MOVE_AWAY}`,
        err,
      );
    }
    const record = state as unknown as Record<string, unknown>;
    this.seq = typeof record.wal_seq === 'number' ? record.wal_seq : 0;
    delete record.wal_seq;
    this.bytes = text.length;
    this.exists = true;
    return state;
  }

  async write(state: State, seq = 0): Promise<void> {
    const text = snapshotText(state, seq);
    await writeDurably(this.file, text);
    this.seq = seq;
    this.bytes = text.length;
    this.exists = true;
  }
}

/** Reads the log: the batches after `seq`, in order. A torn last line (a crash mid-append) is ignored. */
async function readLog(
  file: string,
  seq: number,
): Promise<{ batches: Array<{ seq: number; ops: Op[] }>; bytes: number }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { batches: [], bytes: 0 };
    throw openFailure(
      'unreadable',
      file,
      `it cannot be read (${reasonOf(err)})`,
      `a readable regular file written by pcsim; fix its permissions, ${MOVE_AWAY}`,
      err,
    );
  }
  const lines = text.split('\n');
  const batches: Array<{ seq: number; ops: Op[] }> = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    let entry: { seq: number; ops: Op[] };
    try {
      entry = parseExact(line) as { seq: number; ops: Op[] };
    } catch (err) {
      if (i >= lines.length - 2) break; // the last line, cut by a crash: never acknowledged
      throw openFailure(
        'corrupt',
        file,
        `line ${i + 1} is not valid JSON (${reasonOf(err)})`,
        `a log written by pcsim; ${MOVE_AWAY}`,
        err,
      );
    }
    if (entry.seq > seq) batches.push(entry);
  }
  return { batches, bytes: text.length };
}

/* ------------------------------------------------------------------------------------------ */
/* The store                                                                                   */
/* ------------------------------------------------------------------------------------------ */

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

export const LOG_FILE_NAME = 'pcsim.wal.jsonl';
const MIN_LOG_BYTES = 4 * 1024 * 1024;
const MAX_LOG_BYTES = 16 * 1024 * 1024;

interface Pending {
  change: (state: State) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class LowdbStore implements Store {
  readonly file: string;
  readonly logFile: string;
  readonly journalLimit: number;
  readonly #db: Low<State>;
  readonly #adapter: StateFile;
  #queue: Pending[] = [];
  #running: Promise<void> | undefined;
  #seq: number;
  #logBytes: number;
  #closed = false;
  /** The top-level fields the last change modified (ObservableStore reads it inside the change). */
  lastChanged: readonly string[] = [];

  /** Use openLowdbStore: a store must be read before use. */
  private constructor(adapter: StateFile, db: Low<State>, journalLimit: number, seq: number, logBytes: number) {
    this.#adapter = adapter;
    this.#db = db;
    this.file = adapter.file;
    this.logFile = path.join(path.dirname(adapter.file), LOG_FILE_NAME);
    this.journalLimit = journalLimit;
    this.#seq = seq;
    this.#logBytes = logBytes;
  }

  /** @internal */
  static async open(file: string, journalLimit: number): Promise<LowdbStore> {
    const adapter = new StateFile(file);
    const db = new Low<State>(adapter, emptyState());
    await db.read();
    const log = await readLog(path.join(path.dirname(file), LOG_FILE_NAME), adapter.seq);
    let seq = adapter.seq;
    for (const b of log.batches) {
      applyOps(db.data as unknown as Record<string, unknown>, b.ops);
      seq = b.seq;
    }
    return new LowdbStore(adapter, db, journalLimit, seq, log.bytes);
  }

  read(): Readonly<State> {
    return this.#db.data;
  }

  update<T>(change: (state: State) => T): Promise<T> {
    if (this.#closed) {
      return Promise.reject(
        new Error(
          `Failed to update the pcsim state file ${this.file}: the store is closed. Expected every update to be made before close().`,
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ change, resolve: resolve as (v: unknown) => void, reject });
      this.#running ??= this.#drain();
    });
  }

  /** Waits for pending changes to be written; later updates are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running) await this.#running;
    // The next start reads one file instead of replaying the log.
    if (this.#logBytes > 0) await this.compact().catch(() => undefined);
  }

  /** Commits batches until the queue is empty. */
  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) await this.#commit(this.#queue.splice(0));
    } finally {
      this.#running = undefined;
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    const state = this.#db.data;
    const done: Array<{ p: Pending; result: unknown; undo: () => void }> = [];
    const ops: Op[] = [];
    for (const p of batch) {
      try {
        const t = track(state, (s) => {
          const out = p.change(s);
          if (isThenable(out)) {
            Promise.resolve(out).catch(() => undefined); // its later failure is not ours to report
            throw new TypeError(
              `Failed to update the pcsim state file ${this.file}: the change returned a promise. Expected a synchronous change function; do the async work first, then update.`,
            );
          }
          capJournal(s, this.journalLimit);
          return out;
        });
        this.lastChanged = t.changed;
        ops.push(...t.ops());
        done.push({ p, result: t.result, undo: t.undo });
      } catch (err) {
        this.lastChanged = [];
        p.reject(err);
      }
    }
    if (ops.length > 0) {
      try {
        await this.#persist(ops);
      } catch (err) {
        for (let i = done.length - 1; i >= 0; i--) done[i]!.undo();
        const e = new StoreError(
          'unwritable',
          this.file,
          `Failed to save the pcsim state file ${this.file}: ${reasonOf(err)}. Expected a writable directory with free space; the change was rolled back.`,
          { cause: err },
        );
        for (const d of done) d.p.reject(e);
        return;
      }
    }
    for (const d of done) d.p.resolve(d.result);
  }

  /** Makes `ops` durable: the first write creates pcsim.json, later ones append to the log. */
  async #persist(ops: Op[]): Promise<void> {
    const seq = this.#seq + 1;
    if (!this.#adapter.exists) {
      await this.#adapter.write(this.#db.data, seq);
      this.#seq = seq;
      return;
    }
    const line = `${stringifyExact({ seq, ops })}\n`;
    const fh = await open(this.logFile, 'a');
    try {
      await fh.writeFile(line);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    this.#seq = seq;
    this.#logBytes += line.length;
    const limit = Math.min(MAX_LOG_BYTES, Math.max(MIN_LOG_BYTES, this.#adapter.bytes));
    if (this.#logBytes > limit) await this.compact();
  }

  /** Rewrites pcsim.json with everything so far and starts the log over. */
  async compact(): Promise<void> {
    await this.#adapter.write(this.#db.data, this.#seq);
    await rm(this.logFile, { force: true });
    this.#logBytes = 0;
  }
}

/** The state as a fresh open of `${dir}` would find it (tests, tools): snapshot plus log. */
export async function readDurableState(dir: string): Promise<State> {
  const store = await LowdbStore.open(path.join(dir, STATE_FILE_NAME), Number.MAX_SAFE_INTEGER);
  return store.read() as State;
}

/** How big the files are (bench). */
export async function storeFileSizes(dir: string): Promise<{ snapshot: number; log: number }> {
  const size = (f: string) =>
    stat(path.join(dir, f)).then(
      (s) => s.size,
      () => 0,
    );
  return { snapshot: await size(STATE_FILE_NAME), log: await size(LOG_FILE_NAME) };
}

/** Opens (or prepares, when it does not exist yet) `${dir}/pcsim.json`. Throws StoreError. */
export async function openLowdbStore(dir: string, opts: LowdbStoreOptions = {}): Promise<LowdbStore> {
  const journalLimit = opts.journalLimit ?? DEFAULT_JOURNAL_LIMIT;
  if (!Number.isSafeInteger(journalLimit) || journalLimit < 0) {
    throw new RangeError(
      `Failed to open the pcsim store: journalLimit is ${String(journalLimit)}. Expected a non-negative integer.`,
    );
  }
  const file = path.join(dir, STATE_FILE_NAME);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new StoreError(
      'unreadable',
      file,
      `Failed to create the pcsim data directory ${dir}: ${reasonOf(err)}${errnoCode(err) === 'EEXIST' || errnoCode(err) === 'ENOTDIR' ? ' (a file is in the way)' : ''}. Expected a directory pcsim can write to; pass another --data directory.`,
      { cause: err },
    );
  }
  return LowdbStore.open(file, journalLimit);
}

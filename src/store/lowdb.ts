/**
 * The persistent store of `pcsim serve`, in `${dir}`:
 *
 * - `pcsim.json`: the snapshot (kept by lowdb), in the layout store/snapshot.ts describes: one
 *   record per line, read with one JSON.parse except the journal and the activity (exact: their
 *   bodies may hold int64 integers as bigint). int64 ids in the state are decimal strings.
 * - `pcsim.wal.jsonl`: the write-ahead log (store/wal.ts), one line per committed batch: the ops
 *   of each change (appends, front trims, edited records, replaced fields) as store/tracker.ts
 *   noted them. A write costs the size of the change, not of the state.
 * - Group commit: changes run one at a time, in call order; those that arrive while a batch is
 *   being written wait, then go in the next batch together: one durable append (an O_DSYNC write,
 *   wal.ts), and every `update` resolves only once its change is on disk (kill -9 loses nothing
 *   acknowledged).
 * - Compaction, in the background: when the log outgrows the snapshot (4 MB at least, 16 MB at
 *   most), the log is set aside, and pcsim.json is rewritten from shallow copies of the
 *   collections in chunks, while batches keep being committed to a new log. A crash at any point
 *   replays what the snapshot lacks (docs/decisions/0016).
 * - A file that pcsim cannot use (unreadable, not JSON, not a pcsim state, a newer version) is
 *   refused with a StoreError and never written to: the store is not opened at all.
 *
 * Rollback: a change that throws is undone by the tracker's undo log; a batch whose write fails
 * is undone whole, newest change first, and each of its updates rejects with "unwritable".
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { emptyState, STATE_VERSION, type State } from '../databricks/model.js';
import { reasonOf, StoreError } from './errors.js';
import { capJournal, DEFAULT_JOURNAL_LIMIT } from './journal-cap.js';
import { migrate, StateShapeError } from './migrate.js';
import { readSnapshot, type SnapshotRead } from './snapshot-read.js';
import { snapshotChunks, STATE_FILE_NAME, writeChunksDurably } from './snapshot.js';
import { applyOps, track, type Op } from './tracker.js';
import type { Store } from './types.js';
import { LOG_FILE_NAME, LogLineError, LogWriter, readLogs } from './wal.js';

export { capJournal, DEFAULT_JOURNAL_LIMIT, LOG_FILE_NAME, migrate, StateShapeError, STATE_FILE_NAME };
export { snapshotText } from './snapshot.js';

export interface LowdbStoreOptions {
  /** Keep at most this many journal entries; older ones are dropped and counted in journal_dropped. */
  journalLimit?: number;
  /** Compact once the log passes this many bytes (default: the snapshot's size, within 4–16 MB). Tests set it low. */
  logLimitBytes?: number;
}

const LEFT_UNTOUCHED = 'The file was left untouched.';
const MOVE_AWAY = 'move it away or pass another --data directory';

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

/** The snapshot as lowdb's adapter: read with checks (refusing what is not ours), written durably in chunks. */
class StateFile implements Adapter<State> {
  /** The log sequence number the snapshot read covers. */
  seq = 0;
  bytes = 0;
  exists = false;
  /** False when read in an older pcsim's layout: rewritten in the current one soon after opening. */
  current = true;
  constructor(readonly file: string) {}

  async read(): Promise<State | null> {
    let read: SnapshotRead | null;
    try {
      read = await readSnapshot(this.file);
    } catch (err) {
      if (err instanceof SyntaxError) {
        throw openFailure(
          'corrupt',
          this.file,
          `it is not valid JSON (${reasonOf(err)})`,
          `a file written by pcsim; ${MOVE_AWAY}`,
          err,
        );
      }
      throw openFailure(
        'unreadable',
        this.file,
        `it cannot be read (${reasonOf(err)})`,
        `a readable regular file written by pcsim; fix its permissions, ${MOVE_AWAY}`,
        err,
      );
    }
    if (!read) return null;
    const raw = read.value;
    this.current = read.current;
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
    this.bytes = read.bytes;
    this.exists = true;
    return state;
  }

  async write(state: State, seq = 0): Promise<void> {
    this.bytes = await writeChunksDurably(this.file, snapshotChunks(state, seq));
    this.seq = seq;
    this.exists = true;
    this.current = true;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** The collections as they are now; the records are shared, the arrays are not (see compact()). */
function shallowCopy(state: State): State {
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(state)) copy[k] = Array.isArray(v) ? v.slice() : v;
  return copy as unknown as State;
}

const MIN_LOG_BYTES = 4 * 1024 * 1024;
const MAX_LOG_BYTES = 16 * 1024 * 1024;
const CLOSE_FOLD_BYTES = 1024 * 1024;

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
  readonly #log: LogWriter;
  #queue: Pending[] = [];
  #running: Promise<void> | undefined;
  #compacting: Promise<void> | undefined;
  #seq: number;
  #closed = false;
  /** The top-level fields the last change modified (ObservableStore reads it inside the change). */
  lastChanged: readonly string[] = [];
  /** Called with a background compaction's failure (the log keeps every change meanwhile). */
  onCompactionError: (err: unknown) => void = () => undefined;
  logLimitBytes: number | undefined;

  /** Use openLowdbStore: a store must be read before use. */
  private constructor(adapter: StateFile, db: Low<State>, journalLimit: number, seq: number, logBytes: number) {
    this.#adapter = adapter;
    this.#db = db;
    this.file = adapter.file;
    this.#log = new LogWriter(path.dirname(adapter.file), logBytes);
    this.logFile = this.#log.file;
    this.journalLimit = journalLimit;
    this.#seq = seq;
  }

  /** @internal `compact: false` opens to read only (tests, tools): nothing is written. */
  static async open(file: string, journalLimit: number, opts: { compact?: boolean } = {}): Promise<LowdbStore> {
    const adapter = new StateFile(file);
    const db = new Low<State>(adapter, emptyState());
    await db.read();
    let log;
    try {
      log = await readLogs(path.dirname(file), adapter.seq);
    } catch (err) {
      if (err instanceof LogLineError)
        throw openFailure('corrupt', err.file, err.message, `a log written by pcsim; ${MOVE_AWAY}`, err.cause);
      throw openFailure(
        'unreadable',
        path.join(path.dirname(file), LOG_FILE_NAME),
        `it cannot be read (${reasonOf(err)})`,
        `a readable regular file written by pcsim; fix its permissions, ${MOVE_AWAY}`,
        err,
      );
    }
    let seq = adapter.seq;
    for (const b of log.batches) {
      applyOps(db.data as unknown as Record<string, unknown>, b.ops);
      seq = b.seq;
    }
    const store = new LowdbStore(adapter, db, journalLimit, seq, log.bytes);
    // An older pcsim's layout is rewritten in this one, in the background, so the next start is fast.
    if (!adapter.current && opts.compact !== false) await store.#startCompaction();
    return store;
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
    await this.#compacting;
    // A long log is folded so the next start reads one file; a short one (up to 1 MB) is left for
    // it to replay (milliseconds) rather than rewrite a large state to stop.
    if (this.#log.bytes > CLOSE_FOLD_BYTES) await this.compact().catch(() => undefined);
    await this.#log.close();
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
    await this.#log.append({ seq, ops });
    this.#seq = seq;
    const limit = this.logLimitBytes ?? Math.min(MAX_LOG_BYTES, Math.max(MIN_LOG_BYTES, this.#adapter.bytes));
    if (this.#log.bytes > limit && !this.#compacting) await this.#startCompaction();
  }

  /**
   * Sets the log aside at the current sequence number and starts writing pcsim.json, in the
   * background, from shallow copies of the collections as they are at that number. Called
   * between batches (inside the commit loop, or before the store is handed out), so no append
   * runs during the copy and the rotation. Records edited later may be written newer than that:
   * harmless, since every edit after it is in the new log, and replaying it gives each record its
   * final value.
   */
  async #startCompaction(): Promise<void> {
    const seq = this.#seq;
    const copy = shallowCopy(this.#db.data);
    try {
      await this.#log.rotate(seq);
    } catch (err) {
      // The batch that got here is on disk already: a failed rotation must not fail it. The log goes
      // on where it was; the next threshold tries again.
      this.onCompactionError(err);
      return;
    }
    this.#compacting = (async () => {
      await this.#adapter.write(copy, seq);
      await this.#log.dropCovered(seq, false);
    })()
      .catch((err: unknown) => this.onCompactionError(err)) // the segments stay: nothing is lost
      .finally(() => (this.#compacting = undefined));
  }

  /** Rewrites pcsim.json with everything so far and starts the log over (close, tests). */
  async compact(): Promise<void> {
    while (this.#running) await this.#running;
    await this.#compacting;
    await this.#adapter.write(this.#db.data, this.#seq);
    await this.#log.dropCovered(this.#seq, true);
  }
}

/** The state as a fresh open of `${dir}` would find it (tests, tools): snapshot plus log. */
export async function readDurableState(dir: string): Promise<State> {
  const store = await LowdbStore.open(path.join(dir, STATE_FILE_NAME), Number.MAX_SAFE_INTEGER, { compact: false });
  return store.read() as State;
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
  const store = await LowdbStore.open(file, journalLimit);
  store.logLimitBytes = opts.logLimitBytes;
  return store;
}

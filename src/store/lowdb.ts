/**
 * The persistent store of `pcsim serve`: the whole state in one pretty-printed JSON file,
 * `${dir}/pcsim.json`, kept by lowdb.
 *
 * - Reading and writing go through contract/json.ts (lossless: int64 above 2^53 stays exact,
 *   as bigint), never JSON.parse/JSON.stringify.
 * - Writes are atomic: lowdb's TextFile writes through steno (temp file `.pcsim.json.tmp`, then
 *   rename), so a crash leaves either the previous file or the new one, never half of one.
 * - A file that pcsim cannot use (unreadable, not JSON, not a pcsim state, a newer version) is
 *   refused with a StoreError and never written to: the store is not opened at all.
 * - Changes run one at a time, in call order; `update` resolves once its change is on disk.
 *
 * Rollback: between changes, the in-memory state is exactly what the last write put on disk (or
 * what was read at open). The store keeps that text; when a change throws, or its write fails,
 * the state is rebuilt from it, so nothing half-applied survives and memory matches the file.
 * This costs nothing on the success path (no snapshot per change), one parse on failure.
 * Consequence: objects obtained from `read()` before a failed change are stale afterwards;
 * call `read()` again rather than holding on to them.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { TextFile } from 'lowdb/node';
import { parseJson, stringifyJson } from '../contract/json.js';
import { emptyState, STATE_VERSION, type State } from '../databricks/model.js';
import { reasonOf, StoreError } from './errors.js';
import type { Store } from './types.js';

export const STATE_FILE_NAME = 'pcsim.json';
/** How many exchanges the journal keeps before dropping the oldest. */
export const DEFAULT_JOURNAL_LIMIT = 2000;

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
  if ((typeof version === 'bigint' && version > 0n) || (typeof version === 'number' && Number.isInteger(version) && version > STATE_VERSION)) {
    throw new StateShapeError(
      'newer_version',
      `it was written by a newer pcsim (state version ${String(version)}; this pcsim reads up to version ${STATE_VERSION})`,
    );
  }
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new StateShapeError('invalid', `its "version" is ${JSON.stringify(typeof version === 'number' ? version : String(version))}, not a positive integer`);
  }
  const state: Record<string, unknown> = { ...raw, version: STATE_VERSION };
  for (const field of ARRAY_FIELDS) {
    const value = raw[field];
    if (value === undefined) {
      state[field] = [];
      continue;
    }
    if (!Array.isArray(value)) throw new StateShapeError('invalid', `its "${field}" field is ${describe(value)}, not an array`);
    const bad = value.findIndex((item) => !isPlainObject(item));
    if (bad >= 0) throw new StateShapeError('invalid', `its "${field}" field holds ${describe(value[bad])} at index ${bad}, not an object`);
  }
  const dropped = raw.journal_dropped;
  if (dropped === undefined) state.journal_dropped = 0;
  else if (typeof dropped !== 'number' || !Number.isSafeInteger(dropped) || dropped < 0) {
    throw new StateShapeError('invalid', `its "journal_dropped" field is ${describe(dropped)} (${String(dropped)}), not a non-negative integer`);
  }
  return state as unknown as State;
}

/** Drops the oldest journal entries beyond `limit`, counting them in journal_dropped. */
export function capJournal(state: State, limit: number): void {
  const excess = state.journal.length - limit;
  if (excess <= 0) return;
  state.journal.splice(0, excess);
  state.journal_dropped = (state.journal_dropped || 0) + excess;
}

/* ------------------------------------------------------------------------------------------ */
/* The file                                                                                    */
/* ------------------------------------------------------------------------------------------ */

function openFailure(code: StoreError['code'], file: string, problem: string, expected: string, cause?: unknown): StoreError {
  return new StoreError(code, file, `Failed to open the pcsim state file ${file}: ${problem}. Expected ${expected}. ${LEFT_UNTOUCHED}`, { cause });
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** lowdb adapter: lossless JSON over lowdb's TextFile (atomic steno writes), with checks on read. */
class StateFile implements Adapter<State> {
  readonly file: string;
  readonly #text: TextFile;
  /** The text last read or written: what the file holds, as far as this process knows. null: no file yet. */
  #lastText: string | null = null;

  constructor(file: string) {
    this.file = file;
    this.#text = new TextFile(file);
  }

  /** Reads and checks the file; null when it does not exist. Throws StoreError, never writes. */
  async read(): Promise<State | null> {
    let text: string | null;
    try {
      text = await this.#text.read();
    } catch (err) {
      throw openFailure(
        'unreadable',
        this.file,
        `it cannot be read (${reasonOf(err)})`,
        `a readable regular file written by pcsim; fix its permissions, ${MOVE_AWAY}`,
        err,
      );
    }
    if (text === null) return null;
    let raw: unknown;
    try {
      raw = parseJson(text);
    } catch (err) {
      throw openFailure('corrupt', this.file, `it is not valid JSON (${reasonOf(err)})`, `a file written by pcsim; ${MOVE_AWAY}`, err);
    }
    let state: State;
    try {
      state = migrate(raw);
    } catch (err) {
      if (err instanceof StateShapeError && err.code === 'newer_version') {
        throw openFailure('newer_version', this.file, err.message, `state version ${STATE_VERSION} or lower; upgrade pcsim, or ${MOVE_AWAY}`, err);
      }
      throw openFailure(
        'invalid',
        this.file,
        `it is not a pcsim state: ${reasonOf(err)}`,
        `a file written by pcsim (an object with "version": ${STATE_VERSION} and arrays "workspaces", "users", "partners"…); ${MOVE_AWAY}`,
        err,
      );
    }
    this.#lastText = text;
    return state;
  }

  async write(state: State): Promise<void> {
    const text = stringifyJson(state, 2) + '\n';
    await this.#text.write(text);
    this.#lastText = text;
  }

  /** The state as last read or written: a fresh object tree, for rolling back. */
  lastSaved(): State {
    return this.#lastText === null ? emptyState() : migrate(parseJson(this.#lastText));
  }
}

/* ------------------------------------------------------------------------------------------ */
/* The store                                                                                   */
/* ------------------------------------------------------------------------------------------ */

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export class LowdbStore implements Store {
  readonly file: string;
  readonly journalLimit: number;
  readonly #db: Low<State>;
  readonly #adapter: StateFile;
  /** The end of the queue of changes; never rejects. */
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  /** Use openLowdbStore: a store must be read before use. */
  private constructor(adapter: StateFile, db: Low<State>, journalLimit: number) {
    this.#adapter = adapter;
    this.#db = db;
    this.file = adapter.file;
    this.journalLimit = journalLimit;
  }

  /** @internal */
  static async open(file: string, journalLimit: number): Promise<LowdbStore> {
    const adapter = new StateFile(file);
    const db = new Low<State>(adapter, emptyState());
    await db.read();
    return new LowdbStore(adapter, db, journalLimit);
  }

  read(): Readonly<State> {
    return this.#db.data;
  }

  update<T>(change: (state: State) => T): Promise<T> {
    if (this.#closed) {
      return Promise.reject(new Error(`Failed to update the pcsim state file ${this.file}: the store is closed. Expected every update to be made before close().`));
    }
    const run = this.#tail.then(() => this.#apply(change));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Waits for pending changes to be written; later updates are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#tail;
  }

  async #apply<T>(change: (state: State) => T): Promise<T> {
    let result: T;
    try {
      result = change(this.#db.data);
      if (isThenable(result)) {
        Promise.resolve(result).catch(() => undefined); // its later failure is not ours to report
        throw new TypeError(
          `Failed to update the pcsim state file ${this.file}: the change returned a promise. Expected a synchronous change function; do the async work first, then update.`,
        );
      }
      capJournal(this.#db.data, this.journalLimit);
    } catch (err) {
      this.#db.data = this.#adapter.lastSaved();
      throw err;
    }
    try {
      await this.#db.write();
    } catch (err) {
      this.#db.data = this.#adapter.lastSaved();
      throw new StoreError(
        'unwritable',
        this.file,
        `Failed to save the pcsim state file ${this.file}: ${reasonOf(err)}. Expected a writable directory with free space; the change was rolled back.`,
        { cause: err },
      );
    }
    return result;
  }
}

/** Opens (or prepares, when it does not exist yet) `${dir}/pcsim.json`. Throws StoreError. */
export async function openLowdbStore(dir: string, opts: LowdbStoreOptions = {}): Promise<LowdbStore> {
  const journalLimit = opts.journalLimit ?? DEFAULT_JOURNAL_LIMIT;
  if (!Number.isSafeInteger(journalLimit) || journalLimit < 0) {
    throw new RangeError(`Failed to open the pcsim store: journalLimit is ${String(journalLimit)}. Expected a non-negative integer.`);
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

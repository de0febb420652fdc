/**
 * Change tracking for Store.update: the change runs against a proxy of the state that notes, as
 * it happens, what the change did — which top-level fields it changed, what it appended, which
 * records it edited in place — and how to undo it. Nothing is diffed or serialised to find out:
 * the cost is that of the change (a scan inside a change pays one proxy per element it reads).
 *
 * The notes give three things: ops for the write-ahead log (append lines, not the whole state),
 * the changed collections for ObservableStore's events, and the undo of a change that throws or
 * whose write fails. Objects reached through `read()` instead of the change's argument are not
 * seen: the Store contract already says to change the state only inside `update`.
 */
import type { State } from '../databricks/model.js';
import { followEdits, invalidate, keysBefore, type KeysBefore } from '../databricks/lookup.js';

/** One logged change of a top-level field. Indexes refer to the array as it is when the op applies. */
export type Op =
  | { op: 'set'; key: string; value: unknown }
  | { op: 'push'; key: string; items: unknown[] }
  | { op: 'trim'; key: string; count: number }
  | { op: 'cut'; key: string; index: number; count: number }
  | { op: 'put'; key: string; index: number; value: unknown };

interface KeyNotes {
  /** Replaced, or reordered in a way ops cannot express: log the whole value. */
  whole: boolean;
  /** In order: appends and front trims, then in-place edits (by element). */
  steps: Array<
    { op: 'push'; items: unknown[] } | { op: 'trim'; count: number } | { op: 'cut'; index: number; count: number }
  >;
  edited: Set<object>;
  /** Each record edited in place, with its index keys from before the edit (lookup.ts follows them). */
  before: Map<object, KeysBefore | undefined>;
  /** An element was replaced by another object: the collection's indexes are built again. */
  replaced: boolean;
}

export interface Tracked<T> {
  result: T;
  /** Top-level fields the change modified, in first-touch order. */
  changed: string[];
  /** The log ops of the change, computed from the notes (values as they are now). */
  ops(): Op[];
  /** Reverts every mutation the change made, newest first. */
  undo(): void;
}

/** Applies logged ops to a state (replay at open). */
export function applyOps(state: Record<string, unknown>, ops: readonly Op[]): void {
  for (const o of ops) {
    if (o.op === 'set') state[o.key] = o.value;
    else {
      const list = (Array.isArray(state[o.key]) ? state[o.key] : (state[o.key] = [])) as unknown[];
      if (o.op === 'push') for (const item of o.items) list.push(item);
      else if (o.op === 'trim') list.splice(0, o.count);
      else if (o.op === 'cut') list.splice(o.index, o.count);
      else list[o.index] = o.value;
    }
  }
}

/** Read on a tracked state inside a change: the top-level fields it modified so far. */
const CHANGED_KEYS = Symbol('pcsim.changedKeys');

/** The top-level fields the change under way modified so far; undefined when `state` is not tracked. */
export function changedKeys(state: unknown): string[] | undefined {
  const fn = (state as Record<symbol, unknown>)[CHANGED_KEYS];
  return typeof fn === 'function' ? (fn as () => string[])() : undefined;
}

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;

/** Array methods that only read (given a callback that only reads): run on the plain array. */
const RAW_READS = new Set([
  'find',
  'findLast',
  'at',
  'filter',
  'some',
  'every',
  'includes',
  'indexOf',
  'lastIndexOf',
  'findIndex',
  'findLastIndex',
  'map',
  'slice',
  'concat',
  'join',
  'reduce',
  'flatMap',
]);
/** …of which these return an element, which the change may then edit. */
const FOUND = new Set(['find', 'findLast', 'at']);

/** Puts `items` back into `list` at `index`, in slices: a spread of 100k arguments would overflow the stack. */
function insertAt(list: unknown[], index: number, items: readonly unknown[]): void {
  const SLICE = 10_000;
  for (let i = 0; i < items.length; i += SLICE) list.splice(index + i, 0, ...items.slice(i, i + SLICE));
}

/** Runs `change` on a tracking proxy of `state`. Throws what the change throws, after undoing it. */
export function track<T>(state: State, change: (state: State) => T): Tracked<T> {
  const undo: Array<() => void> = [];
  const notes = new Map<string, KeyNotes>();
  const noteOf = (key: string): KeyNotes => {
    let n = notes.get(key);
    if (!n) notes.set(key, (n = { whole: false, steps: [], edited: new Set(), before: new Map(), replaced: false }));
    return n;
  };
  const proxies = new WeakMap<object, object>();
  const targets = new WeakMap<object, object>();
  /** A value stored into the state is the plain object, never a tracking proxy (one level into arrays too). */
  const plain = (v: unknown): unknown => {
    if (!isObject(v)) return v;
    const t = targets.get(v);
    if (t) return t;
    if (Array.isArray(v))
      for (let i = 0; i < v.length; i++) if (isObject(v[i]) && targets.has(v[i])) v[i] = targets.get(v[i]);
    return v;
  };

  /** A proxy of a value inside top-level field `key`; `root`: the element of the collection it belongs to. */
  function deep(target: object, key: string, root: object | undefined): object {
    let p = proxies.get(target);
    if (p) return p;
    const isTopArray = root === undefined && Array.isArray(target);
    const mark = () => {
      const n = noteOf(key);
      if (root === undefined) n.whole = true;
      else if (!n.edited.has(root)) {
        n.before.set(root, keysBefore((state as unknown as Record<string, unknown>)[key], root));
        n.edited.add(root);
      }
    };
    p = new Proxy(target, {
      get(t, prop, receiver) {
        if (isTopArray) {
          const list = t as unknown[];
          if (prop === 'push') {
            return (...given: unknown[]) => {
              const items = given.map(plain);
              const before = list.length;
              undo.push(() => void (list.length = before));
              noteOf(key).steps.push({ op: 'push', items });
              return list.push(...items);
            };
          }
          if (typeof prop === 'string' && RAW_READS.has(prop)) {
            // Scans run on the plain array at full speed, and see the very objects read() gives
            // (identity comparisons hold); a found element comes back tracked, for editing.
            const fn = (list as unknown as Record<string, (...a: unknown[]) => unknown>)[prop]!;
            return (...args: unknown[]) => {
              const out = fn.apply(list, args);
              return FOUND.has(prop) && isObject(out) ? deep(out, key, out) : out;
            };
          }
          if (prop === 'splice') {
            return (start: number, deleteCount?: number, ...inserts: unknown[]) => {
              if (start >= 0 && start < list.length && inserts.length === 0 && deleteCount !== undefined) {
                // A trim of the oldest (start 0: a capped journal or activity) or a record removed from the
                // middle (a connection deleted): logged as such, and undone by putting back what was removed,
                // so a capped list's every append does not copy the whole list.
                // One off the front is a shift: V8 moves the array's start instead of its 5000 elements.
                const removed = start === 0 && deleteCount === 1 ? [list.shift()] : list.splice(start, deleteCount);
                if (removed.length > 0) {
                  undo.push(() => insertAt(list, start, removed));
                  noteOf(key).steps.push(
                    start === 0
                      ? { op: 'trim', count: removed.length }
                      : { op: 'cut', index: start, count: removed.length },
                  );
                }
                return removed;
              }
              const copy = list.slice();
              undo.push(() => {
                // Restored element by element: a spread of 100k arguments would overflow the stack.
                list.length = 0;
                for (const item of copy) list.push(item);
              });
              noteOf(key).whole = true;
              return deleteCount === undefined
                ? list.splice(start)
                : list.splice(start, deleteCount, ...inserts.map(plain));
            };
          }
        }
        const value = Reflect.get(t, prop, receiver);
        if (!isObject(value) || typeof prop === 'symbol') return value;
        if (typeof value === 'function') return value;
        return deep(value, key, root ?? (isTopArray ? value : undefined) ?? target);
      },
      set(t, prop, given, receiver) {
        const value = plain(given);
        const had = Object.prototype.hasOwnProperty.call(t, prop);
        const old = (t as Record<PropertyKey, unknown>)[prop];
        if (had && old === value) return true;
        undo.push(() => {
          if (had) (t as Record<PropertyKey, unknown>)[prop] = old;
          else delete (t as Record<PropertyKey, unknown>)[prop];
        });
        if (isTopArray && typeof prop === 'string' && /^\d+$/.test(prop) && Number(prop) < (t as unknown[]).length) {
          // list[i] = record: an in-place replacement of one element.
          noteOf(key).edited.add(value as object);
          noteOf(key).replaced = true;
        } else mark();
        return Reflect.set(t, prop, value, receiver);
      },
      deleteProperty(t, prop) {
        if (!Object.prototype.hasOwnProperty.call(t, prop)) return true;
        const old = (t as Record<PropertyKey, unknown>)[prop];
        undo.push(() => void ((t as Record<PropertyKey, unknown>)[prop] = old));
        mark();
        return Reflect.deleteProperty(t, prop);
      },
    });
    proxies.set(target, p);
    targets.set(p, target);
    return p;
  }

  const top = new Proxy(state as unknown as Record<string, unknown>, {
    get(t, prop) {
      if (prop === CHANGED_KEYS) return () => [...notes.keys()];
      const value = t[prop as string];
      if (typeof prop !== 'string' || !isObject(value)) return value;
      return deep(value, prop, undefined);
    },
    set(t, prop, given) {
      const value = plain(given);
      const key = prop as string;
      const had = Object.prototype.hasOwnProperty.call(t, key);
      const old = t[key];
      if (had && old === value) return true;
      undo.push(() => {
        if (had) t[key] = old;
        else delete t[key];
      });
      noteOf(key).whole = true;
      t[key] = value;
      return true;
    },
    deleteProperty(t, prop) {
      const key = prop as string;
      if (!Object.prototype.hasOwnProperty.call(t, key)) return true;
      const old = t[key];
      undo.push(() => void (t[key] = old));
      noteOf(key).whole = true;
      delete t[key];
      return true;
    },
  }) as unknown as State;

  const live0 = state as unknown as Record<string, unknown>;
  const revert = () => {
    for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
    undo.length = 0;
    for (const key of notes.keys()) invalidate(live0[key]);
  };
  let result: T;
  try {
    result = change(top);
  } catch (err) {
    revert();
    throw err;
  }
  const live = state as unknown as Record<string, unknown>;
  // Records edited in place may have new keys: the indexes follow them, or are built again.
  for (const [key, n] of notes) {
    if (n.whole || n.replaced) invalidate(live0[key]);
    else if (n.before.size > 0) followEdits(live0[key], n.before);
  }
  // A tracked element handed out of the change goes back to being the plain object.
  if (isObject(result) && targets.has(result)) result = targets.get(result) as T;
  return {
    result,
    changed: [...notes.keys()],
    undo: revert,
    ops(): Op[] {
      const out: Op[] = [];
      for (const [key, n] of notes) {
        const value = live[key];
        if (n.whole || !Array.isArray(value)) {
          out.push({ op: 'set', key, value });
          continue;
        }
        for (const s of n.steps) out.push({ ...s, key } as Op);
        if (n.edited.size === 0) continue;
        if (n.edited.size > value.length / 2) {
          out.push({ op: 'set', key, value }); // most records edited (a restart on another port): one value, not a put each
          continue;
        }
        // Each edited element where it is now (appended ones were logged whole by their push).
        const pushed = new Set(n.steps.flatMap((s) => (s.op === 'push' ? s.items : [])));
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          if (isObject(item) && n.edited.has(item) && !pushed.has(item))
            out.push({ op: 'put', key, index: i, value: item });
        }
      }
      return out;
    },
  };
}

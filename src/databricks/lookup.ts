/**
 * Indexes over the state's collections, for look-ups by key instead of scans. Built on first
 * use and kept per array: an array that only grew at the end is indexed incrementally; one that
 * was replaced, trimmed or reordered is indexed again, and so is one whose records a tracked
 * change edited in place (a user joining a workspace).
 */
type KeyOf<T> = (item: T) => string | readonly string[] | undefined;

interface Index<T> {
  length: number;
  first: T | undefined;
  last: T | undefined;
  /** A key's one record, or its records when several share it (records are never arrays). */
  map: Map<string, T | T[]>;
}

const cache = new WeakMap<readonly unknown[], Map<string, Index<unknown>>>();

// Most keys are unique (ids): a record is held as is, and an array is made only for a second one.
// At 100k records per index that is 100k fewer arrays to build on start and to keep.
function addOne<T>(map: Map<string, T | T[]>, item: T, key: string): void {
  const held = map.get(key);
  if (held === undefined) map.set(key, item);
  else if (!Array.isArray(held)) {
    if (held !== item) map.set(key, [held, item]);
  } else if (held[held.length - 1] !== item) held.push(item);
}

function add<T>(map: Map<string, T | T[]>, item: T, keyOf: KeyOf<T>): void {
  const k = keyOf(item);
  if (k === undefined) return;
  if (typeof k === 'string') addOne(map, item, k);
  else for (const key of k) addOne(map, item, key);
}

function held<T>(list: readonly T[], name: string, keyOf: KeyOf<T>, key: string): T | T[] | undefined {
  let byName = cache.get(list);
  if (!byName) cache.set(list, (byName = new Map()));
  let idx = byName.get(name) as Index<T> | undefined;
  const n = list.length;
  if (idx && !(idx.length === n && idx.first === list[0] && idx.last === list[n - 1])) {
    // Grown at the end only: index the new tail.
    if (n > idx.length && idx.first === list[0] && (idx.length === 0 || list[idx.length - 1] === idx.last)) {
      for (let i = idx.length; i < n; i++) add(idx.map, list[i]!, keyOf);
      Object.assign(idx, { length: n, last: list[n - 1] });
    } else idx = undefined;
  }
  if (!idx) {
    idx = { length: n, first: list[0], last: list[n - 1], map: new Map() };
    for (const item of list) add(idx.map, item, keyOf);
    byName.set(name, idx as Index<unknown>);
  }
  return idx.map.get(key);
}

/** The records of `list` under `key` (in list order), by the index named `name`. */
export function lookup<T>(list: readonly T[], name: string, keyOf: KeyOf<T>, key: string): readonly T[] {
  const found = held(list, name, keyOf, key);
  return found === undefined ? [] : Array.isArray(found) ? found : [found];
}

/** The one record under `key`, when keys are unique (the first, as a scan with find() would give). */
export function lookupOne<T>(list: readonly T[], name: string, keyOf: KeyOf<T>, key: string): T | undefined {
  const found = held(list, name, keyOf, key);
  return Array.isArray(found) ? found[0] : found;
}

/** Forgets the indexes of `list`: its records were edited in place (store/tracker.ts calls this). */
export function invalidate(list: unknown): void {
  if (Array.isArray(list)) cache.delete(list);
}

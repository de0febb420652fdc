/**
 * Indexes over the state's collections, for look-ups by key instead of scans. Built on first
 * use and kept per array: an array that only grew at the end is indexed incrementally; one that
 * was replaced, trimmed or reordered is indexed again, and so is one whose records a tracked
 * change edited in place (a user joining a workspace).
 */
type KeyOf<T> = (item: T) => string | readonly string[] | undefined;

interface Index<T> {
  keyOf: KeyOf<T>;
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

/** Lists this short that have no index yet are scanned instead (a `pcsim load` copy's state: a few records each). */
const SCAN_UP_TO = 8;

/** What the index would hold under `key`, by a scan in list order (a record once, whatever its keys). */
function scan<T>(list: readonly T[], keyOf: KeyOf<T>, key: string): T | T[] | undefined {
  let found: T | T[] | undefined;
  for (const item of list) {
    const k = keyOf(item);
    if (k === undefined || (typeof k === 'string' ? k !== key : !k.includes(key))) continue;
    // As addOne: a record listed twice in a row counts once.
    if (found === undefined) found = item;
    else if (!Array.isArray(found)) {
      if (found !== item) found = [found, item];
    } else if (found[found.length - 1] !== item) found.push(item);
  }
  return found;
}

function held<T>(list: readonly T[], name: string, keyOf: KeyOf<T>, key: string): T | T[] | undefined {
  let byName = cache.get(list);
  // No index is built (nor kept, nor followed) for a short list: one is built from scratch once it is longer.
  if (!byName && list.length <= SCAN_UP_TO) return scan(list, keyOf, key);
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
    idx = { keyOf, length: n, first: list[0], last: list[n - 1], map: new Map() };
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

/** Forgets the indexes of `list`: its records were replaced or reordered (store/tracker.ts calls this). */
export function invalidate(list: unknown): void {
  if (Array.isArray(list)) cache.delete(list);
}

/** The keys of a record under each index of `list`, as they are now (before a change edits it). */
export type KeysBefore = Map<string, readonly string[]>;

const keysOf = <T>(keyOf: KeyOf<T>, record: T): readonly string[] => {
  const k = keyOf(record);
  return k === undefined ? [] : typeof k === 'string' ? [k] : [...k];
};

/** Taken by store/tracker.ts when a change first edits `record` in place. */
export function keysBefore(list: unknown, record: unknown): KeysBefore | undefined {
  const byName = Array.isArray(list) ? cache.get(list) : undefined;
  if (!byName) return undefined;
  const out: KeysBefore = new Map();
  for (const [name, idx] of byName) out.set(name, keysOf(idx.keyOf, record));
  return out;
}

/**
 * Keeps the indexes of `list` after a change edited `records` in place, instead of building every
 * index of the collection again (at 100k users, a user joining a second workspace cost ~40 ms a
 * click). An index under which no edited record's keys moved is kept as is; one where a record only
 * gained keys nobody else holds gets them; any other is built again on its next use.
 */
export function followEdits(list: unknown, records: ReadonlyMap<object, KeysBefore | undefined>): void {
  const byName = Array.isArray(list) ? cache.get(list) : undefined;
  if (!byName || !Array.isArray(list)) return;
  for (const [name, idx] of byName) {
    if (idx.length !== list.length) {
      byName.delete(name); // records not indexed yet might share the keys: no shortcut
      continue;
    }
    for (const [record, before] of records) {
      const old = before?.get(name);
      const now = keysOf(idx.keyOf, record);
      if (old === undefined) {
        byName.delete(name); // built during the change: which keys it saw is unknown
        break;
      }
      if (old.length === now.length && old.every((k, i) => k === now[i])) continue;
      const added = now.filter((k) => !old.includes(k));
      if (old.every((k) => now.includes(k)) && added.every((k) => !idx.map.has(k))) {
        for (const k of added) idx.map.set(k, record);
      } else {
        byName.delete(name);
        break;
      }
    }
  }
}

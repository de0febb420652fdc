/**
 * A Store decorator that tells listeners what a durable change did: the exchanges it journaled,
 * the calls partners made into the workspace (activity), and which collections it changed.
 * GET /api/events turns these into server-sent events, so Databricks stays unaware of HTTP.
 * Events fire only after the inner store has persisted the change; a change that throws or
 * fails to save (and is rolled back) fires nothing. `notify` carries transient events that are
 * not state (a partner call's attempts while Databricks is still retrying).
 */
import type { State } from '../databricks/model.js';
import type { Exchange } from '../partner-client/types.js';
import type { AttemptProgress } from '../partner-client/types.js';
import { changedKeys } from '../store/tracker.js';
import type { Store } from '../store/types.js';
import type { Activity } from '../workspace/types.js';

/** The collections whose changes are announced as `state` events. */
export const WATCHED = ['workspaces', 'users', 'partners', 'connections', 'resources'] as const;
export type Watched = (typeof WATCHED)[number] | 'journal' | 'activity';

export type StoreEvent =
  | { type: 'exchange'; exchange: Exchange; run_id?: string }
  | { type: 'run'; run: unknown }
  | { type: 'activity'; activity: Activity }
  | { type: 'state'; changed: Watched[] }
  | { type: 'attempt'; attempt: AttemptProgress };
export type StoreListener = (event: StoreEvent) => void;

/**
 * The entries appended to an append-only, front-trimmed list since `last` was its last entry:
 * everything after `last`, found from the end (so O(appended), not O(list)). `undefined` when
 * the list was replaced or `last` was trimmed away: then the caller reports a plain change.
 */
export function appendedSince<T>(list: readonly T[], last: T | undefined, lengthBefore: number): T[] | undefined {
  if (last === undefined) return lengthBefore === 0 ? [...list] : undefined;
  for (let i = list.length - 1; i >= 0; i--) if (list[i] === last) return list.slice(i + 1);
  return undefined;
}

export class ObservableStore implements Store {
  private readonly listeners = new Set<StoreListener>();

  constructor(readonly inner: Store) {}

  read(): Readonly<State> {
    return this.inner.read();
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Announces a transient event to the listeners (nothing is stored). */
  notify(event: StoreEvent): void {
    this.emit(event);
  }

  async update<T>(change: (state: State) => T): Promise<T> {
    // Nobody listening (no UI open, CLI use, load): no signatures to compute.
    if (this.listeners.size === 0) return this.inner.update(change);
    let added: Exchange[] = [];
    let activity: Activity[] = [];
    let changed: Watched[] = [];
    const result = await this.inner.update((state) => {
      // The stores track what a change modifies (store/tracker.ts): no signatures, no diffing.
      // The journal and the activity (the big ones) are announced entry by entry, found from their tails.
      const journal = { list: state.journal, last: state.journal.at(-1), length: state.journal.length };
      const acts = { last: state.activity?.at(-1), length: state.activity?.length ?? 0 };
      const out = change(state);
      const keys = changedKeys(state);
      changed = keys ? WATCHED.filter((k) => keys.includes(k)) : [...WATCHED];
      if (keys && !keys.includes('journal')) added = [];
      else {
        // The inner store caps the journal only after the change, so appended entries are at the end.
        const newJournal =
          state.journal === journal.list ? appendedSince(state.journal, journal.last, journal.length) : undefined;
        if (newJournal) added = newJournal;
        else changed.push('journal');
      }
      if (keys && !keys.includes('activity')) activity = [];
      else {
        const newActivity = appendedSince(state.activity ?? [], acts.last, acts.length);
        if (newActivity) activity = newActivity;
        else changed.push('activity');
      }
      return out;
    });
    for (const exchange of added) this.emit({ type: 'exchange', exchange });
    for (const a of activity) this.emit({ type: 'activity', activity: a });
    if (changed.length > 0) this.emit({ type: 'state', changed });
    return result;
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }

  private emit(event: StoreEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A listener (an SSE client gone away) must never undo or fail a saved change.
      }
    }
  }
}

/**
 * A Store decorator that tells listeners what a durable change did: the exchanges it journaled
 * and which collections it changed. GET /api/events turns these into server-sent events, so
 * Databricks stays unaware of HTTP. Events fire only after the inner store has persisted the
 * change; a change that throws or fails to save (and is rolled back) fires nothing.
 */
import { stringifyJson } from '../contract/json.js';
import type { State } from '../databricks/model.js';
import type { Exchange } from '../partner-client/types.js';
import type { Store } from '../store/types.js';

/** The collections whose changes are announced as `state` events. */
export const WATCHED = ['workspaces', 'users', 'partners', 'connections', 'resources'] as const;
export type Watched = (typeof WATCHED)[number] | 'journal';

export type StoreEvent = { type: 'exchange'; exchange: Exchange } | { type: 'state'; changed: Watched[] };
export type StoreListener = (event: StoreEvent) => void;

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

  async update<T>(change: (state: State) => T): Promise<T> {
    let added: Exchange[] = [];
    let changed: Watched[] = [];
    const result = await this.inner.update((state) => {
      // Signatures of the small collections; the journal (the big one) is tracked by its length.
      const before = WATCHED.map((k) => stringifyJson(state[k]));
      const journal = state.journal;
      const length = journal.length;
      const out = change(state);
      // The inner store caps the journal only after the change, so appended entries are at the end.
      const sameJournal = state.journal === journal && state.journal.length >= length;
      added = sameJournal ? state.journal.slice(length) : [];
      changed = WATCHED.filter((k, i) => stringifyJson(state[k]) !== before[i]);
      if (!sameJournal) changed.push('journal');
      return out;
    });
    for (const exchange of added) this.emit({ type: 'exchange', exchange });
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

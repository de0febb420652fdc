import { emptyState, type State } from '../databricks/model.js';
import { capJournal, DEFAULT_JOURNAL_LIMIT } from './journal-cap.js';
import { track } from './tracker.js';
import type { Store } from './types.js';

export interface MemoryStoreOptions {
  /** Keep at most this many journal entries (default 2000, as the file store); older ones are counted in journal_dropped. */
  journalLimit?: number;
}

/**
 * The in-memory store: `pcsim run`, `pcsim serve --memory` and in-process tests. Changes are
 * tracked (store/tracker.ts): one that throws is undone, and watchers learn what it changed.
 */
export class MemoryStore implements Store {
  private state: State;
  readonly journalLimit: number;
  constructor(initial: State = emptyState(), opts: MemoryStoreOptions = {}) {
    this.state = initial;
    this.journalLimit = opts.journalLimit ?? DEFAULT_JOURNAL_LIMIT;
  }
  read(): Readonly<State> {
    return this.state;
  }
  async update<T>(change: (state: State) => T): Promise<T> {
    return track(this.state, (s) => {
      const out = change(s);
      capJournal(s, this.journalLimit);
      return out;
    }).result;
  }
}

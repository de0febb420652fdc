import { emptyState, type State } from '../databricks/model.js';
import type { Store } from './types.js';

/** The in-memory store: `pcsim run` and in-process tests. */
export class MemoryStore implements Store {
  private state: State;
  constructor(initial: State = emptyState()) {
    this.state = initial;
  }
  read(): Readonly<State> {
    return this.state;
  }
  async update<T>(change: (state: State) => T): Promise<T> {
    return change(this.state);
  }
}

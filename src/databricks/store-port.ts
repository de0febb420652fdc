/**
 * Storage behind a small interface (MSW's habit): the memory store for `pcsim run` and tests,
 * the lowdb store for `pcsim serve`. Reads are synchronous snapshots of the current state;
 * every change goes through `update`, which resolves once the change is durable. Declared here,
 * where Databricks uses it, so the store layer (which implements it) comes after databricks.
 */
import type { State } from './model.js';

export interface Store {
  /** The current state. Treat as read-only; change it only inside `update`. */
  read(): Readonly<State>;
  /** Applies `change` to the state and persists it; changes are applied one at a time, in call order. */
  update<T>(change: (state: State) => T): Promise<T>;
  close?(): Promise<void>;
}

/**
 * The store of one `pcsim load` copy: the state in memory, changed in place. MemoryStore tracks
 * every change through proxies (undo, log ops, change events) that a copy never uses: that was
 * ~6 % of the load's CPU. What a copy does need of a store, it keeps: look-ups see every change
 * (the indexes of the changed state are dropped after each change and built again on the next
 * look-up, cheap on a copy's few records), the journal stays capped, and a change that throws
 * leaves no half-changed state to judge from: the store refuses every later read and change.
 */
import { emptyState, type PartnerRecord, type State } from '../databricks/model.js';
import { invalidate } from '../databricks/lookup.js';
import type { Store } from '../databricks/store-port.js';
import { capJournal, DEFAULT_JOURNAL_LIMIT } from '../store/journal-cap.js';

export class CopyStore implements Store {
  private readonly state: State;
  private broken: Error | undefined;

  /** `partners`: registered before the copy starts (the same records for every copy; registering replaces, never edits). */
  constructor(partners: readonly PartnerRecord[] = []) {
    this.state = { ...emptyState(), partners: [...partners] };
  }

  read(): Readonly<State> {
    if (this.broken) throw this.brokenError();
    return this.state;
  }

  update<T>(change: (state: State) => T): Promise<T> {
    if (this.broken) return Promise.reject(this.brokenError());
    const s = this.state;
    try {
      const out = change(s);
      capJournal(s, DEFAULT_JOURNAL_LIMIT);
      return Promise.resolve(out);
    } catch (err) {
      this.broken = err instanceof Error ? err : new Error(String(err));
      return Promise.reject(err);
    } finally {
      // A change may edit records in place (a user joining a workspace): no index may outlive it.
      for (const key in s) invalidate((s as unknown as Record<string, unknown>)[key]);
    }
  }

  private brokenError(): Error {
    return new Error(
      `Failed to use the copy's state: an earlier change to it failed half-way (${this.broken!.message}). Expected the copy to end there.`,
    );
  }
}

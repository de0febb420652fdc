import type { State } from '../databricks/model.js';

/** How many exchanges the journal keeps before dropping the oldest. */
export const DEFAULT_JOURNAL_LIMIT = 2000;

/** Drops the oldest journal entries beyond `limit`, counting them in journal_dropped. */
export function capJournal(state: State, limit: number): void {
  const excess = state.journal.length - limit;
  if (excess <= 0) return;
  state.journal.splice(0, excess);
  state.journal_dropped = (state.journal_dropped || 0) + excess;
}

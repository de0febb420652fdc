/** The stores: memory for `pcsim run` and tests, lowdb (one JSON file) for `pcsim serve`. */
export type { Store } from './types.js';
export { MemoryStore } from './memory.js';
export { openLowdbStore, LowdbStore, DEFAULT_JOURNAL_LIMIT, STATE_FILE_NAME, type LowdbStoreOptions } from './lowdb.js';
export { StoreError, type StoreErrorCode } from './errors.js';

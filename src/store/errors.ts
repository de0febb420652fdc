/**
 * Errors of the persistent store. Every one names the state file, says what is wrong with it
 * and what to do, so `pcsim serve` can print `err.message` as is and exit.
 */

export type StoreErrorCode =
  /** The file (or its directory) exists but cannot be read: permissions, a directory in its place… */
  | 'unreadable'
  /** The file is not JSON. */
  | 'corrupt'
  /** The file was written by a newer pcsim (its `version` is above STATE_VERSION). */
  | 'newer_version'
  /** The file is JSON but not a pcsim state: not an object, no version, a field of the wrong type. */
  | 'invalid'
  /** A change could not be saved (disk full, directory removed, permissions); it was rolled back. */
  | 'unwritable';

export class StoreError extends Error {
  override name = 'StoreError';
  readonly code: StoreErrorCode;
  /** The state file concerned (absolute or as given). */
  readonly file: string;
  constructor(code: StoreErrorCode, file: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.file = file;
  }
}

/** The message of an unknown thrown value, for embedding in ours. */
export function reasonOf(err: unknown): string {
  if (err instanceof Error) return err.message.replace(/\.$/, '');
  return String(err);
}

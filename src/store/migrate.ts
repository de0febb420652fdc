/**
 * Reading a state file into a State: what is checked, what is filled in, and how a file of an
 * older state version would be brought up to date.
 */
import { STATE_VERSION, type State } from '../databricks/model.js';

/** Why a parsed file is not a usable state; turned into a StoreError naming the file. */
export class StateShapeError extends Error {
  override name = 'StateShapeError';
  constructor(
    readonly code: 'invalid' | 'newer_version',
    message: string,
  ) {
    super(message);
  }
}

/** The array fields of State, filled with [] when a file lacks them. */
const ARRAY_FIELDS = ['workspaces', 'users', 'partners', 'connections', 'resources', 'journal', 'checklist'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'bigint' || typeof value === 'number') return 'a number';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * Turns a parsed state file into a State, or throws StateShapeError.
 *
 * Checked: a JSON object; `version` a positive integer no greater than STATE_VERSION (a file
 * without one is refused, so a stray JSON file is never taken for a state and overwritten);
 * each known array field, if present, an array of objects; `journal_dropped`, if present, a
 * non-negative integer. Filled in: missing array fields ([]), a missing `journal_dropped` (0).
 * Unknown top-level fields are kept as they are. Elements are not checked field by field.
 *
 * Versions: there is only version 1 so far. When STATE_VERSION moves to 2, add a step here
 * that rewrites a version-1 object into version 2 before the checks, and set `version`.
 */
export function migrate(raw: unknown): State {
  if (!isPlainObject(raw)) throw new StateShapeError('invalid', `it holds ${describe(raw)}, not an object`);
  const version = raw.version;
  if (version === undefined) throw new StateShapeError('invalid', 'it has no "version" field');
  if (
    (typeof version === 'bigint' && version > 0n) ||
    (typeof version === 'number' && Number.isInteger(version) && version > STATE_VERSION)
  ) {
    throw new StateShapeError(
      'newer_version',
      `it was written by a newer pcsim (state version ${String(version)}; this pcsim reads up to version ${STATE_VERSION})`,
    );
  }
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new StateShapeError(
      'invalid',
      `its "version" is ${JSON.stringify(typeof version === 'number' ? version : String(version))}, not a positive integer`,
    );
  }
  const state: Record<string, unknown> = { ...raw, version: STATE_VERSION };
  for (const field of ARRAY_FIELDS) {
    const value = raw[field];
    if (value === undefined) {
      state[field] = [];
      continue;
    }
    if (!Array.isArray(value))
      throw new StateShapeError('invalid', `its "${field}" field is ${describe(value)}, not an array`);
    const bad = value.findIndex((item) => !isPlainObject(item));
    if (bad >= 0)
      throw new StateShapeError(
        'invalid',
        `its "${field}" field holds ${describe(value[bad])} at index ${bad}, not an object`,
      );
  }
  const dropped = raw.journal_dropped;
  if (dropped === undefined) state.journal_dropped = 0;
  else if (typeof dropped !== 'number' || !Number.isSafeInteger(dropped) || dropped < 0) {
    throw new StateShapeError(
      'invalid',
      `its "journal_dropped" field is ${describe(dropped)} (${String(dropped)}), not a non-negative integer`,
    );
  }
  return state as unknown as State;
}

/** A statement's outcome before the engine adds its kind, and the helpers that build one. */
import { databricksType } from './datatypes.js';
import type { SqlColumn, StatementOutcome } from './types.js';

export type Outcome = Omit<StatementOutcome, 'kind'>;

export const col = (name: string, type: string, position: number): SqlColumn => ({
  name,
  position,
  ...databricksType(type),
});
export const done = (columns: SqlColumn[], rows: (string | null)[][]): Outcome => ({
  state: 'SUCCEEDED',
  columns,
  rows,
});

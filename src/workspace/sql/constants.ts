/**
 * The engine's own answers to constant queries (`SELECT 1`, `SELECT 'a' AS x`: literals only), kept
 * per workspace and given again: tools send such checks all the time, and a run through DuckDB costs
 * a trip to its thread and back for an answer that cannot change. Not a re-implementation of the
 * engine's typing: an answer is one the engine gave, reused only while it would give it again:
 * - literals only, so nothing depends on tables, time or chance;
 * - the same text, default catalog.schema and workspace catalogs;
 * - nothing but constant queries ran on the workspace since (any other run clears the answers: a
 *   DROP SCHEMA could make the USE of the next one fail), and none is running or queued (it would
 *   run first). A constant query changes nothing but the connection's current schema, and the USE
 *   back to a schema that existed, with nothing dropped since, succeeds.
 */
import type { Outcome } from './ddl.js';
import { isP, type Tok } from './tokens.js';

/** Answers kept per workspace (distinct constant texts are few: `SELECT 1` and the like). */
const LIMIT = 64;

const isWord = (t: Tok | undefined, v: string) => t?.t === 'word' && t.v.toUpperCase() === v;

/** SELECT followed by literals (numbers, strings), each with an optional `AS alias`, separated by commas. */
export function isConstantSelect(toks: readonly Tok[]): boolean {
  if (!isWord(toks[0], 'SELECT')) return false;
  let i = 1;
  for (;;) {
    const t = toks[i];
    if (t?.t !== 'num' && t?.t !== 'str') return false;
    i++;
    if (isWord(toks[i], 'AS')) {
      const alias = toks[i + 1];
      if (alias?.t !== 'word' && alias?.t !== 'ident') return false;
      i += 2;
    }
    if (i === toks.length) return true;
    if (!isP(toks[i], ',')) return false;
    i++;
  }
}

export interface ConstantAnswer {
  outcome: Outcome;
  /** The catalogs the statement used (sorted), as the engine noted them. */
  used: string[];
}

/** A workspace's kept answers, by key (`constantKey`). */
export class ConstantAnswers {
  readonly #map = new Map<string, ConstantAnswer>();

  get(key: string): ConstantAnswer | undefined {
    return this.#map.get(key);
  }

  set(key: string, answer: ConstantAnswer): void {
    this.#map.delete(key);
    if (this.#map.size >= LIMIT) this.#map.delete(this.#map.keys().next().value!);
    this.#map.set(key, answer);
  }

  clear(): void {
    this.#map.clear();
  }
}

/** What an answer depends on besides the engine's state: the text, the defaults and the workspace's catalogs. */
export const constantKey = (target: string, catalogs: ReadonlySet<string>, statement: string): string =>
  `${target}\n${[...catalogs].sort().join(',')}\n${statement}`;

/** A copy of a kept outcome: the caller may keep or change what it gets. */
export function copyOutcome(o: Outcome): Outcome {
  return { ...o, columns: o.columns.map((c) => ({ ...c })), rows: o.rows.map((r) => r.slice()) };
}

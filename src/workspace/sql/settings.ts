/**
 * SET and RESET as a Databricks SQL warehouse takes them. Only the configuration parameters the
 * language reference lists may be set; "Databricks SQL does not support setting Spark
 * configurations that aren't listed" (sql-ref-parameters), so any other key is refused. A statement
 * is its own session here, so a SET changes nothing later statements see; it answers as a session would.
 */
import { col, done, type Outcome } from './outcome.js';
import { parseError, SqlError } from './errors.js';
import { isP, up, type Tok } from './tokens.js';

/** SET [-v], SET key [= value], RESET [key]. */
export type SetCommand = { k: 'set'; key?: string; value?: string; verbose?: boolean } | { k: 'reset'; key?: string };

const PARAMETERS: Record<string, { value: string; meaning: string; session: boolean }> = {
  ANSI_MODE: { value: 'true', meaning: 'Strict ANSI SQL behavior for functions and casts.', session: true },
  LEGACY_TIME_PARSER_POLICY: { value: 'EXCEPTION', meaning: 'How dates and timestamps are parsed.', session: true },
  MAX_FILE_PARTITION_BYTES: {
    value: '128m',
    meaning: 'Bytes packed into one partition of a file read.',
    session: true,
  },
  READ_ONLY_EXTERNAL_METASTORE: { value: 'false', meaning: 'An external metastore is read-only.', session: false },
  STATEMENT_TIMEOUT: { value: '172800', meaning: 'Statement timeout in seconds.', session: true },
  TIMEZONE: { value: 'UTC', meaning: 'The local time zone.', session: true },
  USE_CACHED_RESULT: { value: 'true', meaning: 'Results are cached and reused when possible.', session: true },
};

const notAvailable = (key: string) =>
  new SqlError('BAD_REQUEST', 'CONFIG_NOT_AVAILABLE', '42K0I', `Configuration ${key} is not available.`);

const KEY_VALUE = [col('key', 'VARCHAR', 0), col('value', 'VARCHAR', 1)];

export function runSet(c: SetCommand): Outcome {
  const known = c.key === undefined ? undefined : PARAMETERS[c.key.toUpperCase()];
  if (c.key !== undefined && !known) throw notAvailable(c.key);
  if (c.k === 'reset') return done([], []);
  if (c.verbose)
    return done(
      [...KEY_VALUE, col('meaning', 'VARCHAR', 2)],
      Object.entries(PARAMETERS).map(([k, p]) => [k, p.value, p.meaning]),
    );
  if (c.key === undefined) return done(KEY_VALUE, []); // the parameters this session changed: none yet
  if (c.value === undefined) return done(KEY_VALUE, [[c.key, known!.value]]);
  if (!known!.session) throw notAvailable(c.key);
  return done(KEY_VALUE, [[c.key, c.value]]);
}

/** SET [-v], SET key [= value], SET TIME ZONE …, RESET [key]. SET VAR goes to the engine (and fails there). */
export function setCommand(toks: Tok[]): SetCommand | undefined {
  const text = (from: number) =>
    toks
      .slice(from)
      .map((t) => t.v)
      .join('');
  if (up(toks[0]) === 'RESET') return { k: 'reset', key: toks.length > 1 ? text(1) : undefined };
  if (toks.length === 1) return { k: 'set' };
  if (isP(toks[1], '-') && up(toks[2]) === 'V' && toks.length === 3) return { k: 'set', verbose: true };
  if (up(toks[1]) === 'TIME' && up(toks[2]) === 'ZONE') return { k: 'set', key: 'TIMEZONE', value: text(3) };
  if (['VAR', 'VARIABLE'].includes(up(toks[1]) ?? '')) return undefined;
  const eq = toks.findIndex((t) => isP(t, '='));
  if (eq < 0) return { k: 'set', key: text(1) };
  if (eq === 1) throw parseError('=');
  return {
    k: 'set',
    key: toks
      .slice(1, eq)
      .map((t) => t.v)
      .join(''),
    value: text(eq + 1),
  };
}

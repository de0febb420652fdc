/**
 * The warehouse on statements made of Databricks SQL fragments in random order (the functions the
 * dialect rewrites, context functions, SET, ALTER, views, literals, unbalanced parentheses): every
 * statement ends SUCCEEDED or FAILED, never throws, and a failure speaks Databricks' error format
 * without the engine's own words.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SqlEngine } from '../sql.js';

const cat = { catalogs: ['main', 'hive_metastore'] };

const WORDS = [
  'SELECT',
  'FROM',
  'WHERE',
  'AS',
  'SET',
  'RESET',
  'ALTER',
  'TABLE',
  'ADD',
  'COLUMNS',
  'COLUMN',
  'CREATE',
  'OR',
  'REPLACE',
  'TEMPORARY',
  'VIEW',
  'SHOW',
  'IN',
  'VALUES',
  'INSERT',
  'INTO',
  'DROP',
  'IF',
  'EXISTS',
  'NULL',
  'named_struct',
  'struct',
  'map',
  'array',
  'collect_list',
  'collect_set',
  'datediff',
  'unix_timestamp',
  'from_unixtime',
  'sha2',
  'to_date',
  'to_timestamp',
  'date_format',
  'date_sub',
  'add_months',
  'trunc',
  'size',
  'rand',
  'int',
  'string',
  'date',
  'nvl',
  'get_json_object',
  'current_user',
  'current_timestamp',
  'current_date',
  'now',
  'X',
  'main.default.t',
  't',
  'id',
  'INT',
  'STRING',
  'ansi_mode',
  'TIME',
  'ZONE',
];
const PUNCT = ['(', ')', ',', '=', '-', '+', '*', '.', ':', '<', '>'];

const fragment = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 3, arbitrary: fc.constantFrom(...PUNCT) },
  fc.integer({ min: -3, max: 300 }).map(String),
  fc.constantFrom("'a'", "'2024-03-15'", "'dd/MM/yyyy'", "'AA00'", "'k'", "''"),
);

const FUNCTIONS = WORDS.filter((w) => /^[a-z_]+$/.test(w) && !['t', 'id', 'ansi_mode'].includes(w));
const literal = fc.constantFrom("'a'", "'2024-03-15'", "'yyyy-MM-dd'", "'MM'", '1', '256', 'NULL', 'id', 's', "'k'");
/** Well-formed calls, nested, with any number of arguments: the rewriting sees every arity. */
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal,
    fc
      .tuple(fc.constantFrom(...FUNCTIONS), fc.array(tie('e'), { maxLength: 4 }))
      .map(([f, args]) => `${f}(${args.join(', ')})`),
  ),
})).e;

describe('the warehouse on random Databricks SQL', () => {
  it('answers every well-formed call, whatever its arity and nesting, in Databricks error format when it fails', async () => {
    const e = new SqlEngine();
    await e.execute('2', 'CREATE TABLE main.default.t (id INT, s STRING)', {}, cat);
    let succeeded = 0;
    await fc.assert(
      fc.asyncProperty(expr, async (x) => {
        const sql = `SELECT ${x} AS v FROM main.default.t`;
        const r = await e.execute('2', sql, { user: 'ana@acme.com', now: new Date(0) }, cat);
        if (r.state === 'FAILED')
          expect({ sql, message: r.error?.message }).toEqual({
            sql,
            message: expect.stringMatching(
              /^\[[A-Z_.]+\] (?!.*(DuckDB|Binder Error|Parser Error|Catalog Error)).* SQLSTATE: [0-9A-Z]{5}$/s,
            ),
          });
        else succeeded++;
      }),
      { numRuns: 400 },
    );
    expect(succeeded).toBeGreaterThan(40); // the calls reach the engine, not only the parser
  });

  it('answers every statement, in Databricks error format when it fails', async () => {
    const e = new SqlEngine();
    const setup = await e.execute('1', 'CREATE TABLE main.default.t (id INT, s STRING)', {}, cat);
    expect(setup.state).toBe('SUCCEEDED');
    await fc.assert(
      fc.asyncProperty(fc.array(fragment, { minLength: 1, maxLength: 12 }), async (parts) => {
        const sql = parts.join(' ');
        const r = await e.execute('1', sql, { user: 'ana@acme.com', now: new Date(0) }, cat);
        expect({ sql, state: r.state }).toEqual({ sql, state: expect.stringMatching(/^(SUCCEEDED|FAILED)$/) });
        if (r.state === 'FAILED')
          expect({ sql, message: r.error?.message }).toEqual({
            sql,
            message: expect.stringMatching(
              /^\[[A-Z_.]+\] (?!.*(DuckDB|Binder Error|Parser Error|Catalog Error)).* SQLSTATE: [0-9A-Z]{5}$/s,
            ),
          });
      }),
      { numRuns: 400 },
    );
  });
});
